package io.weir.broker.auth;

import io.weir.broker.network.SaslMechanismServer;
import io.weir.broker.network.SaslServerProvider;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * How one SASL listener authenticates, from Kafka's settings (each looked up first with the listener
 * prefix {@code listener.name.<listener lower case>.}, then without it):
 * <ul>
 *   <li>{@code sasl.enabled.mechanisms}: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (default: all three);</li>
 *   <li>{@code plain.sasl.jaas.config} (as {@code listener.name.<l>.plain.sasl.jaas.config}): the
 *       {@code PlainLoginModule} whose {@code user_<name>="<password>"} options are the PLAIN users;</li>
 *   <li>{@code connections.max.reauth.ms}: the session lifetime (0: sessions never expire).</li>
 * </ul>
 * SCRAM credentials come from the {@link ScramCredentialStore}. Immutable; thread-safe.
 */
public final class SaslSettings implements SaslServerProvider {
    public static final String ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String JAAS_CONFIG = "sasl.jaas.config";
    public static final String MAX_REAUTH_MS = "connections.max.reauth.ms";
    /** Weir's own: a connection that has not authenticated this long after connecting is closed. */
    public static final String AUTHENTICATION_TIMEOUT_MS = "sasl.server.authentication.timeout.ms";
    public static final List<String> SUPPORTED = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    private final Set<String> enabled;
    private final Map<String, String> plainUsers;
    private final ScramCredentialStore scram;
    private final long maxReauthMs;
    private long authenticationTimeoutMs = 30_000;

    public SaslSettings(Set<String> enabled, Map<String, String> plainUsers, ScramCredentialStore scram, long maxReauthMs) {
        this.enabled = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(enabled));
        this.plainUsers = Map.copyOf(plainUsers);
        this.scram = scram;
        this.maxReauthMs = maxReauthMs;
    }

    /** The settings of listener {@code listenerName} from the broker's properties. */
    public static SaslSettings of(Map<String, String> props, String listenerName, ScramCredentialStore scram) {
        String prefix = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
        String mechanisms = lookup(props, prefix, ENABLED_MECHANISMS, String.join(",", SUPPORTED));
        Set<String> enabled = new LinkedHashSet<>();
        for (String m : mechanisms.split(",")) {
            String name = m.trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!SUPPORTED.contains(name)) {
                throw new ConfigException(prefix + ENABLED_MECHANISMS, mechanisms, "mechanism " + name
                        + " is not supported; supported: " + SUPPORTED);
            }
            enabled.add(name);
        }
        if (enabled.isEmpty()) {
            throw new ConfigException(prefix + ENABLED_MECHANISMS, mechanisms, "a SASL listener needs at least one mechanism");
        }
        Map<String, String> users = new LinkedHashMap<>();
        if (enabled.contains("PLAIN")) {
            String key = prefix + "plain." + JAAS_CONFIG;
            String jaas = props.get(key);
            if (jaas == null) {
                key = JAAS_CONFIG;
                jaas = props.get(key);
            }
            if (jaas != null) {
                JaasOptions.parse(key, jaas).forEach((k, v) -> {
                    if (k.startsWith("user_") && k.length() > 5) {
                        users.put(k.substring(5), v);
                    }
                });
            }
        }
        long reauth;
        String r = lookup(props, prefix, MAX_REAUTH_MS, "0");
        try {
            reauth = Long.parseLong(r.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(MAX_REAUTH_MS, r, "expected milliseconds");
        }
        if (reauth < 0) {
            throw new ConfigException(MAX_REAUTH_MS, r, "must not be negative");
        }
        SaslSettings settings = new SaslSettings(enabled, users, scram, reauth);
        String timeout = lookup(props, prefix, AUTHENTICATION_TIMEOUT_MS, "30000");
        try {
            settings.authenticationTimeoutMs = Long.parseLong(timeout.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(AUTHENTICATION_TIMEOUT_MS, timeout, "expected milliseconds");
        }
        if (settings.authenticationTimeoutMs < 1) {
            throw new ConfigException(AUTHENTICATION_TIMEOUT_MS, timeout, "must be positive");
        }
        return settings;
    }

    static String lookup(Map<String, String> props, String prefix, String key, String fallback) {
        String v = props.get(prefix + key);
        if (v == null) {
            v = props.get(key);
        }
        return v == null ? fallback : v;
    }

    @Override
    public Set<String> enabledMechanisms() {
        return enabled;
    }

    /** 0 when sessions never expire. */
    @Override
    public long maxReauthMs() {
        return maxReauthMs;
    }

    @Override
    public long authenticationTimeoutMs() {
        return authenticationTimeoutMs;
    }

    /** A server for one exchange of {@code mechanism}, or null when it is not enabled here. */
    @Override
    public SaslMechanismServer newServer(String mechanism) {
        if (!enabled.contains(mechanism)) {
            return null;
        }
        if (mechanism.equals(PlainServer.MECHANISM)) {
            return new PlainServer(plainUsers);
        }
        ScramMechanism m = ScramMechanism.forMechanismName(mechanism);
        return new ScramServer(m, scram == null ? (u, mech) -> null : scram::credential);
    }
}
