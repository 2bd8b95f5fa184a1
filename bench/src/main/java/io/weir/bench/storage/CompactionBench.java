package io.weir.bench.storage;

import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.CleanerConfig;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogCleaner;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
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
 * The log cleaner: {@link #clean} times one pass over a compacted log of {@code dataMiB} MiB whose
 * records cycle over {@code keys} keys (MB/s cleaned = dataMiB / score, reported in the {@code mibRead}
 * counter); {@link #appendWhileCleaning} times {@code appendMiB} MiB of keyed appends with
 * {@code cleanerThreads} cleaner threads working on the same log meanwhile (0: the baseline).
 *
 * <p>Each iteration is a fixed amount of work on a fresh directory (filled outside the timed part).
 * Smallest check: {@code -p dataMiB=4 -p appendMiB=4 -p keys=1000 -wi 0 -i 1}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class CompactionBench {
    private static final int BATCH_RECORDS = 100;

    /** A compacted log in a scratch directory, and the cleaner over it. */
    @State(Scope.Thread)
    public static class Workload {
        @Param({"10000", "1000000"})
        public int keys;

        @Param({"256"})
        public int dataMiB;

        @Param({"256"})
        public int appendMiB;

        @Param({"100"})
        public int valueBytes;

        @Param({"0", "1"})
        public int cleanerThreads;

        Path dir;
        ThreadPoolScheduler scheduler;
        GroupCommitFlusher flusher;
        PartitionLog log;
        LogCleaner cleaner;
        List<ByteBuffer> batches;
        int nextBatch;

        @Setup(Level.Iteration)
        public void setUp() {
            dir = ScratchDir.create("weir-compaction-");
            scheduler = new ThreadPoolScheduler("bench", 1);
            flusher = new GroupCommitFlusher("bench");
            LogConfig config = LogConfig.defaults().with(LogConfig.CLEANUP_POLICY, "compact")
                    .with(LogConfig.SEGMENT_BYTES, 16 * 1024 * 1024).with(LogConfig.MIN_CLEANABLE_RATIO, 0.01);
            log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0), config, 0, 0, true,
                    new LogEnvironment(Time.SYSTEM, scheduler, flusher));
            batches = keyedBatches(keys, valueBytes);
            long target = (long) dataMiB << 20;
            while (log.size() < target) {
                append();
            }
            log.roll();
            log.lastStableOffset(log.logEndOffset());
            cleaner = new LogCleaner(new CleanerConfig(true, cleanerThreads, Double.MAX_VALUE, 128L << 20, 0.9, 10),
                    List.of(dir), () -> List.of(log), Time.SYSTEM);
        }

        void append() {
            ByteBuffer b = batches.get(nextBatch++ % batches.size());
            log.appendAsLeader(MemoryRecords.readableRecords(b.duplicate()), 0);
        }

        @TearDown(Level.Iteration)
        public void tearDown() {
            cleaner.close();
            ScratchDir.discardLogData(dir);
            log.close();
            flusher.close();
            scheduler.close();
            ScratchDir.delete(dir);
        }
    }

    /** Batches of BATCH_RECORDS records whose keys cycle over {@code keys}. */
    static List<ByteBuffer> keyedBatches(int keys, int valueBytes) {
        int count = Math.max(1, Math.min(1000, keys / BATCH_RECORDS));
        byte[] value = new byte[valueBytes];
        List<ByteBuffer> out = new ArrayList<>();
        int key = 0;
        for (int b = 0; b < count; b++) {
            SimpleRecord[] records = new SimpleRecord[BATCH_RECORDS];
            for (int r = 0; r < BATCH_RECORDS; r++) {
                records[r] = new SimpleRecord(System.currentTimeMillis(),
                        ("key-" + (key++ % keys)).getBytes(StandardCharsets.UTF_8), value);
            }
            out.add(MemoryRecords.withRecords(Compression.NONE, records).buffer());
        }
        return out;
    }

    /** What a run read and wrote. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Bytes {
        public double mibRead;
        public double mibWritten;
    }

    @Benchmark
    public void clean(Workload w, Bytes bytes) throws InterruptedException {
        if (!w.cleaner.cleanOnceNow()) {
            throw new IllegalStateException("nothing to clean: the workload is wrong");
        }
        bytes.mibRead += w.cleaner.bytesRead() / (double) (1 << 20);
        bytes.mibWritten += w.cleaner.bytesWritten() / (double) (1 << 20);
    }

    @Benchmark
    public void appendWhileCleaning(Workload w) {
        w.cleaner.start();
        long written = 0;
        long goal = (long) w.appendMiB << 20;
        int batchBytes = w.batches.get(0).remaining();
        while (written < goal) {
            w.append();
            written += batchBytes;
            if ((written / batchBytes) % 1000 == 0) {
                w.log.lastStableOffset(w.log.logEndOffset()); // what the high watermark does in a broker
            }
        }
    }
}
