package io.weir.jms.client;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One blocking connection to one broker (PLAINTEXT, or secured as a {@link WireSecurity} says: TLS, SASL PLAIN/SCRAM): a request of an exact version out, its answer in (Kafka framing:
 * int32 size, request header, body; the answer parsed with kafka-clients' message classes). Used for the few
 * requests kafka-clients 4.4 cannot send (two-phase commit, see {@link TwoPhaseClient}). Thread-safe: one request
 * at a time. A failed exchange leaves the connection unusable ({@link #isBroken}); the owner opens a new one.
 */
final class BrokerConnection implements AutoCloseable {

    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final String host;
    private final int port;
    private final String clientId;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;
    private volatile boolean broken;
    private java.util.Map<Short, Short> maxVersions; // from ApiVersions, asked once per connection
    private boolean transactionalShareAcks; // from the same answer
    private boolean queueDefaults; // from the same answer
    /** The ApiVersions request sent ahead when the connection opened, whose answer is not read yet (else null). */
    private RequestHeader versionsAhead;
    /** Requests sent by {@link #sendUnanswered} whose answers are not read yet, in the order they went out. */
    private final java.util.ArrayDeque<Unanswered> unanswered = new java.util.ArrayDeque<>();
    /** Answers left unread at most: the next {@link #sendUnanswered} beyond this reads them first. */
    private static final int MAX_UNANSWERED = 256;

    private volatile long lastWriteNanos = System.nanoTime();

    private record Unanswered(RequestHeader header, java.util.function.Consumer<AbstractResponse> onAnswer) {
    }

    BrokerConnection(String host, int port, String clientId, int timeoutMs) throws IOException {
        this(host, port, clientId, timeoutMs, WireSecurity.PLAINTEXT);
    }

    /** Connects, then secures the connection as {@code security} says: a TLS handshake, a SASL login. */
    BrokerConnection(String host, int port, String clientId, int timeoutMs, WireSecurity security) throws IOException {
        this(host, port, clientId, timeoutMs, timeoutMs, security);
    }

    /** As above, with a TCP connect bounded by {@code connectTimeoutMs} and reads by {@code timeoutMs}. */
    BrokerConnection(String host, int port, String clientId, int connectTimeoutMs, int timeoutMs, WireSecurity security)
            throws IOException {
        this.host = host;
        this.port = port;
        this.clientId = clientId;
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            if (security.usesTls()) {
                SSLSocket tls = (SSLSocket) security.sslContext().getSocketFactory().createSocket(s, host, port, true);
                tls.setUseClientMode(true);
                if (security.verifyHostname()) {
                    SSLParameters params = tls.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(params);
                }
                try {
                    tls.startHandshake();
                } catch (IOException e) {
                    throw new IOException("TLS handshake with " + host + ":" + port + " failed: " + e.getMessage(), e);
                }
                s = tls;
            }
            this.socket = s;
            this.in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream())); // readInt: one read, not four
            this.out = s.getOutputStream();
            if (security.usesSasl()) {
                SaslLogin.login(security, this::send, toString());
            }
            // ApiVersions goes out at once, pipelined: its answer is read before the next request's, so that learning
            // the broker's versions and features costs no round trip of its own
            versionsAhead = write(ApiKeys.API_VERSIONS, (short) 3, versionsRequest());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The highest version of {@code key} the broker offers (ApiVersions v3, asked on first use); -1 when it offers
     * none.
     */
    synchronized short maxVersion(ApiKeys key) throws IOException {
        if (maxVersions == null) {
            if (versionsAhead != null) {
                readVersionsAhead();
            } else {
                versions((org.apache.kafka.common.requests.ApiVersionsResponse) send(ApiKeys.API_VERSIONS, (short) 3,
                        versionsRequest()));
            }
        }
        return maxVersions.getOrDefault(key.id, (short) -1);
    }

    private static org.apache.kafka.common.message.ApiVersionsRequestData versionsRequest() {
        return new org.apache.kafka.common.message.ApiVersionsRequestData().setClientSoftwareName("weir-jms")
                .setClientSoftwareVersion("xa");
    }

    private void versions(org.apache.kafka.common.requests.ApiVersionsResponse r) {
        java.util.Map<Short, Short> m = new java.util.HashMap<>();
        r.data().apiKeys().forEach(k -> m.put(k.apiKey(), k.maxVersion()));
        maxVersions = m;
        transactionalShareAcks = TransactionalShareAcks.supported(r.data());
        var defaults = r.data().supportedFeatures().find(QUEUE_DEFAULTS_FEATURE);
        queueDefaults = defaults != null && defaults.minVersion() <= 1 && defaults.maxVersion() >= 1;
    }

    /** Reads the answer to the ApiVersions sent ahead (the next answer on the wire). */
    private void readVersionsAhead() throws IOException {
        RequestHeader header = versionsAhead;
        versionsAhead = null;
        try {
            versions((org.apache.kafka.common.requests.ApiVersionsResponse) read(header));
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException("Bad answer to API_VERSIONS from " + this, e);
        }
    }

    /**
     * Whether the broker takes share acknowledgements inside Kafka transactions ({@link TransactionalShareAcks}; from
     * the same ApiVersions answer as {@link #maxVersion}).
     */
    synchronized boolean supportsTransactionalShareAcks() throws IOException {
        maxVersion(ApiKeys.API_VERSIONS);
        return transactionalShareAcks;
    }

    /**
     * The feature a Weir broker lists when the share groups of JMS queues ({@code jms-queue.*}) start at the log start
     * and read committed records by default: the provider need not write those group configurations.
     */
    static final String QUEUE_DEFAULTS_FEATURE = "weir.share.queue.defaults";

    /** Whether the broker gives JMS queues' share groups the queue's settings by default (same ApiVersions answer). */
    synchronized boolean appliesQueueDefaults() throws IOException {
        maxVersion(ApiKeys.API_VERSIONS);
        return queueDefaults;
    }

    synchronized AbstractResponse send(ApiKeys key, short version, ApiMessage data) throws IOException {
        if (broken) {
            throw new IOException("The connection to " + this + " failed before");
        }
        try {
            RequestHeader header = write(key, version, data);
            readEarlierAnswers(); // answered first: they went out first
            return read(header);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException("Bad answer to " + key + " from " + this, e);
        }
    }

    /** A request of {@link #sendAll}. */
    record Request(ApiKeys key, short version, ApiMessage data) {
    }

    /**
     * Sends the requests back to back and then reads their answers, in order (pipelined: a round trip for all of
     * them, not one each). A failure breaks the connection as {@link #send} does.
     */
    synchronized List<AbstractResponse> sendAll(List<Request> requests) throws IOException {
        if (broken) {
            throw new IOException("The connection to " + this + " failed before");
        }
        ApiKeys current = null;
        try {
            List<RequestHeader> headers = new ArrayList<>(requests.size());
            List<ByteBuffer> frames = new ArrayList<>(requests.size());
            for (Request r : requests) {
                current = r.key();
                RequestHeader header = new RequestHeader(r.key(), r.version(), clientId, ++correlationId);
                headers.add(header);
                frames.add(frame(header, r.data()));
            }
            // one write: the broker reads the requests together and hands them to one request thread in a row
            ByteBuffer all = ByteBuffer.allocate(frames.stream().mapToInt(ByteBuffer::remaining).sum());
            frames.forEach(all::put);
            out.write(all.array(), 0, all.position());
            out.flush();
            current = ApiKeys.API_VERSIONS;
            readEarlierAnswers();
            List<AbstractResponse> answers = new ArrayList<>(headers.size());
            for (RequestHeader h : headers) {
                current = h.apiKey();
                answers.add(read(h));
            }
            return answers;
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException("Bad answer to " + current + " from " + this, e);
        }
    }

    /**
     * Sends a request without waiting for its answer (a non-persistent send has nobody to tell): the answer is read,
     * and given to {@code onAnswer}, before the answer to a later request on this connection, or by this method once
     * {@value #MAX_UNANSWERED} are waiting. A failure breaks the connection as {@link #send} does.
     */
    synchronized void sendUnanswered(ApiKeys key, short version, ApiMessage data,
                                     java.util.function.Consumer<AbstractResponse> onAnswer) throws IOException {
        if (broken) {
            throw new IOException("The connection to " + this + " failed before");
        }
        try {
            unanswered.addLast(new Unanswered(write(key, version, data), onAnswer));
            if (unanswered.size() >= MAX_UNANSWERED) {
                readEarlierAnswers();
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException("Bad answer to " + key + " from " + this, e);
        }
    }

    /**
     * Reads the answers still owed to {@link #sendUnanswered} requests: before closing, so that the broker has read them
     * (a socket closed with unread answers is reset, and a reset can drop requests the broker has not read yet).
     */
    synchronized void settle() {
        if (broken || unanswered.isEmpty()) {
            return;
        }
        try {
            readEarlierAnswers();
        } catch (IOException | RuntimeException e) {
            broken = true;
            org.slf4j.LoggerFactory.getLogger(BrokerConnection.class).debug("Settling the answers owed by {} failed: {}", this,
                    e.toString());
        }
    }

    /** Reads the answers to what went out before the request being answered: the ApiVersions sent ahead, the unanswered. */
    private void readEarlierAnswers() throws IOException {
        if (versionsAhead != null) {
            readVersionsAhead();
        }
        Unanswered u;
        while ((u = unanswered.pollFirst()) != null) {
            AbstractResponse answer = read(u.header());
            try {
                u.onAnswer().accept(answer);
            } catch (RuntimeException e) {
                // the answer was read: the connection stays in step; the callback's failure is its own
                org.slf4j.LoggerFactory.getLogger(BrokerConnection.class).warn("Handling an answer from {} failed", this, e);
            }
        }
    }

    /** When this connection last wrote a request ({@link System#nanoTime}). */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    private RequestHeader write(ApiKeys key, short version, ApiMessage data) throws IOException {
        lastWriteNanos = System.nanoTime();
        RequestHeader header = new RequestHeader(key, version, clientId, ++correlationId);
        ByteBuffer framed = frame(header, data);
        out.write(framed.array(), 0, framed.limit());
        out.flush();
        return header;
    }

    /** The request as it goes on the wire: int32 size, header, body (flipped, backed by an array from 0). */
    private static ByteBuffer frame(RequestHeader header, ApiMessage data) {
        ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), data, header.apiVersion());
        ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining());
        framed.putInt(body.remaining()).put(body).flip();
        return framed;
    }

    private AbstractResponse read(RequestHeader header) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > MAX_RESPONSE_BYTES) {
            throw new IOException("Response of " + size + " bytes from " + this);
        }
        byte[] response = new byte[size];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    boolean isBroken() {
        return broken;
    }

    @Override
    public void close() {
        broken = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
