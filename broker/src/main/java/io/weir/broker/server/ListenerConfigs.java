package io.weir.broker.server;

import io.weir.broker.network.Listener;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Parses Kafka's listener settings: {@code listeners}, {@code advertised.listeners},
 * {@code listener.security.protocol.map}, {@code inter.broker.listener.name} and
 * {@code security.inter.broker.protocol}. Every mistake is a {@link ConfigException} naming the key.
 */
final class ListenerConfigs {
    static final String PROTOCOL_MAP = "listener.security.protocol.map";
    static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";

    private ListenerConfigs() {
    }

    /** {@code NAME:PROTOCOL,…}; each protocol's own name maps to itself unless overridden. */
    static Map<String, SecurityProtocol> protocolMap(String value) {
        Map<String, SecurityProtocol> map = new LinkedHashMap<>();
        for (SecurityProtocol p : SecurityProtocol.values()) {
            map.put(p.name, p);
        }
        if (value == null || value.isBlank()) {
            return map;
        }
        for (String entry : value.split(",")) {
            String[] kv = entry.trim().split(":");
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new ConfigException(PROTOCOL_MAP, value, "expected NAME:PROTOCOL entries separated by commas");
            }
            map.put(kv[0].trim().toUpperCase(Locale.ROOT), protocol(PROTOCOL_MAP, value, kv[1].trim()));
        }
        return map;
    }

    private static SecurityProtocol protocol(String key, String value, String name) {
        try {
            SecurityProtocol p = SecurityProtocol.forName(name.toUpperCase(Locale.ROOT));
            if (p == SecurityProtocol.PLAINTEXT || p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_PLAINTEXT
                    || p == SecurityProtocol.SASL_SSL) {
                return p;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new ConfigException(key, value, "'" + name + "' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    }

    /** {@code NAME://host:port,…} with distinct names; an empty host means every interface. */
    static List<Listener> parse(String key, String value, Map<String, SecurityProtocol> protocols) {
        List<Listener> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String spec = part.trim();
            if (spec.isEmpty()) {
                continue;
            }
            int sep = spec.indexOf("://");
            if (sep <= 0) {
                throw new ConfigException(key, value, "expected NAME://host:port, not '" + spec + "'");
            }
            String name = spec.substring(0, sep).toUpperCase(Locale.ROOT);
            SecurityProtocol protocol = protocols.get(name);
            if (protocol == null) {
                throw new ConfigException(key, value, "listener " + name + " has no security protocol: add it to "
                        + PROTOCOL_MAP);
            }
            String hostPort = spec.substring(sep + 3);
            String host;
            int port;
            try {
                URI uri = new URI("x://" + (hostPort.startsWith(":") ? "0.0.0.0" + hostPort : hostPort));
                host = uri.getHost();
                port = uri.getPort();
            } catch (URISyntaxException e) {
                throw new ConfigException(key, value, "expected NAME://host:port, not '" + spec + "'");
            }
            if (host == null || port < 0 || port > 65535) {
                throw new ConfigException(key, value, "expected NAME://host:port, not '" + spec + "'");
            }
            if (out.stream().anyMatch(l -> l.name().equals(name))) {
                throw new ConfigException(key, value, "listener name " + name + " appears twice");
            }
            out.add(new Listener(name, protocol, host, port));
        }
        if (out.isEmpty()) {
            throw new ConfigException(key, value, "at least one listener is needed");
        }
        return List.copyOf(out);
    }

    /**
     * The listener brokers talk to each other on: {@code inter.broker.listener.name}, else the listener
     * named by {@code security.inter.broker.protocol}, else (neither set) the PLAINTEXT listener or,
     * without one, the first listener.
     */
    static String interBrokerListener(Map<String, String> props, List<Listener> listeners) {
        String name = props.get(INTER_BROKER_LISTENER_NAME);
        String protocol = props.get(SECURITY_INTER_BROKER_PROTOCOL);
        if (name != null && protocol != null) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, name, "set only one of " + INTER_BROKER_LISTENER_NAME
                    + " and " + SECURITY_INTER_BROKER_PROTOCOL);
        }
        String key = name != null ? INTER_BROKER_LISTENER_NAME : SECURITY_INTER_BROKER_PROTOCOL;
        String wanted = name != null ? name : protocol;
        if (wanted == null) {
            return listeners.stream().filter(l -> l.name().equals("PLAINTEXT")).findFirst().orElse(listeners.get(0)).name();
        }
        String upper = wanted.trim().toUpperCase(Locale.ROOT);
        if (listeners.stream().noneMatch(l -> l.name().equals(upper))) {
            throw new ConfigException(key, wanted, "no listener of that name in listeners");
        }
        return upper;
    }
}
