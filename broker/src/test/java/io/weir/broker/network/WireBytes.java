package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The bytes a socket would carry for what the broker's pipeline wrote to an embedded channel: a {@link ByteBuf} is
 * copied, a {@link FileRegion} (a zero-copy {@link SendFileRegion}) is drained through a channel that takes only a
 * few bytes per write, as a congested socket does. Either is released afterwards and must have had no other owner.
 */
final class WireBytes {

    private WireBytes() {
    }

    /**
     * Appends the bytes of one outbound message to {@code out} and releases it.
     *
     * @param trickle the most bytes the fake socket takes per write when draining a file region
     */
    static void copy(Object msg, ByteArrayOutputStream out, int trickle) {
        if (msg instanceof ByteBuf buf) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.writeBytes(bytes);
            assertThat(buf.release()).as("the response buffer has no other owner").isTrue();
        } else if (msg instanceof FileRegion region) {
            drain(region, out, trickle);
            assertThat(region.release()).as("the file region has no other owner").isTrue();
        } else {
            throw new AssertionError("Unexpected outbound message " + msg);
        }
    }

    private static void drain(FileRegion region, ByteArrayOutputStream out, int trickle) {
        WritableByteChannel socket = new TrickleChannel(out, trickle);
        int before = out.size();
        int calls = 0;
        try {
            while (region.transferred() < region.count()) {
                long n = region.transferTo(socket, region.transferred());
                assertThat(n).as("progress writing a file region").isPositive();
                assertThat(++calls).isLessThan(1_000_000);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat((long) out.size() - before).as("the file region's bytes").isEqualTo(region.count());
    }

    /** A socket that takes at most {@code chunk} bytes per write. */
    private record TrickleChannel(ByteArrayOutputStream out, int chunk) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(chunk, src.remaining());
            for (int i = 0; i < n; i++) {
                out.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
