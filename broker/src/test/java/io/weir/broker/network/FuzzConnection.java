package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * One fuzzed client connection without a socket, with the pipeline {@link SocketServer} builds for a
 * listener: on a TLS listener an {@link SslHandler} first, fed by a second {@link EmbeddedChannel} with
 * the client's {@link SslHandler} (bytes shuttled between the two, the ciphertext split at random
 * points); then the frame decoder (bounded by the SASL state) and the connection handler. The broker
 * side's buffers come from a {@link TrackingAllocator}. Everything the broker writes is collected as
 * the plaintext bytes a client would read.
 */
final class FuzzConnection {
    final TrackingAllocator alloc = new TrackingAllocator();
    final EmbeddedChannel server = new EmbeddedChannel();
    private final EmbeddedChannel client;
    private final Random random;
    private final int trickle;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    FuzzConnection(RequestProcessor processor, ListenerContext listener, SslContext serverTls, SslContext clientTls,
                   int maxRequestSize, long connectionId, Random random) {
        this.random = random;
        this.trickle = 1 + random.nextInt(64);
        server.config().setAllocator(alloc);
        KafkaConnectionHandler handler = new KafkaConnectionHandler(processor, connectionId, listener);
        if (serverTls != null) {
            server.pipeline().addLast("tls", serverTls.newHandler(alloc));
        }
        server.pipeline().addLast("frames", new KafkaFrameDecoder(maxRequestSize, () -> handler.maxFrameSize(maxRequestSize)))
                .addLast("requests", handler);
        if (clientTls != null) {
            client = new EmbeddedChannel();
            client.pipeline().addLast(clientTls.newHandler(client.alloc(), "localhost", 9093));
            shuttle();
            assertThat(client.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).as("TLS handshake").isTrue();
            assertThat(server.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).as("TLS handshake").isTrue();
        } else {
            client = null;
        }
    }

    boolean isOpen() {
        return server.isOpen();
    }

    /** Sends bytes as the client does: one write (on TLS, one or more records). */
    void write(byte[] bytes, int offset, int length) {
        if (client == null) {
            ByteBuf buf = alloc.buffer(length);
            buf.writeBytes(bytes, offset, length);
            server.writeInbound(buf);
            server.runPendingTasks();
            collectPlain();
        } else {
            client.writeOneOutbound(Unpooled.wrappedBuffer(bytes, offset, length));
            client.flushOutbound();
            shuttle();
        }
    }

    /** Moves bytes both ways until neither side has anything more to say. */
    private void shuttle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (ByteBuf out = client.readOutbound(); out != null; out = client.readOutbound()) {
                moved = true;
                // the ciphertext arrives in reads of random size, as from a socket
                while (out.isReadable() && server.isOpen()) {
                    int n = Math.min(out.readableBytes(), 1 + random.nextInt(random.nextBoolean() ? 32 : 4_096));
                    ByteBuf part = alloc.buffer(n);
                    part.writeBytes(out, n);
                    server.writeInbound(part);
                    server.runPendingTasks();
                }
                out.release();
            }
            for (Object out = server.readOutbound(); out != null; out = server.readOutbound()) {
                moved = true;
                assertThat(out).as("no zero-copy on a TLS listener").isInstanceOf(ByteBuf.class);
                if (client.isOpen()) {
                    client.writeInbound(out);
                } else {
                    ((ByteBuf) out).release();
                }
            }
            for (ByteBuf in = client.readInbound(); in != null; in = client.readInbound()) {
                byte[] bytes = new byte[in.readableBytes()];
                in.readBytes(bytes);
                received.writeBytes(bytes);
                in.release();
            }
            if (!server.isOpen() && client.isOpen()) {
                client.close();
                moved = true;
            }
        }
    }

    private void collectPlain() {
        for (Object msg = server.readOutbound(); msg != null; msg = server.readOutbound()) {
            WireBytes.copy(msg, received, trickle);
        }
    }

    /** Everything received since the last call, as size-prefixed frames; fails on a torn frame. */
    java.util.List<byte[]> takeFrames() {
        byte[] all = received.toByteArray();
        received.reset();
        java.util.List<byte[]> frames = new java.util.ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(all);
        while (buf.hasRemaining()) {
            assertThat(buf.remaining()).as("a response's size prefix").isGreaterThanOrEqualTo(4);
            int size = buf.getInt(buf.position());
            assertThat(size).as("a response's size").isBetween(0, buf.remaining() - 4);
            byte[] frame = new byte[4 + size];
            buf.get(frame);
            frames.add(frame);
        }
        return frames;
    }

    /**
     * Closes as the client would and checks the end state: nothing left in either direction and every
     * broker buffer released (the TLS engine's included).
     */
    void finishCleanly() {
        if (client != null) {
            server.close();
            shuttle();
            assertThat(client.finishAndReleaseAll()).as("client messages unread").isFalse();
        }
        assertThat(received.size()).as("response bytes unread").isZero();
        assertThat(server.finish()).as("messages left in the channel").isFalse();
        assertThat(alloc.unreleased()).as("buffers never released").isEmpty();
    }
}
