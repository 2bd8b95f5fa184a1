package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One client connection without a socket: an {@link EmbeddedChannel} with the broker's pipeline
 * ({@link KafkaFrameDecoder} → {@link KafkaConnectionHandler}) over a {@link FakeProcessor}, all of its
 * buffers from a {@link TrackingAllocator}. Responses are read back as the bytes a socket would carry:
 * {@link ByteBuf}s are copied, {@link SendFileRegion}s are drained through a channel that accepts only
 * a few bytes per write, as a congested socket does.
 */
final class EmbeddedConnection {
    /** Ids no real server hands out in the same JVM, so that log lines can be told apart. */
    private static final AtomicLong IDS = new AtomicLong(1_000_000);
    static final int MAX_REQUEST_SIZE = 1 << 20;

    final TrackingAllocator alloc = new TrackingAllocator();
    final FakeProcessor processor;
    final EmbeddedChannel channel = new EmbeddedChannel();
    final long connectionId;
    private final int trickle;

    EmbeddedConnection(FakeProcessor processor) {
        this(processor, MAX_REQUEST_SIZE, 7);
    }

    /**
     * @param trickle the most bytes the fake socket takes per write when draining a file region
     */
    EmbeddedConnection(FakeProcessor processor, int maxRequestSize, int trickle) {
        this(processor, maxRequestSize, trickle, IDS.incrementAndGet());
    }

    EmbeddedConnection(FakeProcessor processor, int maxRequestSize, int trickle, long connectionId) {
        this.processor = processor;
        this.connectionId = connectionId;
        this.trickle = trickle;
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast("frames", new KafkaFrameDecoder(maxRequestSize))
                .addLast("requests", new KafkaConnectionHandler(processor, connectionId));
    }

    /** What the handler's close log line says about this connection. */
    String logMarker() {
        return "connection " + connectionId + " from " + channel.remoteAddress() + ":";
    }

    static byte[] frame(RequestHeader header, AbstractRequest request) {
        ByteBuffer framed = ProtocolSamples.frame(header, request);
        byte[] bytes = new byte[framed.remaining()];
        framed.get(bytes);
        return bytes;
    }

    /** Delivers bytes as one read from the socket. */
    void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    void write(byte[] bytes, int offset, int length) {
        ByteBuf buf = alloc.buffer(length);
        buf.writeBytes(bytes, offset, length);
        channel.writeInbound(buf);
        channel.runPendingTasks();
    }

    /** Delivers bytes one read per byte; {@code afterEach} runs after each but the last. */
    void writeByteByByte(byte[] bytes, Runnable afterEach) {
        for (int i = 0; i < bytes.length; i++) {
            write(bytes, i, 1);
            if (i < bytes.length - 1) {
                afterEach.run();
            }
        }
    }

    /** The next response on the wire, size prefix included; null when none was written. Releases it. */
    byte[] readResponseBytes() {
        Object msg = channel.readOutbound();
        if (msg == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireBytes.copy(msg, out, trickle);
        return out.toByteArray();
    }

    /** The response to {@code header}, parsed the way kafka-clients parses it, asserting it fills its frame exactly. */
    static AbstractResponse parse(byte[] wire, RequestHeader header) {
        ByteBuffer buf = ByteBuffer.wrap(wire);
        int size = buf.getInt();
        assertThat(size).as("size prefix").isEqualTo(buf.remaining());
        AbstractResponse response = AbstractResponse.parseResponse(buf, header);
        assertThat(buf.remaining()).as("bytes left after the response").isZero();
        return response;
    }

    AbstractResponse readResponse(RequestHeader header) {
        byte[] wire = readResponseBytes();
        assertThat(wire).as("a response to %s", header).isNotNull();
        return parse(wire, header);
    }

    /**
     * Closes the channel as the client would and checks the end state: nothing left unread in either
     * direction and every buffer released.
     */
    void finishCleanly() {
        assertThat(channel.finish()).as("messages left in the channel").isFalse();
        assertThat(alloc.unreleased()).as("buffers never released").isEmpty();
    }
}
