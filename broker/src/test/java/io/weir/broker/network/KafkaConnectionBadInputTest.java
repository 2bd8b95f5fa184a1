package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * Frames the protocol has no error response for close the connection, before the processor sees
 * anything, with one log line naming the connection and the client's address; nothing is leaked.
 * ApiVersions of an unknown version is the exception: it is answered in version 0 with
 * UNSUPPORTED_VERSION and the versions the broker has, as Kafka brokers do.
 */
class KafkaConnectionBadInputTest {
    private static final LogCapture LOGS = LogCapture.install();
    private static final int SMALL_LIMIT = 1024;

    private final FakeProcessor processor = FakeProcessor.answeringSamples();

    /** A request header as written by hand: v1 (or v2 with an empty tagged-field section when flexible). */
    static byte[] rawHeader(int apiKey, int version, int correlationId, String clientId, boolean flexible) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putShort((short) apiKey).putShort((short) version).putInt(correlationId);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) id.length).put(id);
        if (flexible) {
            b.put((byte) 0);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    static byte[] sizePrefixed(int size, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(size).array());
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] framed(byte[]... parts) {
        int size = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        return sizePrefixed(size, parts);
    }

    private byte[] validMetadataFrame() {
        RequestHeader h = new RequestHeader(ApiKeys.METADATA, (short) 12, "good", 77);
        return EmbeddedConnection.frame(h, ProtocolSamples.request(ApiKeys.METADATA, (short) 12));
    }

    private void assertClosedWithOneLogLine(EmbeddedConnection conn, String reason) {
        assertThat(conn.channel.isOpen()).as("connection open").isFalse();
        assertThat(processor.received).as("requests handed to the processor").isEmpty();
        assertThat(conn.channel.<Object>readOutbound()).as("a response").isNull();
        assertThat(LOGS.linesContaining(conn.logMarker())).singleElement().satisfies(line -> {
            assertThat(line).contains("WARN").contains(reason);
        });
        conn.finishCleanly();
    }

    @Test
    void aFrameOverTheLimitClosesTheConnectionWithoutBufferingIt() {
        EmbeddedConnection conn = new EmbeddedConnection(processor, SMALL_LIMIT, 7);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(sizePrefixed(SMALL_LIMIT + 1, new byte[100]));
        bytes.writeBytes(validMetadataFrame()); // never looked at
        conn.write(bytes.toByteArray());
        assertClosedWithOneLogLine(conn, "request frame rejected");
    }

    @Test
    void aFrameOfExactlyTheLimitIsAccepted() {
        EmbeddedConnection conn = new EmbeddedConnection(processor, SMALL_LIMIT, 7);
        byte[] header = rawHeader(ApiKeys.API_VERSIONS.id, 0, 5, "x", false);
        // ApiVersions v0 has an empty body; trailing bytes fill the frame up to the limit
        conn.write(framed(header, new byte[SMALL_LIMIT - header.length]));
        assertThat(processor.received).hasSize(1);
        assertThat(conn.readResponseBytes()).isNotNull();
        conn.finishCleanly();
    }

    @Test
    void aNegativeSizeClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(sizePrefixed(-1, validMetadataFrame()));
        assertClosedWithOneLogLine(conn, "request frame rejected");
    }

    @Test
    void anEmptyFrameClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(sizePrefixed(0));
        assertClosedWithOneLogLine(conn, "cannot parse the request header");
    }

    @Test
    void aFrameTooShortForAHeaderClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(framed(new byte[] {0, 3, 0}));
        assertClosedWithOneLogLine(conn, "cannot parse the request header");
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(framed(rawHeader(999, 0, 1, "x", false), new byte[8]));
        assertClosedWithOneLogLine(conn, "cannot parse the request header");
    }

    @Test
    void aKafkaApiTheBrokerDoesNotImplementClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(framed(rawHeader(ApiKeys.JOIN_GROUP.id, 9, 1, "x", true), new byte[8]));
        assertClosedWithOneLogLine(conn, "JOIN_GROUP version 9 is not supported");
    }

    @Test
    void anUnsupportedMetadataVersionClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        conn.write(framed(rawHeader(ApiKeys.METADATA.id, 99, 1, "x", true), new byte[] {1, 0, 0}));
        assertClosedWithOneLogLine(conn, "METADATA version 99 is not supported");
    }

    @Test
    void aProduceVersionOlderThanSupportedClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        short tooOld = (short) (ProtocolSamples.oldest(ApiKeys.PRODUCE) - 1);
        conn.write(framed(rawHeader(ApiKeys.PRODUCE.id, tooOld, 1, "x", false), new byte[16]));
        assertClosedWithOneLogLine(conn, "PRODUCE version " + tooOld + " is not supported");
    }

    @Test
    void aTruncatedBodyClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        RequestHeader h = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "cut", 3);
        ByteBuffer whole = ProtocolSamples.request(ApiKeys.PRODUCE, (short) 9).serializeWithHeader(h);
        byte[] cut = new byte[h.size() + (whole.remaining() - h.size()) / 2];
        whole.get(cut);
        conn.write(framed(cut)); // a well-formed frame whose body ends early
        assertClosedWithOneLogLine(conn, "cannot parse the body of PRODUCE v9");
    }

    @Test
    void aGarbledBodyClosesTheConnection() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        byte[] garbage = new byte[40];
        Arrays.fill(garbage, (byte) 0xff); // lengths of -1 / 2^32-1 everywhere
        conn.write(framed(rawHeader(ApiKeys.LIST_OFFSETS.id, 7, 4, "x", true), garbage));
        assertClosedWithOneLogLine(conn, "cannot parse the body of LIST_OFFSETS v7");
    }

    @Test
    void aTruncatedFrameThenCloseReleasesWhatWasBuffered() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        byte[] frame = validMetadataFrame();
        conn.write(frame, 0, frame.length - 5);
        conn.channel.close();
        assertThat(processor.received).isEmpty();
        assertThat(LOGS.linesContaining(conn.logMarker())).as("a client hanging up is not an error").isEmpty();
        conn.finishCleanly();
    }

    @Test
    void requestsBeforeABadFrameAreAnsweredThenTheConnectionCloses() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(validMetadataFrame());
        bytes.writeBytes(framed(rawHeader(999, 0, 2, "x", false)));
        conn.write(bytes.toByteArray());
        assertThat(processor.received).hasSize(1);
        assertThat(conn.readResponseBytes()).isNotNull();
        assertThat(conn.channel.isOpen()).isFalse();
        assertThat(LOGS.linesContaining(conn.logMarker())).hasSize(1);
        conn.finishCleanly();
    }

    @Test
    void apiVersionsOfAnUnknownVersionGetsAVersionZeroUnsupportedVersionAnswer() {
        EmbeddedConnection conn = new EmbeddedConnection(processor);
        RequestHeader future = new RequestHeader(ApiKeys.API_VERSIONS, (short) 99, "from-the-future", 11);
        // the body of a version this broker cannot know: it is never parsed
        conn.write(framed(rawHeader(ApiKeys.API_VERSIONS.id, 99, 11, "from-the-future", true), new byte[] {3, 'n', 'e', 'w'}));

        byte[] wire = conn.readResponseBytes();
        // size, correlation id (response header v0), then the v0 body: error code and [key, min, max]
        assertThat(wire).hasSize(4 + 4 + 2 + 4 + 6 * ProtocolSamples.IMPLEMENTED.size());
        ByteBuffer body = ByteBuffer.wrap(wire, 8, wire.length - 8);
        ApiVersionsResponseData v0 = new ApiVersionsResponseData(new ByteBufferAccessor(body), (short) 0);
        assertThat(v0).isEqualTo(FakeProcessor.unsupportedVersionData());
        // and a kafka-clients client parses it: it tries v99, then falls back to v0 on a copy (so the
        // bytes it read are not all consumed from the original buffer, and that is not checked here)
        ApiVersionsResponse parsed = (ApiVersionsResponse) AbstractResponse.parseResponse(
                ByteBuffer.wrap(wire, 4, wire.length - 4), future);
        assertThat(Errors.forCode(parsed.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
        assertThat(processor.received).as("answered by the network layer").isEmpty();

        // the client retries with a version from the list, on the same connection
        RequestHeader retry = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "from-the-future", 12);
        conn.write(EmbeddedConnection.frame(retry, ProtocolSamples.request(ApiKeys.API_VERSIONS, (short) 3)));
        assertThat(conn.readResponse(retry).data()).isEqualTo(ProtocolSamples.responseData(ApiKeys.API_VERSIONS, (short) 3));
        assertThat(conn.channel.isActive()).isTrue();
        assertThat(LOGS.linesContaining(conn.logMarker())).isEmpty();
        conn.finishCleanly();
    }
}
