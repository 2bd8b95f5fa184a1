package io.weir.bench.storage;

import io.weir.broker.log.AppendBatches;
import io.weir.broker.log.LogAppendInfo;
import java.nio.file.Path;
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
 * Append throughput without fsync: {@code PartitionLog.appendAsLeader} of one ~16 KiB producer
 * batch per call, against the raw ceiling of writing the same bytes from the same kind of buffer
 * with {@code FileChannel.write} at the end of a file.
 *
 * <p>Each iteration is a fixed amount of work, not a fixed time: {@code batchSize} appends into a
 * fresh directory that is deleted afterwards. A time-bounded iteration would write as much as the
 * page cache absorbs (GB/s), so the total written by a run would depend on the machine; a fixed
 * batch bounds it (default 16384 × ~16 KiB = ~256 MiB per iteration). The score is the time of one
 * iteration; bytes/s = batchSize × {@link ProducerBatch#sizeInBytes()} / score.
 *
 * <p>Both sides roll to a new file at {@code segmentBytes}. With the defaults an iteration fits in
 * one 256 MiB segment, so no roll happens while the clock runs: a roll makes the engine fsync the
 * finished segment in the background (as Kafka does), which would put disk writes into a figure
 * that is meant to have none. Raise {@code batchSize} or lower {@code segmentBytes} to include it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, batchSize = AppendBench.DEFAULT_BATCHES)
@Measurement(iterations = 3, batchSize = AppendBench.DEFAULT_BATCHES)
@Fork(1)
public class AppendBench {
    /** Appends per iteration by default: ~256 MiB of 16 KiB batches. */
    public static final int DEFAULT_BATCHES = 16384;

    /** The batch and the file layout, shared by both sides. */
    @State(Scope.Thread)
    public static class Workload {
        /** Value bytes per record (no key); the batch holds as many as fit in 16 KiB. */
        @Param({"100", "1024"})
        public int recordSize;

        /** heap or direct: what the network layer hands the engine; the raw side writes the same kind. */
        @Param({"heap"})
        public String buffer;

        @Param({"268435456"})
        public int segmentBytes;

        ProducerBatch batch;

        @Setup(Level.Trial)
        public void build() {
            batch = ProducerBatch.of(recordSize, BufferKind.parse(buffer).direct());
        }
    }

    @State(Scope.Thread)
    public static class Engine {
        BenchLog log;

        @Setup(Level.Iteration)
        public void open(Workload w) {
            log = BenchLog.create("append", w.segmentBytes, false);
        }

        @TearDown(Level.Iteration)
        public void close() {
            log.close();
        }
    }

    @State(Scope.Thread)
    public static class Raw {
        Path dir;
        RawSegmentWriter writer;

        @Setup(Level.Iteration)
        public void open(Workload w) {
            dir = ScratchDir.create("weir-raw-append-");
            writer = new RawSegmentWriter(dir, w.segmentBytes);
        }

        @TearDown(Level.Iteration)
        public void close() {
            writer.close();
            ScratchDir.delete(dir);
        }
    }

    /**
     * Time spent on each side of {@link #paired}, summed over an iteration; the report divides bytes
     * by these. Public fields are JMH secondary results.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class PairTimes {
        public long weirNanos;
        public long rawNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void reset() {
            weirNanos = 0;
            rawNanos = 0;
            pairs = 0;
        }
    }

    /**
     * One Weir append and one raw write of the same batch per call, in alternating order, each
     * timed on its own. The two sides run microseconds apart, so whatever else the machine does
     * slows both alike: the ratio of their times is far steadier than the ratio of two separate
     * runs. The report uses this; {@link #weir} and {@link #raw} are the same work measured apart.
     */
    @Benchmark
    public void paired(Engine e, Raw r, Workload w, PairTimes t) {
        long start = System.nanoTime();
        if ((t.pairs & 1) == 0) {
            e.log.log().appendAsLeader(w.batch.view(), 0);
            long between = System.nanoTime();
            r.writer.write(w.batch.duplicate());
            long end = System.nanoTime();
            t.weirNanos += between - start;
            t.rawNanos += end - between;
        } else {
            r.writer.write(w.batch.duplicate());
            long between = System.nanoTime();
            e.log.log().appendAsLeader(w.batch.view(), 0);
            long end = System.nanoTime();
            t.rawNanos += between - start;
            t.weirNanos += end - between;
        }
        t.pairs++;
    }

    @Benchmark
    public LogAppendInfo weir(Engine e, Workload w) {
        return e.log.log().appendAsLeader(w.batch.view(), 0);
    }

    /**
     * Not a ceiling but a breakdown: the CPU work {@code appendAsLeader} does before it takes the
     * append lock (CRC of the batch, walking every record), with no I/O at all.
     */
    @Benchmark
    public AppendBatches validateOnly(Workload w) {
        return AppendBatches.validate(w.batch.view(), Integer.MAX_VALUE, true, "bench");
    }

    @Benchmark
    public int raw(Raw r, Workload w) {
        return r.writer.write(w.batch.duplicate());
    }
}
