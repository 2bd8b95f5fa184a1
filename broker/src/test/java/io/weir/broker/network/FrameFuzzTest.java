package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
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
 * Random and mutated frames into the connection pipeline, a bounded number of each from a seeded
 * {@link Random} (set {@code -Dweir.fuzz.seed} to replay one). For every frame: nothing but a
 * connection close comes out of the pipeline, every buffer is released, a closed connection has
 * exactly one log line, and whatever reaches the processor is a request that serializes again to a
 * request equal to itself (but see {@link #checkReserializes}), and is answered. A failure names the
 * seed, the case and the frame.
 */
class FrameFuzzTest {
    private static final LogCapture LOGS = LogCapture.install();
    /** Fuzzed connections have ids 9,000,000 and up, so their (expected) log lines are counted but not printed. */
    private static final long FIRST_ID = 9_000_000;
    private static final Pattern FUZZ_LINE = Pattern.compile("connection (9\\d{6}) from ");
    private static final int RANDOM_FRAMES = 2_000;
    private static final int MUTATED_FRAMES = 2_000;
    private static final int MAX_REQUEST_SIZE = 4_096;

    private static final List<KeyVersion> SAMPLES = ProtocolSamples.everyVersion();

    /** What happened to one frame. */
    private enum Outcome { ANSWERED, CLOSED, WAITING }

    private final List<String> processorProblems = new ArrayList<>();
    private final Map<Outcome, Integer> outcomes = new HashMap<>();
    private long nextId = FIRST_ID;
    private int unsortedUnknownTags;

    @BeforeAll
    static void setUp() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        LOGS.mute(FUZZ_LINE);
    }

    @Test
    void randomAndMutatedFramesOnlyEverCloseTheConnection() {
        long seed = Long.getLong("weir.fuzz.seed", 0x5eed_c0dec_0ffeeL);
        Random random = new Random(seed);
        FrameMutator mutator = new FrameMutator(MAX_REQUEST_SIZE);
        List<Long> closedIds = new ArrayList<>();
        List<Long> openIds = new ArrayList<>();
        for (int i = 0; i < RANDOM_FRAMES + MUTATED_FRAMES; i++) {
            boolean mutated = i >= RANDOM_FRAMES;
            byte[] frame = mutated ? mutator.mutatedFrame(random, SAMPLES) : FrameMutator.randomFrame(random, SAMPLES);
            String which = "seed " + seed + ", case " + i + (mutated ? " (mutated)" : " (random)") + ", frame "
                    + HexFormat.of().formatHex(frame);
            Outcome outcome;
            long id = nextId++;
            try {
                outcome = feed(frame, random, id);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(which + ": " + e, e);
            }
            assertThat(processorProblems).as(which).isEmpty();
            outcomes.merge(outcome, 1, Integer::sum);
            (outcome == Outcome.CLOSED ? closedIds : openIds).add(id);
        }

        Map<Long, Integer> linesPerConnection = new HashMap<>();
        for (String line : LOGS.linesContaining(" from embedded")) {
            Matcher m = FUZZ_LINE.matcher(line);
            if (m.find()) {
                linesPerConnection.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
                assertThat(line).as("a closed connection's log line").contains("WARN").doesNotContain("unexpected error");
            }
        }
        assertThat(closedIds).allSatisfy(id -> assertThat(linesPerConnection.get(id)).as("log lines of connection %d", id)
                .isEqualTo(1));
        assertThat(openIds).allSatisfy(id -> assertThat(linesPerConnection).doesNotContainKey(id));
        // the fuzzer reaches each path often enough to mean something
        assertThat(outcomes.getOrDefault(Outcome.ANSWERED, 0)).as("frames answered: %s", outcomes).isGreaterThan(200);
        assertThat(outcomes.getOrDefault(Outcome.CLOSED, 0)).as("frames closing: %s", outcomes).isGreaterThan(1_000);
        assertThat(outcomes.getOrDefault(Outcome.WAITING, 0)).as("frames incomplete: %s", outcomes).isGreaterThan(50);
        assertThat(unsortedUnknownTags).as("requests with unknown tagged fields out of order").isLessThan(20);
    }

    private Outcome feed(byte[] frame, Random random, long id) {
        FakeProcessor processor = new FakeProcessor();
        processor.answer(rc -> {
            checkReserializes(rc);
            return CompletableFuture.completedFuture(ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion()));
        });
        EmbeddedConnection conn = new EmbeddedConnection(processor, MAX_REQUEST_SIZE, 1 + random.nextInt(64), id);
        if (random.nextInt(4) == 0) {
            int at = 0;
            while (at < frame.length && conn.channel.isOpen()) {
                int n = Math.min(frame.length - at, 1 + random.nextInt(16));
                conn.write(frame, at, n);
                at += n;
            }
        } else {
            conn.write(frame);
        }
        int answered = 0;
        int processed = 0;
        for (byte[] wire = conn.readResponseBytes(); wire != null; wire = conn.readResponseBytes()) {
            answered++;
            int correlationId = ByteBuffer.wrap(wire).getInt(4);
            if (processed < processor.received.size() && processor.received.get(processed).header().correlationId() == correlationId) {
                EmbeddedConnection.parse(wire, processor.received.get(processed++).header());
            } else {
                // ApiVersions of a version the broker does not know: answered by the network layer, in v0
                ApiVersionsResponseData v0 = new ApiVersionsResponseData(
                        new ByteBufferAccessor(ByteBuffer.wrap(wire, 8, wire.length - 8)), (short) 0);
                assertThat(v0).isEqualTo(FakeProcessor.unsupportedVersionData());
            }
        }
        assertThat(processed).as("requests processed and answered").isEqualTo(processor.received.size());
        Outcome outcome = !conn.channel.isOpen() ? Outcome.CLOSED : answered == 0 ? Outcome.WAITING : Outcome.ANSWERED;
        conn.finishCleanly();
        return outcome;
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
}
