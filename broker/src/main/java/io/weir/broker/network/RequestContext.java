package io.weir.broker.network;

import java.net.SocketAddress;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One decoded request and where it came from.
 *
 * @param header       the request header (API key, version, correlation id, client id)
 * @param request      the body, decoded with the kafka-clients message class for its key and version
 * @param sizeInBytes  the body's size on the wire
 * @param clientAddress the peer, for log lines
 * @param connectionId a per-server counter naming the connection
 * @param principal    who the connection authenticated as ({@link KafkaPrincipal#ANONYMOUS} on a listener
 *                     without authentication); authorization decides on it
 * @param listenerName the listener the request came in on: Metadata and FindCoordinator answer with the
 *                     brokers' addresses on that listener
 * @param securityProtocol the listener's protocol
 */
public record RequestContext(RequestHeader header, AbstractRequest request, int sizeInBytes, SocketAddress clientAddress,
                             long connectionId, KafkaPrincipal principal, String listenerName,
                             SecurityProtocol securityProtocol) {

    /** A request on the default PLAINTEXT listener. */
    public RequestContext(RequestHeader header, AbstractRequest request, int sizeInBytes, SocketAddress clientAddress,
                          long connectionId, KafkaPrincipal principal) {
        this(header, request, sizeInBytes, clientAddress, connectionId, principal, "PLAINTEXT", SecurityProtocol.PLAINTEXT);
    }

    @Override
    public String toString() {
        return header.apiKey() + " v" + header.apiVersion() + " (correlation " + header.correlationId() + ", client '"
                + header.clientId() + "' at " + clientAddress + ")";
    }
}
