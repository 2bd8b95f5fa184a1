package io.weir.broker.network;

import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * The server side of one SASL exchange on one connection: fed each client token in turn, answers the
 * next server token. Not thread-safe: used by the connection's event loop only.
 */
public interface SaslMechanismServer {

    /**
     * Evaluates the client's next token.
     *
     * @return the token to send back (empty when the mechanism has nothing to say)
     * @throws SaslAuthenticationException when the client is refused; its message is sent to the client
     */
    byte[] evaluate(byte[] clientToken);

    /** Whether the exchange finished successfully. */
    boolean isComplete();

    /** The authenticated user name; only after {@link #isComplete()}. */
    String username();

    String mechanism();
}
