package io.weir.broker.network;

import javax.net.ssl.SSLContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How this broker's own connections to other brokers (followers fetching, transaction markers,
 * share-state forwarding) are secured: the inter-broker listener's protocol, its TLS client context, and
 * the SASL mechanism and credentials ({@code sasl.mechanism.inter.broker.protocol} and the
 * {@code username}/{@code password} of the listener's JAAS configuration, as Kafka brokers log in).
 * Immutable.
 *
 * @param sslContext null unless the protocol uses TLS
 * @param mechanism  null unless the protocol uses SASL
 */
public record InterBrokerSecurity(SecurityProtocol protocol, SSLContext sslContext, String mechanism, String username,
                                  String password) {
    public static final InterBrokerSecurity PLAINTEXT = new InterBrokerSecurity(SecurityProtocol.PLAINTEXT, null, null, null, null);

    boolean usesTls() {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }

    boolean usesSasl() {
        return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    }

    @Override
    public String toString() {
        return protocol + (usesSasl() ? " " + mechanism + " as " + username : "");
    }
}
