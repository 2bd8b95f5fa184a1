package io.weir.bench.storage;

import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.PartitionLog;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Durable appends with group commit ({@code log.flush.group.commit.enable=true}): one operation is
 * an append of one ~16 KiB batch of 1 KiB records and the wait until an fsync covers it. With one
 * thread every append pays a whole fsync; with four, appends that arrive while an fsync runs share
 * the next one, so throughput should exceed the one-thread ceiling.
 *
 * <p>Raw ceilings: {@link #rawWriteFsync} writes the same bytes and fdatasyncs after each write
 * (one thread: the best a log can do without sharing fsyncs); {@link #rawFsyncLatency} times the
 * fdatasync alone, the write of the 16 KiB being done before the timer starts.
 *
 * <p>These are fsync-bound (hundreds to thousands of operations a second), so iterations are
 * time-bounded; a fresh log per iteration still keeps the disk use small.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class GroupCommitBench {
    static final int RECORD_SIZE = 1024;
    static final int SEGMENT_BYTES = 256 * 1024 * 1024;

    /** One log shared by all benchmark threads, as a partition is shared by its producers. */
    @State(Scope.Benchmark)
    public static class Engine {
        BenchLog log;
        final AtomicLong appends = new AtomicLong();
        long fsyncsBefore;

        @Setup(Level.Iteration)
        public void open() {
            log = BenchLog.create("group-commit", SEGMENT_BYTES, true);
            fsyncsBefore = log.flusher().fsyncs();
            appends.set(0);
        }

        @TearDown(Level.Iteration)
        public void close(BenchmarkParams benchmark, IterationParams iteration) {
            if (iteration.getType() == IterationType.MEASUREMENT) {
                String name = benchmark.getBenchmark();
                String method = name.substring(name.lastIndexOf('.') + 1);
                BenchStats.add(method + ".appends", appends.get());
                BenchStats.add(method + ".fsyncs", log.flusher().fsyncs() - fsyncsBefore);
            }
            log.close();
        }
    }

    /** Each thread appends its own copy of the batch: the engine rewrites headers in place. */
    @State(Scope.Thread)
    public static class ThreadBatch {
        ProducerBatch batch;

        @Setup(Level.Trial)
        public void build() {
            batch = ProducerBatch.of(RECORD_SIZE, false);
        }
    }

    @State(Scope.Thread)
    public static class Raw {
        Path dir;
        RawSegmentWriter writer;

        @Setup(Level.Iteration)
        public void open() {
            dir = ScratchDir.create("weir-raw-fsync-");
            writer = new RawSegmentWriter(dir, SEGMENT_BYTES);
        }

        @TearDown(Level.Iteration)
        public void close() {
            writer.close();
            ScratchDir.delete(dir);
        }
    }

    /** The raw file with 16 KiB freshly written before each invocation, so that the fsync has work to do. */
    @State(Scope.Thread)
    public static class DirtyFile {
        RawSegmentWriter writer;
        ProducerBatch batch;

        @Setup(Level.Iteration)
        public void open(Raw r, ThreadBatch b) {
            writer = r.writer;
            batch = b.batch;
        }

        @Setup(Level.Invocation)
        public void dirty() {
            writer.write(batch.duplicate());
        }
    }

    private static LogAppendInfo appendDurably(Engine e, ThreadBatch b) {
        PartitionLog log = e.log.log();
        LogAppendInfo info = log.appendAsLeader(b.batch.view(), 0);
        e.appends.incrementAndGet();
        return log.awaitDurable(info).join();
    }

    /** Time spent on each side of {@link #paired1Thread}, summed over an iteration (JMH secondary results). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class PairTimes {
        public long weirNanos;
        public long rawNanos;
        /** The fdatasync part of {@code rawNanos}. */
        public long fsyncNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void reset() {
            weirNanos = 0;
            rawNanos = 0;
            fsyncNanos = 0;
            pairs = 0;
        }
    }

    /**
     * One durable Weir append and one raw write+fdatasync per call, in alternating order, each
     * timed; the fdatasync is also timed alone. fsync latency on a shared disk swings several-fold
     * within a minute, so only ceilings measured alongside, not in another run, make a usable ratio.
     * The report uses this for the one-thread figures.
     */
    @Benchmark
    @Threads(1)
    public void paired1Thread(Engine e, ThreadBatch b, Raw r, PairTimes t) {
        long start = System.nanoTime();
        if ((t.pairs & 1) == 0) {
            appendDurably(e, b);
            long between = System.nanoTime();
            t.weirNanos += between - start;
            rawWriteFsync(r, b, t, between);
        } else {
            long between = rawWriteFsync(r, b, t, start);
            appendDurably(e, b);
            t.weirNanos += System.nanoTime() - between;
        }
        t.pairs++;
    }

    /** Writes and fdatasyncs the batch, adds the times to {@code t}; returns when it finished. */
    private static long rawWriteFsync(Raw r, ThreadBatch b, PairTimes t, long start) {
        r.writer.write(b.batch.duplicate());
        long written = System.nanoTime();
        r.writer.force();
        long end = System.nanoTime();
        t.rawNanos += end - start;
        t.fsyncNanos += end - written;
        return end;
    }

    @Benchmark
    @Threads(1)
    public LogAppendInfo weir1Thread(Engine e, ThreadBatch b) {
        return appendDurably(e, b);
    }

    @Benchmark
    @Threads(4)
    public LogAppendInfo weir4Threads(Engine e, ThreadBatch b) {
        return appendDurably(e, b);
    }

    @Benchmark
    @Threads(1)
    public int rawWriteFsync(Raw r, ThreadBatch b) {
        int n = r.writer.write(b.batch.duplicate());
        r.writer.force();
        return n;
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void rawFsyncLatency(DirtyFile f) {
        f.writer.force();
    }
}
