package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ResourceLeakDetector;
import io.weir.broker.auth.SaslSettings;
import io.weir.broker.auth.ScramCredentialStore;
import io.weir.broker.auth.UserConfigStorage;
import io.weir.broker.common.Time;
import io.weir.broker.testing.TestCertificates;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.internals.ScramCredentialUtils;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.io.TempDir;
import io.weir.broker.network.ProtocolSamples.KeyVersion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames into the connection pipeline, from a seeded {@link Random} (set
 * {@code -Dweir.fuzz.seed} to replay one), each into a fresh connection brought first into one of the
 * {@link ConnState connection states} a client can leave it in: plaintext, and on a SASL listener
 * before SaslHandshake, after it (v1, and v0 with raw tokens), in the middle of a SCRAM exchange and
 * authenticated; each of those also behind TLS (the frames encrypted by a client {@link
 * io.netty.handler.ssl.SslHandler} after a real TLS handshake). For every frame: nothing but a
 * connection close comes out of the pipeline, every buffer is released, a closed connection has
 * exactly one log line, and whatever reaches the processor is a request that serializes again to a
 * request equal to itself (but see {@link #checkReserializes}), and is answered. A failure names the
 * seed, the state and the frame.
 *
 * <p>The default build runs {@value #DEFAULT_FRAMES} frames; {@code -Dweir.fuzz.frames=1000000} (or
 * {@code mvn -Pfuzz-long}) the long profile.
 */
class FrameFuzzTest {
    private static final LogCapture LOGS = LogCapture.install();
    /** Fuzzed connections have ids 90,000,000 and up, so their (expected) log lines are counted but not printed. */
    private static final long FIRST_ID = 90_000_000;
    private static final Pattern FUZZ_LINE = Pattern.compile("connection (9\\d{7}) from ");
    private static final int DEFAULT_FRAMES = 3_000;
    private static final int MAX_REQUEST_SIZE = 4_096;

    private static final List<KeyVersion> SAMPLES = ProtocolSamples.everyVersion();

    /** What happened to one frame. */
    private enum Outcome { ANSWERED, CLOSED, WAITING }

    /** Where the connection is when the fuzzed frame arrives. */
    private enum ConnState {
        PLAINTEXT, SASL_BEFORE_HANDSHAKE, SASL_AFTER_HANDSHAKE, SASL_RAW_TOKENS, SASL_MID_SCRAM, SASL_AUTHENTICATED;

        boolean sasl() {
            return this != PLAINTEXT;
        }
    }

    @TempDir
    static Path dir;
    private static SslContext serverTls;
    private static SslContext clientTls;
    private static SaslSettings sasl;

    private final List<String> processorProblems = new ArrayList<>();
    private final Map<String, Map<Outcome, Integer>> outcomes = new TreeMap<>();
    private long nextId = FIRST_ID;
    private int unsortedUnknownTags;

    @BeforeAll
    static void setUp() throws Exception {
        // the long profile relies on the TrackingAllocator alone: a leak trace per buffer costs hours there
        ResourceLeakDetector.setLevel(frames() <= DEFAULT_FRAMES ? ResourceLeakDetector.Level.PARANOID
                : ResourceLeakDetector.Level.SIMPLE);
        LOGS.mute(FUZZ_LINE);
        TestCertificates certs = TestCertificates.create(dir);
        serverTls = TlsContexts.server(Map.of("ssl.keystore.location", certs.brokerKeystore.toString(),
                "ssl.keystore.password", TestCertificates.PASSWORD, "ssl.keystore.type", "PKCS12"), "SASL_SSL");
        clientTls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        ScramMechanism m = ScramMechanism.SCRAM_SHA_256;
        String credential = ScramCredentialUtils.credentialToString(new ScramFormatter(m).generateCredential("alice-secret", 4096));
        ScramCredentialStore store = new ScramCredentialStore(new OneUserStorage("alice", Map.of(m.mechanismName(), credential)));
        store.start();
        sasl = new SaslSettings(Set.of("PLAIN", "SCRAM-SHA-256"), Map.of("alice", "alice-secret"), store, 0);
    }

    @Test
    void randomAndMutatedFramesOnlyEverCloseTheConnection() {
        long seed = Long.getLong("weir.fuzz.seed", 0x5eed_c0dec_0ffeeL);
        int frames = frames();
        Random random = new Random(seed);
        FrameMutator mutator = new FrameMutator(MAX_REQUEST_SIZE);
        Set<Long> closedIds = new HashSet<>();
        Set<Long> openIds = new HashSet<>();
        long started = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            boolean mutated = random.nextBoolean();
            ConnState state = ConnState.values()[random.nextInt(ConnState.values().length)];
            boolean tls = random.nextInt(4) == 0;
            byte[] frame = mutated ? mutator.mutatedFrame(random, SAMPLES) : FrameMutator.randomFrame(random, SAMPLES);
            Outcome outcome;
            long id = nextId++;
            try {
                outcome = feed(frame, random, id, state, tls);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(which(seed, i, mutated, state, tls, frame) + ": " + e, e);
            }
            if (!processorProblems.isEmpty()) {
                throw new AssertionError(which(seed, i, mutated, state, tls, frame) + ": " + processorProblems);
            }
            outcomes.computeIfAbsent(state + (tls ? "+TLS" : ""), k -> new EnumMap<>(Outcome.class)).merge(outcome, 1, Integer::sum);
            (outcome == Outcome.CLOSED ? closedIds : openIds).add(id);
            if ((i + 1) % 50_000 == 0) {
                System.out.printf("FrameFuzzTest: %d of %d frames after %d s, seed %d%n", i + 1, frames,
                        (System.nanoTime() - started) / 1_000_000_000L, seed);
            }
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        Map<Long, Integer> linesPerConnection = new HashMap<>();
        for (String line : LOGS.linesContaining(" from embedded")) {
            Matcher m = FUZZ_LINE.matcher(line);
            if (m.find()) {
                linesPerConnection.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
                assertThat(line).as("a closed connection's log line").contains("WARN").doesNotContain("unexpected error");
            }
        }
        for (long id : closedIds) {
            assertThat(linesPerConnection.get(id)).as("log lines of connection %d", id).isEqualTo(1);
        }
        for (long id : openIds) {
            assertThat(linesPerConnection).doesNotContainKey(id);
        }
        System.out.printf("FrameFuzzTest: %d frames, seed %d, %d s, outcomes per state %s, unsorted unknown tags %d%n", frames,
                seed, seconds, outcomes, unsortedUnknownTags);
        // the fuzzer reaches each path often enough to mean something
        Map<Outcome, Integer> total = new EnumMap<>(Outcome.class);
        outcomes.values().forEach(perState -> perState.forEach((o, n) -> total.merge(o, n, Integer::sum)));
        assertThat(outcomes).as("states fuzzed").hasSize(ConnState.values().length * 2);
        assertThat(outcomes.values()).allSatisfy(perState -> assertThat(perState.getOrDefault(Outcome.CLOSED, 0)).isPositive());
        assertThat(total.getOrDefault(Outcome.ANSWERED, 0)).as("frames answered: %s", total).isGreaterThan(frames / 40);
        assertThat(total.getOrDefault(Outcome.CLOSED, 0)).as("frames closing: %s", total).isGreaterThan(frames / 4);
        assertThat(total.getOrDefault(Outcome.WAITING, 0)).as("frames incomplete: %s", total).isGreaterThan(frames / 100);
        assertThat(unsortedUnknownTags).as("requests with unknown tagged fields out of order").isLessThan(frames / 200 + 20);
    }

    private static int frames() {
        return Integer.getInteger("weir.fuzz.frames", DEFAULT_FRAMES);
    }

    private static String which(long seed, int i, boolean mutated, ConnState state, boolean tls, byte[] frame) {
        return "seed " + seed + ", case " + i + (mutated ? " (mutated)" : " (random)") + ", state " + state + (tls ? " over TLS" : "")
                + ", frame " + HexFormat.of().formatHex(frame);
    }

    private Outcome feed(byte[] frame, Random random, long id, ConnState state, boolean tls) {
        FakeProcessor processor = new FakeProcessor();
        processor.answer(rc -> {
            checkReserializes(rc);
            return CompletableFuture.completedFuture(ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion()));
        });
        SecurityProtocol protocol = state.sasl() ? (tls ? SecurityProtocol.SASL_SSL : SecurityProtocol.SASL_PLAINTEXT)
                : (tls ? SecurityProtocol.SSL : SecurityProtocol.PLAINTEXT);
        ListenerContext listener = new ListenerContext(protocol.name, protocol, state.sasl() ? sasl : null, Time.SYSTEM);
        FuzzConnection conn = new FuzzConnection(processor, listener, tls ? serverTls : null, tls ? clientTls : null,
                MAX_REQUEST_SIZE, id, random);
        prepare(conn, state, random);
        boolean rawTokens = state == ConnState.SASL_RAW_TOKENS;
        if (random.nextInt(4) == 0) {
            int at = 0;
            while (at < frame.length && conn.isOpen()) {
                int n = Math.min(frame.length - at, 1 + random.nextInt(16));
                conn.write(frame, at, n);
                at += n;
            }
        } else {
            conn.write(frame, 0, frame.length);
        }
        Map<Integer, RequestHeader> handshakeHeaders = saslHeaders(frame);
        int answered = 0;
        int processed = 0;
        for (byte[] wire : conn.takeFrames()) {
            answered++;
            if (rawTokens && answered == 1) {
                continue; // a raw SASL token: no header to check (framing is checked by takeFrames)
            }
            assertThat(wire.length).as("a response with a correlation id").isGreaterThanOrEqualTo(8);
            int correlationId = ByteBuffer.wrap(wire).getInt(4);
            if (processed < processor.received.size() && processor.received.get(processed).header().correlationId() == correlationId) {
                EmbeddedConnection.parse(wire, processor.received.get(processed++).header());
            } else if (handshakeHeaders.containsKey(correlationId)) {
                // SaslHandshake / SaslAuthenticate: answered by the connection itself
                EmbeddedConnection.parse(wire, handshakeHeaders.get(correlationId));
            } else {
                // ApiVersions of a version the broker does not know: answered by the network layer, in v0
                ApiVersionsResponseData v0 = new ApiVersionsResponseData(
                        new ByteBufferAccessor(ByteBuffer.wrap(wire, 8, wire.length - 8)), (short) 0);
                assertThat(v0).isEqualTo(FakeProcessor.unsupportedVersionData());
            }
        }
        assertThat(processed).as("requests processed and answered").isEqualTo(processor.received.size());
        Outcome outcome = !conn.isOpen() ? Outcome.CLOSED : answered == 0 ? Outcome.WAITING : Outcome.ANSWERED;
        conn.finishCleanly();
        return outcome;
    }

    /** The headers of SaslHandshake and SaslAuthenticate requests among the frames in {@code bytes}, by correlation id. */
    private static Map<Integer, RequestHeader> saslHeaders(byte[] bytes) {
        Map<Integer, RequestHeader> headers = new HashMap<>();
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.remaining() >= 4) {
            int size = buf.getInt();
            if (size < 0 || size > buf.remaining()) {
                break;
            }
            ByteBuffer one = buf.slice(buf.position(), size);
            buf.position(buf.position() + size);
            try {
                RequestHeader h = RequestHeader.parse(one);
                if (h.apiKey() == ApiKeys.SASL_HANDSHAKE || h.apiKey() == ApiKeys.SASL_AUTHENTICATE) {
                    headers.put(h.correlationId(), h);
                }
            } catch (RuntimeException e) {
                // not a request the broker could have answered
            }
        }
        return headers;
    }

    /** Brings a fresh connection into {@code state} with well-formed requests, checking their answers. */
    private static void prepare(FuzzConnection conn, ConnState state, Random random) {
        switch (state) {
            case PLAINTEXT, SASL_BEFORE_HANDSHAKE -> { }
            case SASL_AFTER_HANDSHAKE -> handshake(conn, random.nextBoolean() ? "PLAIN" : "SCRAM-SHA-256", (short) 1);
            case SASL_RAW_TOKENS -> handshake(conn, random.nextBoolean() ? "PLAIN" : "SCRAM-SHA-256", (short) 0);
            case SASL_MID_SCRAM -> {
                handshake(conn, "SCRAM-SHA-256", (short) 1);
                byte[] serverFirst = authenticate(conn, ("n,,n=alice,r=" + Long.toHexString(random.nextLong())).getBytes(UTF_8));
                assertThat(new String(serverFirst, UTF_8)).as("SCRAM server-first message").startsWith("r=");
            }
            case SASL_AUTHENTICATED -> {
                handshake(conn, "PLAIN", (short) 1);
                authenticate(conn, "\0alice\0alice-secret".getBytes(UTF_8));
            }
        }
        assertThat(conn.isOpen()).as("connection open after preparing " + state).isTrue();
    }

    private static void handshake(FuzzConnection conn, String mechanism, short version) {
        SaslHandshakeRequest request = new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism))
                .build(version);
        SaslHandshakeResponse response = (SaslHandshakeResponse) roundTrip(conn, ApiKeys.SASL_HANDSHAKE, version, request);
        assertThat(response.error()).isEqualTo(Errors.NONE);
    }

    private static byte[] authenticate(FuzzConnection conn, byte[] token) {
        SaslAuthenticateRequest request = new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(token))
                .build((short) 2);
        SaslAuthenticateResponse response = (SaslAuthenticateResponse) roundTrip(conn, ApiKeys.SASL_AUTHENTICATE, (short) 2, request);
        assertThat(response.error()).as(response.errorMessage()).isEqualTo(Errors.NONE);
        return response.saslAuthBytes();
    }

    private static AbstractResponse roundTrip(FuzzConnection conn, ApiKeys key, short version, AbstractRequest request) {
        RequestHeader header = new RequestHeader(key, version, "prepare", 1);
        byte[] frame = EmbeddedConnection.frame(header, request);
        conn.write(frame, 0, frame.length);
        List<byte[]> answers = conn.takeFrames();
        assertThat(answers).as("answers to " + key).hasSize(1);
        return EmbeddedConnection.parse(answers.get(0), header);
    }

    /** The request the processor got must survive being written and read again unchanged. */
    private void checkReserializes(RequestContext rc) {
        ApiKeys key = rc.header().apiKey();
        short version = rc.header().apiVersion();
        try {
            ApiMessage data = rc.request().data();
            ByteBuffer again = MessageUtil.toByteBufferAccessor(data, version).buffer();
            AbstractRequest reparsed = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(again)).request;
            if (!reparsed.data().equals(data)) {
                processorProblems.add(rc + " changed when serialized again: " + data + " became " + reparsed.data());
            }
            // the header, too
            RequestHeader header = rc.header();
            ByteBuffer headerAndBody = rc.request().serializeWithHeader(header);
            if (!RequestHeader.parse(headerAndBody).equals(header)) {
                processorProblems.add(rc + ": header changed when serialized again");
            }
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).startsWith("Invalid raw tag field list")) {
                // Tagged fields this version does not define, out of tag order: kafka-clients' parser keeps
                // them raw (as Kafka brokers do), its writer refuses them. They are never read, so they
                // are counted, not failed; checking every request would mean serializing it again.
                unsortedUnknownTags++;
                return;
            }
            processorProblems.add(rc + " cannot be serialized again: " + e);
        }
    }

    /** SCRAM credentials of one user, as ZooKeeper would deliver them. */
    private record OneUserStorage(String user, Map<String, String> config) implements UserConfigStorage {
        @Override
        public void start(Listener listener) {
            listener.changed(user, config, 1);
        }

        @Override
        public UserConfig read(String name) {
            return name.equals(user) ? new UserConfig(config, 0) : new UserConfig(Map.of(), -1);
        }

        @Override
        public long write(String name, Map<String, String> newConfig, int version) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void close() {
        }
    }
}
