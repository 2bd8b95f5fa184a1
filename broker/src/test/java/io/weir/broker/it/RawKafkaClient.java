package io.weir.broker.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/** Sends single requests of any version over a plain socket and parses the answers: for protocol-level tests. */
final class RawKafkaClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;

    RawKafkaClient(String host, int port) throws IOException {
        this.socket = new Socket(host, port);
        socket.setSoTimeout(15_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawKafkaClient connect(String bootstrap) throws IOException {
        String first = bootstrap.split(",")[0];
        int colon = first.lastIndexOf(':');
        return new RawKafkaClient(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
    }

    AbstractResponse send(ApiKeys key, short version, ApiMessage data) throws IOException {
        RequestHeader header = new RequestHeader(key, version, "raw-test", ++correlationId);
        ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
        sendFrame(body);
        int size = in.readInt();
        byte[] response = new byte[size];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    /** Sends a request without reading its answer (one the broker holds, such as a waiting fetch). */
    void sendOnly(ApiKeys key, short version, ApiMessage data) throws IOException {
        RequestHeader header = new RequestHeader(key, version, "raw-test", ++correlationId);
        sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), data, version));
    }

    void sendFrame(ByteBuffer body) throws IOException {
        ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining());
        framed.putInt(body.remaining()).put(body).flip();
        out.write(framed.array(), 0, framed.limit());
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Whether the broker closed the connection (end of stream within the socket timeout). */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
