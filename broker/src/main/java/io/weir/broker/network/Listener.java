package io.weir.broker.network;

import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One named listener, as Kafka's {@code listeners} names them: {@code CLIENT://0.0.0.0:9092} with
 * {@code listener.security.protocol.map=CLIENT:SASL_SSL}, or {@code SASL_PLAINTEXT://host:9093} whose
 * name is its protocol.
 *
 * @param name     the listener name (upper case), what Metadata answers by
 * @param protocol how connections on it are secured
 * @param host     the address to bind or advertise ({@code 0.0.0.0} for every interface when binding)
 * @param port     the port; 0 binds a free one
 */
public record Listener(String name, SecurityProtocol protocol, String host, int port) {

    public boolean usesSasl() {
        return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    }

    public boolean usesTls() {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port + (name.equals(protocol.name) ? "" : " (" + protocol.name + ")");
    }
}
