package io.weir.bench.storage;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.FileSlice;
import io.weir.broker.log.LogSegment;
import io.weir.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential read throughput: one operation reads the whole log from its first offset to its end,
 * as a consumer catching up would, with {@code PartitionLog.read(offset, 1 MiB, true)} and
 * {@code FileSlice.readAll()}, continuing after the last whole batch of each slice. The raw
 * ceiling replays the very same reads (file, position, length, recorded from the engine during
 * setup) with plain positional {@code FileChannel} reads into one reused heap buffer (readAll
 * reads into a heap buffer too). Replaying rather than reading in round 1 MiB steps matters: on
 * the machine this was written on, reads of exactly 1 MiB at 1 MiB-aligned positions ran three
 * times slower than the same bytes read at other alignments, which would make a bad ceiling.
 *
 * <p>The log ({@code logBytes}, 1 KiB records in ~16 KiB batches, 256 MiB segments) is written
 * and fsynced once per trial, so both sides read clean pages from the page cache: this measures
 * the engine's per-read overhead, not the disk. bytes/s = score × {@link #logSize(long)}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class SequentialReadBench {
    static final int RECORD_SIZE = 1024;
    static final int SEGMENT_BYTES = 256 * 1024 * 1024;
    static final int READ_BYTES = 1024 * 1024;

    @Param({"536870912"})
    public long logBytes;

    private BenchLog bench;
    private final List<FileChannel> segmentFiles = new ArrayList<>();
    /** The engine's reads, replayed by {@link #raw}: file index, position and length of each. */
    private final List<long[]> reads = new ArrayList<>();
    private ByteBuffer reusedBuffer;

    /** Bytes in the log the benchmark builds for {@code logBytes}: whole batches, at least that many. */
    public static long logSize(long logBytes) {
        long batch = ProducerBatch.of(RECORD_SIZE, false).sizeInBytes();
        return (logBytes + batch - 1) / batch * batch;
    }

    @Setup(Level.Trial)
    public void writeLog() throws IOException {
        bench = BenchLog.create("read", SEGMENT_BYTES, false);
        PartitionLog log = bench.log();
        bench.fill(ProducerBatch.of(RECORD_SIZE, false), logBytes);
        log.flush(log.logEndOffset()); // clean pages: no writeback during the measurement
        List<LogSegment> segments = log.segments();
        for (LogSegment segment : segments) {
            segmentFiles.add(FileChannel.open(segment.file(), StandardOpenOption.READ));
        }
        recordReads(log, segments);
    }

    private void recordReads(PartitionLog log, List<LogSegment> segments) {
        long offset = log.logStartOffset();
        int largest = 0;
        while (offset < log.logEndOffset()) {
            FetchDataInfo info = log.read(offset, READ_BYTES, true);
            FileSlice slice = info.records();
            int file = -1;
            for (int i = 0; i < segments.size(); i++) {
                if (segments.get(i).baseOffset() == info.fetchOffsetMetadata().segmentBaseOffset()) {
                    file = i;
                }
            }
            reads.add(new long[] {file, slice.position(), slice.size()});
            largest = Math.max(largest, slice.size());
            offset = nextOffsetAfterWholeBatches(slice.readAll());
        }
        reusedBuffer = ByteBuffer.allocate(largest);
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException {
        for (FileChannel ch : segmentFiles) {
            ch.close();
        }
        bench.close();
    }

    /** Time spent in each way of reading in {@link #paired}, summed over an iteration (JMH secondary results). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class ReadTimes {
        public long weirNanos;
        public long reusedNanos;
        public long rawNanos;
        /** Whole-log passes of each kind. */
        public long passes;

        @Setup(Level.Iteration)
        public void reset() {
            weirNanos = 0;
            reusedNanos = 0;
            rawNanos = 0;
            passes = 0;
        }
    }

    /**
     * One pass of each of {@link #weir}, {@link #weirReusedBuffer} and {@link #raw} per call, the
     * order rotating, each timed. Separate forks of a memory-bound copy differed by 15-20% here (where
     * the heap and buffers land), so the report compares the three within this one run.
     */
    @Benchmark
    public long paired(ReadTimes t) throws IOException {
        long bytes = 0;
        int first = (int) (t.passes % 3);
        for (int k = 0; k < 3; k++) {
            int which = (first + k) % 3;
            long start = System.nanoTime();
            if (which == 0) {
                bytes += weir();
                t.weirNanos += System.nanoTime() - start;
            } else if (which == 1) {
                bytes += weirReusedBuffer();
                t.reusedNanos += System.nanoTime() - start;
            } else {
                bytes += raw();
                t.rawNanos += System.nanoTime() - start;
            }
        }
        t.passes++;
        return bytes;
    }

    @Benchmark
    public long weir() {
        PartitionLog log = bench.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        long bytes = 0;
        while (offset < end) {
            FetchDataInfo info = log.read(offset, READ_BYTES, true);
            ByteBuffer slice = info.records().readAll();
            long next = nextOffsetAfterWholeBatches(slice);
            if (next <= offset) {
                throw new IllegalStateException("No whole batch in the read at offset " + offset);
            }
            bytes += slice.remaining();
            offset = next;
        }
        return bytes;
    }

    /**
     * The engine's read path with the copy done into one reused buffer instead of readAll's fresh
     * one: separates the cost of finding the data (index lookup, header read) from that of the
     * per-read allocation.
     */
    @Benchmark
    public long weirReusedBuffer() throws IOException {
        PartitionLog log = bench.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        long bytes = 0;
        while (offset < end) {
            FileSlice slice = log.read(offset, READ_BYTES, true).records();
            readFully(slice.channel(), reusedBuffer, slice.position(), slice.size());
            long next = nextOffsetAfterWholeBatches(reusedBuffer.flip());
            if (next <= offset) {
                throw new IllegalStateException("No whole batch in the read at offset " + offset);
            }
            bytes += slice.size();
            offset = next;
        }
        return bytes;
    }

    @Benchmark
    public long raw() throws IOException {
        long bytes = 0;
        for (long[] read : reads) {
            readFully(segmentFiles.get((int) read[0]), reusedBuffer, read[1], (int) read[2]);
            bytes += read[2];
        }
        return bytes;
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position, int length) throws IOException {
        buffer.clear().limit(length);
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, pos);
            if (n < 0) {
                throw new IllegalStateException("Unexpected end of file at position " + pos);
            }
            pos += n;
        }
    }

    /**
     * The offset after the last whole batch in {@code slice}, reading only the batch headers: what
     * a consumer does to know where to fetch next (a read cut at its byte limit may end mid-batch).
     * Header layout: baseOffset int64 at 0, length int32 at 8, lastOffsetDelta int32 at 23.
     */
    static long nextOffsetAfterWholeBatches(ByteBuffer slice) {
        int pos = slice.position();
        int limit = slice.limit();
        long next = -1;
        while (pos + 61 <= limit) {
            int size = 12 + slice.getInt(pos + 8);
            if (pos + size > limit) {
                break;
            }
            next = slice.getLong(pos) + slice.getInt(pos + 23) + 1;
            pos += size;
        }
        return next;
    }
}
