package io.weir.broker.it;

import io.weir.broker.network.ProtocolSamples;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A Kafka connection by hand: size-prefixed requests serialized by kafka-clients, responses read and
 * parsed by kafka-clients, and raw bytes for what no client would send. Blocking; one thread.
 */
final class RawKafkaSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    RawKafkaSocket(String bootstrapServers) throws IOException {
        String[] hostPort = bootstrapServers.split(",")[0].split(":");
        socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
        socket.setSoTimeout(15_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** How the broker names this client in its log lines: {@code /127.0.0.1:port}. */
    String clientAddress() {
        return socket.getLocalSocketAddress().toString();
    }

    static AbstractRequest request(ApiKeys key, short version, ApiMessage data) {
        return AbstractRequest.parseRequest(key, version, MessageUtil.toByteBufferAccessor(data, version)).request;
    }

    /** Sends {@code data} as a {@code key} request of {@code version} and returns the parsed response. */
    AbstractResponse call(ApiKeys key, short version, ApiMessage data) throws IOException {
        RequestHeader header = new RequestHeader(key, version, "raw-socket", nextCorrelationId++);
        send(header, request(key, version, data));
        return receive(header);
    }

    void send(RequestHeader header, AbstractRequest request) throws IOException {
        ByteBuffer frame = ProtocolSamples.frame(header, request);
        writeRaw(frame.array());
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The body of the next response frame (correlation id onwards). */
    byte[] receiveFrame() throws IOException {
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        return body;
    }

    AbstractResponse receive(RequestHeader header) throws IOException {
        return AbstractResponse.parseResponse(ByteBuffer.wrap(receiveFrame()), header);
    }

    /** Whether the broker closes the connection (end of stream or reset) within {@code timeout}. */
    boolean closedByBroker(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true; // reset: the broker closed while we were still sending
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
