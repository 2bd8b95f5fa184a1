package io.weir.broker.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A response whose records live in segment files, written to the socket by kafka-clients' own
 * {@link Send}: header and metadata buffers with gathering writes, record ranges with
 * {@link FileChannel#transferTo} straight from the page cache to the socket (sendfile, no copy
 * through the JVM). Netty's NIO transport calls {@link #transferTo} until {@link #count()} bytes are
 * written. The segment channels are not owned (never closed) here.
 *
 * <p>Not thread-safe: written on its connection's event loop.
 */
final class SendFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final Send send;
    private final long size;
    private long transferred;

    SendFileRegion(Send send) {
        this.send = send;
        this.size = send.size();
    }

    @Override
    public long position() {
        return 0;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return size;
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        if (position != transferred) {
            throw new IllegalArgumentException("Response bytes must be sent in order: asked for position " + position
                    + " after " + transferred);
        }
        long n = send.writeTo(new SocketTransferableChannel(target));
        transferred += n;
        return n;
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        // the segment channels belong to the log
    }

    /** The socket as kafka-clients sees it: gathering writes and sendfile. */
    private record SocketTransferableChannel(WritableByteChannel target) implements TransferableChannel {
        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
            return fileChannel.transferTo(position, count, target);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (target instanceof GatheringByteChannel g) {
                return g.write(srcs, offset, length);
            }
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = target.write(srcs[i]);
                total += n;
                if (srcs[i].hasRemaining()) {
                    break;
                }
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return target.write(src);
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        @Override
        public void close() {
        }
    }
}
