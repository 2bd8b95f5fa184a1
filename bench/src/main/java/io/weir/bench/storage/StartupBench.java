package io.weir.bench.storage;

import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Start-up time of one partition log with and without producer-state snapshots. Writes {@code mb} MiB of
 * idempotent batches ({@code producers} producers taking turns, {@code batchBytes} per batch of
 * {@code valueBytes}-byte records) to one partition with {@code segmentMiB} segments, closes it cleanly,
 * then opens it {@code rounds} times in A B B A order: A with the snapshots the log wrote (at every roll
 * and at the close), B after deleting every {@code .snapshot} file, so that producer state is rebuilt from
 * the batch headers of every segment, as before snapshots existed. Each open is a clean-shutdown open (the
 * indexes are trusted); the figure is the wall time of {@code PartitionLog.open}. The page cache holds
 * whatever the previous step read, for both sides alike; on a machine with less memory than the log, the
 * scan of B also pays the disk.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.weir.bench.storage.StartupBench mb=10240 segmentMiB=1024
 * java -cp bench/target/benchmarks.jar io.weir.bench.storage.StartupBench mb=8 segmentMiB=1 rounds=2   # tiny
 * </pre>
 *
 * Data goes to a scratch directory under {@code -Dweir.bench.dir} (default: the temporary directory) and
 * is deleted at the end.
 */
public final class StartupBench {
    private static final TopicPartition TP = new TopicPartition("startup", 0);

    private StartupBench() {
    }

    /** The settings, with their defaults. */
    record Settings(long mb, int segmentMiB, int batchBytes, int valueBytes, int producers, int rounds) {
        static Settings parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>(Map.of("mb", "1024", "segmentMiB", "1024", "batchBytes", "16384",
                    "valueBytes", "100", "producers", "1", "rounds", "2"));
            for (String a : args) {
                int eq = a.indexOf('=');
                if (eq < 0 || !m.containsKey(a.substring(0, eq))) {
                    throw new IllegalArgumentException("Unknown argument " + a + "; settings and defaults: " + m);
                }
                m.put(a.substring(0, eq), a.substring(eq + 1));
            }
            return new Settings(Long.parseLong(m.get("mb")), Integer.parseInt(m.get("segmentMiB")),
                    Integer.parseInt(m.get("batchBytes")), Integer.parseInt(m.get("valueBytes")),
                    Integer.parseInt(m.get("producers")), Integer.parseInt(m.get("rounds")));
        }
    }

    /** One timed open. */
    record Open(boolean withSnapshots, long nanos, PartitionLog.ProducerStateLoad load, int segments) {
    }

    public static void main(String[] args) {
        Settings s = Settings.parse(args);
        List<Open> opens = run(s);
        System.out.printf("%d MiB in %d segment(s) of %d MiB, %d-byte batches of %d-byte values, %d producer(s)%n",
                s.mb(), opens.get(0).segments(), s.segmentMiB(), s.batchBytes(), s.valueBytes(), s.producers());
        for (Open o : opens) {
            System.out.printf("  open %-18s %10.1f ms   producer state from %s, %d batch(es) replayed%n",
                    o.withSnapshots() ? "with snapshots" : "without snapshots", o.nanos() / 1e6,
                    o.load().snapshotOffset() < 0 ? "a full scan" : "the snapshot at " + o.load().snapshotOffset(),
                    o.load().replayedBatches());
        }
    }

    /** Writes the log, then times the opens; deletes the data. */
    static List<Open> run(Settings s) {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, Math.multiplyExact(s.segmentMiB(), 1 << 20));
        Path scratch = ScratchDir.create("weir-startup-");
        Path dir = scratch.resolve(TP.topic() + "-" + TP.partition());
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler("startup-bench", 1);
             GroupCommitFlusher flusher = new GroupCommitFlusher("startup-bench")) {
            LogEnvironment env = new LogEnvironment(Time.SYSTEM, scheduler, flusher);
            write(s, PartitionLog.open(dir, TP, config, 0, 0, true, env));
            List<Open> opens = new ArrayList<>();
            for (int round = 0; round < s.rounds(); round++) {
                boolean snapshotsFirst = round % 2 == 0;
                opens.add(open(dir, config, env, snapshotsFirst));
                opens.add(open(dir, config, env, !snapshotsFirst));
            }
            return opens;
        } finally {
            ScratchDir.delete(scratch);
        }
    }

    private static void write(Settings s, PartitionLog log) {
        byte[] value = new byte[s.valueBytes()];
        new SplittableRandom(s.valueBytes()).nextBytes(value);
        int perBatch = Math.max(1, s.batchBytes() / (s.valueBytes() + 8));
        SimpleRecord[] records = new SimpleRecord[perBatch];
        for (int i = 0; i < perBatch; i++) {
            records[i] = new SimpleRecord(value);
        }
        int[] sequences = new int[s.producers()];
        long target = s.mb() << 20;
        try (log) {
            for (long n = 0; log.size() < target; n++) {
                int p = (int) (n % s.producers());
                log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 1000 + p, (short) 0, sequences[p],
                        records), 0);
                sequences[p] += perBatch;
            }
        }
    }

    private static Open open(Path dir, LogConfig config, LogEnvironment env, boolean withSnapshots) {
        if (!withSnapshots) {
            deleteSnapshots(dir);
        }
        long start = System.nanoTime();
        PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env);
        long nanos = System.nanoTime() - start;
        try (log) {
            return new Open(withSnapshots, nanos, log.lastProducerStateLoad(), log.numberOfSegments());
        } // the close writes the snapshot at the log end again
    }

    private static void deleteSnapshots(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".snapshot")).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the snapshots in " + dir, e);
        }
    }
}
