package io.weir.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that runs full on command, for the segment files of a log: {@link #opener()} hands the
 * engine channels whose writes, fsyncs or creation fail once armed, the way a full file system
 * fails them. Thread-safe: the switches are shared by every channel it opened.
 */
final class DiskFaults {
    static final String ENOSPC = "No space left on device";

    /** How an armed write fails. */
    enum WriteFault {
        /** Writes work. */
        NONE,
        /** One write call stores the first half of its bytes, then throws. */
        PARTIAL_THEN_ENOSPC,
        /** One write call stores the first half and returns that count (a short write); the next call throws. */
        SHORT_WRITE_THEN_ENOSPC
    }

    private volatile WriteFault writeFault = WriteFault.NONE;
    private volatile boolean failForce;
    private volatile boolean failOpen;
    /** Runs after each successful fsync, on the fsyncing thread: lets a test pause a flush right after its fsync. */
    private volatile Runnable afterForce = () -> { };
    private final AtomicBoolean shortWriteDone = new AtomicBoolean();
    private final AtomicInteger failedWrites = new AtomicInteger();
    private final AtomicInteger failedForces = new AtomicInteger();
    private final AtomicInteger forces = new AtomicInteger();
    private final AtomicInteger failedOpens = new AtomicInteger();
    private final AtomicLong fileSizeAtLastWriteFailure = new AtomicLong(-1);

    FileChannelOpener opener() {
        return file -> {
            if (failOpen) {
                failedOpens.incrementAndGet();
                throw new IOException(ENOSPC + ": " + file);
            }
            return new FaultyFileChannel(FileChannelOpener.DEFAULT.open(file));
        };
    }

    void failWrites(WriteFault fault) {
        shortWriteDone.set(false);
        writeFault = fault;
    }

    void failForce(boolean fail) {
        failForce = fail;
    }

    void afterForce(Runnable hook) {
        afterForce = hook;
    }

    void failOpen(boolean fail) {
        failOpen = fail;
    }

    void heal() {
        failWrites(WriteFault.NONE);
        failForce(false);
        failOpen(false);
    }

    int failedWrites() {
        return failedWrites.get();
    }

    int failedForces() {
        return failedForces.get();
    }

    /** fsyncs of segment files that succeeded. */
    int forces() {
        return forces.get();
    }

    int failedOpens() {
        return failedOpens.get();
    }

    /** The length of the file right before the last failing write threw: shows the partial bytes really landed. */
    long fileSizeAtLastWriteFailure() {
        return fileSizeAtLastWriteFailure.get();
    }

    /** Delegates everything; writes and fsyncs consult the switches first. */
    private final class FaultyFileChannel extends FileChannel {
        private final FileChannel delegate;

        FaultyFileChannel(FileChannel delegate) {
            this.delegate = delegate;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            WriteFault fault = writeFault;
            if (fault == WriteFault.NONE) {
                return delegate.write(src, position);
            }
            if (fault == WriteFault.SHORT_WRITE_THEN_ENOSPC && shortWriteDone.compareAndSet(false, true)) {
                return writeHalf(src, position);
            }
            if (fault == WriteFault.PARTIAL_THEN_ENOSPC) {
                writeHalf(src, position);
            }
            fileSizeAtLastWriteFailure.set(delegate.size());
            failedWrites.incrementAndGet();
            throw new IOException(ENOSPC);
        }

        private int writeHalf(ByteBuffer src, long position) throws IOException {
            int half = src.remaining() / 2;
            ByteBuffer part = src.slice(src.position(), half);
            int n = 0;
            while (part.hasRemaining()) {
                n += delegate.write(part, position + n);
            }
            src.position(src.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = write(src, delegate.position());
            delegate.position(delegate.position() + n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (writeFault != WriteFault.NONE) {
                failedWrites.incrementAndGet();
                throw new IOException(ENOSPC);
            }
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failForce) {
                failedForces.incrementAndGet();
                throw new IOException(ENOSPC);
            }
            delegate.force(metaData);
            forces.incrementAndGet();
            afterForce.run();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
