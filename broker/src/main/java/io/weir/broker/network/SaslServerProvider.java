package io.weir.broker.network;

import java.util.Set;

/**
 * What a SASL listener authenticates with (implemented by the {@code auth} layer): the mechanisms it
 * offers, a fresh server per exchange, and how long a session lasts. Thread-safe.
 */
public interface SaslServerProvider {

    /** The mechanisms offered, in the order SaslHandshake lists them. */
    Set<String> enabledMechanisms();

    /** A server for one exchange of {@code mechanism}, or null when it is not enabled. */
    SaslMechanismServer newServer(String mechanism);

    /** {@code connections.max.reauth.ms}: 0 when sessions never expire. */
    long maxReauthMs();

    /** How long a new connection may take to authenticate before it is closed. */
    long authenticationTimeoutMs();
}
