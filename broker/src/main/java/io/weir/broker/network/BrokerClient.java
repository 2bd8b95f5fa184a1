package io.weir.broker.network;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking Kafka-protocol client for one connection from this broker to another (a follower to its
 * leader, a broker forwarding a request to the controller): one request at a time, serialized and
 * parsed with kafka-clients' own request and response classes.
 *
 * <p>Why not kafka-clients' {@code NetworkClient}: a fetcher thread sends one request and waits for
 * its answer, so a selector-driven multiplexing client buys nothing; and its constructors (with
 * {@code Selector}, {@code Metrics}, {@code LogContext}, metadata updaters) are internal API that
 * changes from release to release. Framing is the protocol's: a 4-byte size, then header and body.
 *
 * <p>A peer that goes silent (a network partition drops packets, or its process hangs) must not
 * hold the caller forever: connecting and every answer are bounded by a socket timeout (for a
 * follower, {@code replica.socket.timeout.ms}), after which the connection is dropped and the next
 * call connects again.
 *
 * <p>Not thread-safe: owned by one thread. {@link #close} may be called from any thread to
 * abort a blocked call.
 */
public final class BrokerClient implements AutoCloseable {
    private final String clientId;
    private final InetSocketAddress address;
    private final int maxResponseBytes;
    private final int socketTimeoutMs;
    private final InterBrokerSecurity security;
    private volatile Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private int correlationId;

    public BrokerClient(String clientId, InetSocketAddress address, int maxResponseBytes, int socketTimeoutMs) {
        this(clientId, address, maxResponseBytes, socketTimeoutMs, InterBrokerSecurity.PLAINTEXT);
    }

    /** A client that connects as {@code security} says (TLS, SASL login) before its first request. */
    public BrokerClient(String clientId, InetSocketAddress address, int maxResponseBytes, int socketTimeoutMs,
                        InterBrokerSecurity security) {
        this.security = security;
        this.clientId = clientId;
        this.address = address;
        this.maxResponseBytes = maxResponseBytes;
        this.socketTimeoutMs = socketTimeoutMs;
    }

    /**
     * Sends {@code request} (already built for its version) and waits for the response.
     *
     * @throws SocketTimeoutException when the leader does not connect or answer within the socket timeout
     */
    public AbstractResponse send(AbstractRequest request) throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, socketTimeoutMs);
                s.setSoTimeout(socketTimeoutMs);
                if (security.usesTls()) {
                    javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) security.sslContext().getSocketFactory()
                            .createSocket(s, address.getHostString(), address.getPort(), true);
                    tls.setUseClientMode(true);
                    tls.startHandshake();
                    s = tls;
                }
                in = new DataInputStream(s.getInputStream());
                out = s.getOutputStream();
            } catch (IOException e) {
                s.close();
                throw e;
            }
            socket = s;
            if (security.usesSasl()) {
                try {
                    BrokerClientLogin.login(security, new BrokerClientLogin.Exchange() {
                        @Override
                        public org.apache.kafka.common.requests.SaslHandshakeResponse handshake(
                                org.apache.kafka.common.requests.SaslHandshakeRequest r) throws IOException {
                            return (org.apache.kafka.common.requests.SaslHandshakeResponse) exchange(r);
                        }

                        @Override
                        public org.apache.kafka.common.requests.SaslAuthenticateResponse authenticate(
                                org.apache.kafka.common.requests.SaslAuthenticateRequest r) throws IOException {
                            return (org.apache.kafka.common.requests.SaslAuthenticateResponse) exchange(r);
                        }
                    }, address.toString());
                } catch (IOException | RuntimeException e) {
                    close();
                    throw e instanceof IOException io ? io : new IOException("SASL login to " + address + " failed: " + e, e);
                }
            }
        }
        return exchange(request);
    }

    private AbstractResponse exchange(AbstractRequest request) throws IOException {
        try {
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
            ByteBuffer body = request.serializeWithHeader(header);
            byte[] frame = new byte[4 + body.remaining()];
            ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
            out.write(frame);
            out.flush();
            int n = in.readInt();
            if (n < 0 || n > maxResponseBytes) {
                throw new IOException("Response of " + n + " bytes from " + address + " exceeds " + maxResponseBytes);
            }
            byte[] response = new byte[n];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        } catch (SocketTimeoutException e) {
            close();
            throw new SocketTimeoutException("No answer from " + address + " within " + socketTimeoutMs
                    + " ms (replica.socket.timeout.ms)");
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("Bad response from " + address + ": " + e, e);
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
