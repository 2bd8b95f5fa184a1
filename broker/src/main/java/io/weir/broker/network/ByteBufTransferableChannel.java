package io.weir.broker.network;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Collects what a kafka-clients {@code Send} writes into a Netty {@link ByteBuf}: how responses
 * without file-backed records are serialized. File ranges are copied (read) into the buffer.
 * Not thread-safe; used on one event loop.
 */
final class ByteBufTransferableChannel implements TransferableChannel {
    private final ByteBuf buf;

    ByteBufTransferableChannel(ByteBuf buf) {
        this.buf = buf;
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
        int n = (int) count;
        int written = buf.writeBytes(fileChannel, position, n);
        return Math.max(0, written);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        buf.writeBytes(src);
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
