package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.weir.broker.network.ProtocolSamples.KeyVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection pipeline against kafka-clients' own serializers, for every version of every API key
 * the broker advertises: a request framed by kafka-clients reaches the processor equal to what was
 * sent, and the response the pipeline writes parses back, with kafka-clients' client-side parser, to
 * what the processor answered. Fed whole and one byte at a time.
 */
class KafkaCodecTest {

    @BeforeAll
    static void paranoidLeakDetection() {
        // also set for the whole test JVM by surefire; kept here so the class is paranoid when run alone
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    static Stream<KeyVersion> everyVersion() {
        return ProtocolSamples.everyVersion().stream();
    }

    static Stream<Short> fetchVersions() {
        return IntStream.rangeClosed(ProtocolSamples.oldest(ApiKeys.FETCH), ProtocolSamples.latest(ApiKeys.FETCH))
                .mapToObj(v -> (short) v);
    }

    @Test
    void coversEveryAdvertisedVersion() {
        // 6 ApiVersions + 14 Metadata + 11 Produce + 15 Fetch + 11 ListOffsets + 6 CreateTopics + 6 DeleteTopics
        // + 4 CreatePartitions + 4 DescribeConfigs + 6 InitProducerId + 3 DescribeCluster with kafka-clients 4.4
        assertThat(ProtocolSamples.everyVersion()).hasSizeGreaterThanOrEqualTo(86);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVersion")
    void requestAndResponseRoundTripWholeAndByteByByte(KeyVersion kv) {
        EmbeddedConnection conn = new EmbeddedConnection(FakeProcessor.answeringSamples());
        AbstractRequest sent = ProtocolSamples.request(kv.key(), kv.version());

        RequestHeader whole = new RequestHeader(kv.key(), kv.version(), "codec-test", 1_000 + kv.version());
        conn.write(EmbeddedConnection.frame(whole, sent));
        assertThat(conn.processor.received).hasSize(1);
        assertReceived(conn.processor.received.get(0), whole, sent, kv);
        assertResponse(conn.readResponse(whole), kv);

        RequestHeader trickled = new RequestHeader(kv.key(), kv.version(), "codec-test-2", 2_000 + kv.version());
        conn.writeByteByByte(EmbeddedConnection.frame(trickled, sent), () -> {
            assertThat(conn.processor.received).as("dispatched before the frame was complete").hasSize(1);
            assertThat(conn.channel.<Object>readOutbound()).isNull();
        });
        assertThat(conn.processor.received).hasSize(2);
        assertReceived(conn.processor.received.get(1), trickled, sent, kv);
        assertResponse(conn.readResponse(trickled), kv);

        assertThat(conn.channel.isActive()).isTrue();
        conn.finishCleanly();
    }

    private static void assertReceived(RequestContext rc, RequestHeader header, AbstractRequest sent, KeyVersion kv) {
        assertThat(rc.header()).isEqualTo(header);
        assertThat(rc.header().apiKey()).isEqualTo(kv.key());
        assertThat(rc.header().apiVersion()).isEqualTo(kv.version());
        assertThat(rc.header().correlationId()).isEqualTo(header.correlationId());
        assertThat(rc.header().clientId()).isEqualTo(header.clientId());
        assertThat(rc.request().apiKey()).isEqualTo(kv.key());
        assertThat(rc.request().version()).isEqualTo(kv.version());
        assertThat(rc.request().data()).isEqualTo(sent.data()).isEqualTo(ProtocolSamples.requestData(kv.key(), kv.version()));
        assertThat(rc.sizeInBytes()).isEqualTo(sent.serializeWithHeader(header).remaining() - header.size());
        assertThat(rc.clientAddress()).isNotNull();
        // what the processor got serializes to the very bytes the client sent
        assertThat(MessageUtil.toByteBufferAccessor(rc.request().data(), kv.version()).buffer())
                .isEqualTo(MessageUtil.toByteBufferAccessor(sent.data(), kv.version()).buffer());
    }

    private static void assertResponse(AbstractResponse response, KeyVersion kv) {
        assertThat(response.apiKey()).isEqualTo(kv.key());
        assertThat(response.data()).isEqualTo(ProtocolSamples.responseData(kv.key(), kv.version()));
    }

    /** Fetch responses go out as a FileRegion; stored batches are sent from their file with transferTo. */
    @ParameterizedTest(name = "Fetch v{0}")
    @MethodSource("fetchVersions")
    void fetchSendsRecordsFromTheSegmentFile(short version, @TempDir Path dir) throws IOException {
        MemoryRecords first = ProtocolSamples.records("one", "two");
        MemoryRecords second = ProtocolSamples.records("three", "four", "five");
        try (FileRecords segment = FileRecords.open(dir.resolve("00000000000000000000.log").toFile())) {
            segment.append(first);
            segment.append(second);
            segment.flush();
            FetchResponseData fromFile = ProtocolSamples.fetchResponse(version, MemoryRecords.EMPTY);
            fromFile.responses().get(0).partitions().get(0)
                    .setRecords(segment.slice(first.sizeInBytes(), second.sizeInBytes()));
            // a 1-byte socket: every header, buffer and file boundary is crossed mid-write
            EmbeddedConnection conn = new EmbeddedConnection(new FakeProcessor().answer(
                    rc -> CompletableFuture.completedFuture(FetchResponse.of(fromFile))), EmbeddedConnection.MAX_REQUEST_SIZE, 1);
            RequestHeader header = new RequestHeader(ApiKeys.FETCH, version, "consumer", 7);
            conn.write(EmbeddedConnection.frame(header, ProtocolSamples.request(ApiKeys.FETCH, version)));

            Object written = conn.channel.outboundMessages().peek();
            assertThat(written).isInstanceOf(SendFileRegion.class);
            AbstractResponse parsed = conn.readResponse(header);
            assertThat(parsed.data()).isEqualTo(ProtocolSamples.fetchResponse(version, second));
            conn.finishCleanly();
        }
    }

    /**
     * Requests of one connection are handled one at a time, in order: the processor sees request n+1
     * only once request n is answered, so a pipelining producer's batches are appended in the order
     * sent and responses leave in request order. (With at most one request in flight there is no
     * out-of-order completion to reorder.)
     */
    @Test
    void pipelinedRequestsAreProcessedOneAtATimeAndAnsweredInOrder() {
        FakeProcessor processor = FakeProcessor.answeringLater();
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        List<KeyVersion> kinds = List.of(new KeyVersion(ApiKeys.METADATA, (short) 12), new KeyVersion(ApiKeys.PRODUCE, (short) 9),
                new KeyVersion(ApiKeys.LIST_OFFSETS, (short) 7), new KeyVersion(ApiKeys.FETCH, (short) 12),
                new KeyVersion(ApiKeys.API_VERSIONS, (short) 3), new KeyVersion(ApiKeys.PRODUCE, (short) 3));
        List<RequestHeader> headers = new ArrayList<>();
        java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < kinds.size(); i++) {
            KeyVersion kv = kinds.get(i);
            RequestHeader h = new RequestHeader(kv.key(), kv.version(), "pipeliner", 100 + i);
            headers.add(h);
            pipelined.writeBytes(EmbeddedConnection.frame(h, ProtocolSamples.request(kv.key(), kv.version())));
        }
        conn.write(pipelined.toByteArray());

        for (int i = 0; i < kinds.size(); i++) {
            assertThat(processor.received).as("requests handed to the processor").hasSize(i + 1);
            assertThat(processor.received.get(i).header()).isEqualTo(headers.get(i));
            assertThat(conn.channel.<Object>readOutbound()).as("a response before its request completed").isNull();
            KeyVersion kv = kinds.get(i);
            processor.pending.get(i).complete(ProtocolSamples.response(kv.key(), kv.version()));
            conn.channel.runPendingTasks();
            AbstractResponse response = conn.readResponse(headers.get(i));
            assertThat(response.data()).isEqualTo(ProtocolSamples.responseData(kv.key(), kv.version()));
        }
        assertThat(processor.received).hasSize(kinds.size());
        conn.finishCleanly();
    }

    /** Requests completed on another thread (the broker's request handler pool) are still answered in order. */
    @Test
    void responsesCompletedOnOtherThreadsKeepRequestOrder() throws Exception {
        FakeProcessor processor = FakeProcessor.answeringLater();
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
        List<RequestHeader> headers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RequestHeader h = new RequestHeader(ApiKeys.METADATA, (short) 12, "threads", i);
            headers.add(h);
            pipelined.writeBytes(EmbeddedConnection.frame(h, ProtocolSamples.request(ApiKeys.METADATA, (short) 12)));
        }
        conn.write(pipelined.toByteArray());
        for (int i = 0; i < 8; i++) {
            CompletableFuture<AbstractResponse> f = processor.pending.get(i);
            Thread t = new Thread(() -> f.complete(ProtocolSamples.response(ApiKeys.METADATA, (short) 12)), "request-handler-" + i);
            t.start();
            t.join();
            conn.channel.runPendingTasks();
            assertThat(conn.readResponse(headers.get(i)).data())
                    .isEqualTo(ProtocolSamples.responseData(ApiKeys.METADATA, (short) 12));
        }
        conn.finishCleanly();
    }

    @Test
    void produceWithAcksZeroGetsNoResponseAndTheNextRequestIsServed() {
        FakeProcessor processor = FakeProcessor.answeringSamples();
        processor.answer(rc -> rc.header().apiKey() == ApiKeys.PRODUCE
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.completedFuture(ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion())));
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        ProduceRequestData data = (ProduceRequestData) ProtocolSamples.requestData(ApiKeys.PRODUCE, (short) 9);
        data.setAcks((short) 0);
        AbstractRequest produce = AbstractRequest.parseRequest(ApiKeys.PRODUCE, (short) 9,
                MessageUtil.toByteBufferAccessor(data, (short) 9)).request;
        RequestHeader produceHeader = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "fire-and-forget", 1);
        RequestHeader metadataHeader = new RequestHeader(ApiKeys.METADATA, (short) 12, "fire-and-forget", 2);
        java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
        both.writeBytes(EmbeddedConnection.frame(produceHeader, produce));
        both.writeBytes(EmbeddedConnection.frame(metadataHeader, ProtocolSamples.request(ApiKeys.METADATA, (short) 12)));
        conn.write(both.toByteArray());

        assertThat(processor.received).hasSize(2);
        assertThat(conn.readResponse(metadataHeader).apiKey()).isEqualTo(ApiKeys.METADATA);
        assertThat(conn.channel.<Object>readOutbound()).isNull();
        conn.finishCleanly();
    }

    @Test
    void aFailedRequestGetsItsErrorResponseAndTheConnectionStaysUp() {
        FakeProcessor processor = FakeProcessor.answeringSamples();
        EmbeddedConnection conn = new EmbeddedConnection(processor.answer(rc -> switch (rc.header().correlationId()) {
            case 1 -> throw new IllegalStateException("bug in a handler");
            case 2 -> CompletableFuture.failedFuture(new NotLeaderOrFollowerException("moved"));
            default -> CompletableFuture.completedFuture(ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion()));
        }));
        AbstractRequest listOffsets = ProtocolSamples.request(ApiKeys.LIST_OFFSETS, (short) 7);
        for (int correlation = 1; correlation <= 3; correlation++) {
            RequestHeader h = new RequestHeader(ApiKeys.LIST_OFFSETS, (short) 7, "c", correlation);
            conn.write(EmbeddedConnection.frame(h, listOffsets));
            ListOffsetsResponse r = (ListOffsetsResponse) conn.readResponse(h);
            Errors expected = switch (correlation) {
                case 1 -> Errors.UNKNOWN_SERVER_ERROR;
                case 2 -> Errors.NOT_LEADER_OR_FOLLOWER;
                default -> Errors.NONE;
            };
            assertThat(r.data().topics().get(0).partitions().get(0).errorCode()).isEqualTo(expected.code());
        }
        assertThat(conn.channel.isActive()).isTrue();
        conn.finishCleanly();
    }

    /** A client that pipelines faster than requests complete is pushed back through TCP, then read again. */
    @Test
    void aLongQueueStopsReadingUntilItDrains() {
        FakeProcessor processor = FakeProcessor.answeringLater();
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
        List<RequestHeader> headers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RequestHeader h = new RequestHeader(ApiKeys.API_VERSIONS, (short) 4, "eager", i);
            headers.add(h);
            pipelined.writeBytes(EmbeddedConnection.frame(h, ProtocolSamples.request(ApiKeys.API_VERSIONS, (short) 4)));
        }
        conn.write(pipelined.toByteArray());
        assertThat(conn.channel.config().isAutoRead()).isFalse();
        for (int i = 0; i < 20; i++) {
            processor.pending.get(i).complete(ProtocolSamples.response(ApiKeys.API_VERSIONS, (short) 4));
            conn.channel.runPendingTasks();
            assertThat(conn.readResponse(headers.get(i)).apiKey()).isEqualTo(ApiKeys.API_VERSIONS);
        }
        assertThat(conn.channel.config().isAutoRead()).isTrue();
        conn.finishCleanly();
    }

    /**
     * A client over its quota (KIP-219): the answer carries the throttle time; a client that waits by
     * itself (Produce v6+) gets it at once, an older one when the throttle ends; either way nothing more
     * is read or handled from the connection until then.
     */
    @ParameterizedTest(name = "Produce v{0}")
    @org.junit.jupiter.params.provider.ValueSource(shorts = {9, 3})
    void aThrottledAnswerMutesTheConnectionUntilTheThrottleEnds(short version) {
        FakeProcessor processor = FakeProcessor.answeringLater();
        processor.mute = AbstractResponse::throttleTimeMs;
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.channel.freezeTime();
        RequestHeader first = new RequestHeader(ApiKeys.PRODUCE, version, "throttled", 1);
        RequestHeader second = new RequestHeader(ApiKeys.PRODUCE, version, "throttled", 2);
        java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
        pipelined.writeBytes(EmbeddedConnection.frame(first, ProtocolSamples.request(ApiKeys.PRODUCE, version)));
        pipelined.writeBytes(EmbeddedConnection.frame(second, ProtocolSamples.request(ApiKeys.PRODUCE, version)));
        conn.write(pipelined.toByteArray());
        assertThat(processor.received).hasSize(1);

        AbstractResponse throttled = ProtocolSamples.response(ApiKeys.PRODUCE, version);
        throttled.maybeSetThrottleTimeMs(1000);
        AbstractResponse unthrottled = ProtocolSamples.response(ApiKeys.PRODUCE, version);
        unthrottled.maybeSetThrottleTimeMs(0);
        processor.pending.get(0).complete(throttled);
        conn.channel.runPendingTasks();
        boolean clientWaits = version >= 6;
        if (clientWaits) {
            assertThat(conn.readResponse(first).throttleTimeMs()).isEqualTo(1000);
        } else {
            assertThat(conn.channel.<Object>readOutbound()).as("an answer before the throttle ended").isNull();
        }
        assertThat(conn.channel.config().isAutoRead()).as("reading while throttled").isFalse();
        conn.channel.advanceTimeBy(999, java.util.concurrent.TimeUnit.MILLISECONDS);
        conn.channel.runScheduledPendingTasks();
        assertThat(processor.received).as("requests handled while throttled").hasSize(1);
        assertThat(conn.channel.<Object>readOutbound()).isNull();

        conn.channel.advanceTimeBy(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        conn.channel.runScheduledPendingTasks();
        if (!clientWaits) {
            assertThat(conn.readResponse(first).throttleTimeMs()).isEqualTo(1000);
        }
        assertThat(processor.received).hasSize(2);
        assertThat(conn.channel.config().isAutoRead()).isTrue();
        processor.pending.get(1).complete(unthrottled);
        conn.channel.runPendingTasks();
        assertThat(conn.readResponse(second).throttleTimeMs()).isZero();
        conn.finishCleanly();
    }

    /** An acks=0 produce over its quota has no answer: its connection is muted all the same. */
    @Test
    void aThrottledRequestWithoutAnAnswerMutesTheConnection() {
        FakeProcessor processor = FakeProcessor.answeringLater();
        processor.mute = r -> r == null ? 500 : 0;
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.channel.freezeTime();
        org.apache.kafka.common.message.ProduceRequestData acksZero =
                ((org.apache.kafka.common.requests.ProduceRequest) ProtocolSamples.request(ApiKeys.PRODUCE, (short) 9)).data()
                        .duplicate().setAcks((short) 0);
        RequestHeader first = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "fire-and-forget", 1);
        RequestHeader second = new RequestHeader(ApiKeys.METADATA, (short) 12, "fire-and-forget", 2);
        java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
        pipelined.writeBytes(EmbeddedConnection.frame(first,
                new org.apache.kafka.common.requests.ProduceRequest(acksZero, (short) 9)));
        pipelined.writeBytes(EmbeddedConnection.frame(second, ProtocolSamples.request(ApiKeys.METADATA, (short) 12)));
        conn.write(pipelined.toByteArray());
        processor.pending.get(0).complete(null);
        conn.channel.runPendingTasks();
        assertThat(conn.channel.<Object>readOutbound()).isNull();
        assertThat(processor.received).as("requests handled while throttled").hasSize(1);
        conn.channel.advanceTimeBy(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        conn.channel.runScheduledPendingTasks();
        assertThat(processor.received).hasSize(2);
        processor.pending.get(1).complete(ProtocolSamples.response(ApiKeys.METADATA, (short) 12));
        conn.channel.runPendingTasks();
        assertThat(conn.readResponse(second).apiKey()).isEqualTo(ApiKeys.METADATA);
        conn.finishCleanly();
    }
}
