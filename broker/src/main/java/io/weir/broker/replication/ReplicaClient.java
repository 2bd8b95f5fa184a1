package io.weir.broker.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking Kafka-protocol client for one connection from a follower to its leader: one request
 * at a time, serialized and parsed with kafka-clients' own request and response classes.
 *
 * <p>Why not kafka-clients' {@code NetworkClient}: a fetcher thread sends one request and waits for
 * its answer, so a selector-driven multiplexing client buys nothing; and its constructors (with
 * {@code Selector}, {@code Metrics}, {@code LogContext}, metadata updaters) are internal API that
 * changes from release to release. Framing is the protocol's: a 4-byte size, then header and body.
 *
 * <p>Not thread-safe: owned by one fetcher thread. {@link #close} may be called from any thread to
 * abort a blocked call.
 */
final class ReplicaClient implements AutoCloseable {
    private final String clientId;
    private final InetSocketAddress address;
    private final int maxResponseBytes;
    private volatile SocketChannel channel;
    private int correlationId;

    ReplicaClient(String clientId, InetSocketAddress address, int maxResponseBytes) {
        this.clientId = clientId;
        this.address = address;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** Sends {@code request} (already built for its version) and waits for the response. */
    AbstractResponse send(AbstractRequest request) throws IOException {
        if (channel == null) {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(address);
            channel = ch;
        }
        try {
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
            ByteBuffer body = request.serializeWithHeader(header);
            ByteBuffer size = ByteBuffer.allocate(4).putInt(0, body.remaining());
            writeFully(size);
            writeFully(body);
            ByteBuffer sizeIn = ByteBuffer.allocate(4);
            readFully(sizeIn);
            int n = sizeIn.getInt(0);
            if (n < 0 || n > maxResponseBytes) {
                throw new IOException("Response of " + n + " bytes from " + address + " exceeds " + maxResponseBytes);
            }
            ByteBuffer response = ByteBuffer.allocate(n);
            readFully(response);
            response.flip();
            return AbstractResponse.parseResponse(response, header);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("Bad response from " + address + ": " + e, e);
        }
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("Connection to " + address + " closed");
            }
        }
    }

    @Override
    public void close() {
        SocketChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
