package io.weir.broker.auth;

import io.weir.broker.network.InterBrokerSecurity;
import io.weir.broker.network.TlsContexts;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How this broker logs in to the others, from Kafka's settings: the inter-broker listener's protocol,
 * {@code sasl.mechanism.inter.broker.protocol} (default PLAIN), the {@code username} and {@code password}
 * options of the listener's JAAS configuration for that mechanism
 * ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}, else {@code sasl.jaas.config}), and the
 * listener's {@code ssl.*} stores as a TLS client.
 */
public final class InterBrokerSecurities {
    public static final String MECHANISM = "sasl.mechanism.inter.broker.protocol";

    private InterBrokerSecurities() {
    }

    public static InterBrokerSecurity of(Map<String, String> props, String listenerName, SecurityProtocol protocol) {
        boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        if (!tls && !sasl) {
            return InterBrokerSecurity.PLAINTEXT;
        }
        javax.net.ssl.SSLContext ssl = tls ? TlsContexts.client(props, listenerName) : null;
        if (!sasl) {
            return new InterBrokerSecurity(protocol, ssl, null, null, null);
        }
        String mechanism = props.getOrDefault(MECHANISM, "PLAIN").trim().toUpperCase(Locale.ROOT);
        if (!SaslSettings.SUPPORTED.contains(mechanism)) {
            throw new ConfigException(MECHANISM, mechanism, "supported: " + SaslSettings.SUPPORTED);
        }
        String key = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + "." + mechanism.toLowerCase(Locale.ROOT) + "."
                + SaslSettings.JAAS_CONFIG;
        String jaas = props.get(key);
        if (jaas == null) {
            key = SaslSettings.JAAS_CONFIG;
            jaas = props.get(key);
        }
        if (jaas == null) {
            throw new ConfigException(key, null, "the inter-broker listener " + listenerName + " uses SASL: its JAAS configuration"
                    + " needs username and password for " + mechanism);
        }
        Map<String, String> options = JaasOptions.parse(key, jaas);
        if (options.get("username") == null || options.get("password") == null) {
            throw new ConfigException(key, "(hidden)", "needs username and password options: the inter-broker login");
        }
        return new InterBrokerSecurity(protocol, ssl, mechanism, options.get("username"), options.get("password"));
    }
}
