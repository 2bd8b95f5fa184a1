package io.weir.broker.network;

import io.weir.broker.common.Time;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * What every connection of one listener shares: its name and protocol (Metadata answers with the
 * listener a request came in on), how it authenticates, and the clock. Immutable.
 *
 * @param sasl null on PLAINTEXT and SSL listeners
 */
record ListenerContext(String name, SecurityProtocol protocol, SaslServerProvider sasl, Time time) {

    static ListenerContext plaintext() {
        return new ListenerContext("PLAINTEXT", SecurityProtocol.PLAINTEXT, null, Time.SYSTEM);
    }

    boolean tls() {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }
}
