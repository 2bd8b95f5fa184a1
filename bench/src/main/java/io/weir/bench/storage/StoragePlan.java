package io.weir.bench.storage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * What a report run measures: the benchmark runs, in an order that keeps each Weir figure next
 * to its ceiling (so that a noisy minute on the machine hits both), and the comparisons made from
 * their scores. Appends, one-thread group commit and reads use the paired benchmarks, which time
 * Weir and raw alternately in one run; four-thread group commit and lookups compare adjacent runs. Also estimates how much the run
 * writes, before it starts.
 */
public final class StoragePlan {
    private static final double MIB = 1024.0 * 1024.0;
    /**
     * fsync-bound appends per second assumed when estimating what the group-commit benchmarks
     * write: about what a virtual disk with a fast cache flush sustains (a few hundred µs per fsync).
     */
    private static final double ASSUMED_DURABLE_OPS_PER_SECOND = 4000;

    private final ReportSettings settings;
    private final List<Comparison> comparisons = new ArrayList<>();
    private final Set<BenchRun> runs = new LinkedHashSet<>();
    private double estimatedWriteBytes;

    public StoragePlan(ReportSettings settings) {
        this.settings = settings;
        if (settings.runs("append")) {
            append(100, "100 B");
            append(1024, "1 KiB");
        }
        if (settings.runs("groupcommit")) {
            groupCommit();
        }
        if (settings.runs("read")) {
            sequentialRead();
        }
        if (settings.runs("lookup")) {
            offsetLookup();
        }
    }

    private void add(Comparison c) {
        comparisons.add(c);
        runs.add(c.weir());
        runs.add(c.raw());
    }

    private void append(int recordSize, String label) {
        int batchBytes = ProducerBatch.of(recordSize, false).sizeInBytes();
        int batches = (int) Math.max(1, settings.appendMiB() * MIB / batchBytes);
        Map<String, String> params = Map.of("recordSize", String.valueOf(recordSize), "buffer", settings.buffer());
        // one run times both sides, alternately, call by call
        BenchRun paired = new BenchRun(AppendBench.class, "paired", params, batches);
        add(new Comparison("append " + label + " records, no fsync",
                paired, s -> s.get("pairs") * batchBytes / MIB / (s.get("weirNanos") / 1e9),
                paired, s -> s.get("pairs") * batchBytes / MIB / (s.get("rawNanos") / 1e9),
                "MiB/s", true));
        estimatedWriteBytes += 2.0 * iterations() * batches * batchBytes;
    }

    private void groupCommit() {
        BenchRun paired = new BenchRun(GroupCommitBench.class, "paired1Thread", Map.of(), 0);
        BenchRun four = new BenchRun(GroupCommitBench.class, "weir4Threads", Map.of(), 0);
        ToDoubleFunction<Scores> rawRate = s -> s.get("pairs") / (s.get("rawNanos") / 1e9);
        add(new Comparison("group commit, 1 thread / write+fdatasync",
                paired, s -> s.get("pairs") / (s.get("weirNanos") / 1e9), paired, rawRate, "appends/s", true));
        add(new Comparison("group commit latency, 1 thread / fdatasync alone",
                paired, s -> s.get("weirNanos") / s.get("pairs") / 1e3,
                paired, s -> s.get("fsyncNanos") / s.get("pairs") / 1e3, "us", false));
        // four appenders cannot be paired call by call with a one-thread ceiling: adjacent runs instead
        add(new Comparison("group commit, 4 threads / 1-thread write+fdatasync",
                four, Scores::primary, paired, rawRate, "appends/s", true));
        int batchBytes = ProducerBatch.of(GroupCommitBench.RECORD_SIZE, false).sizeInBytes();
        double seconds = settings.warmupIterations() * settings.warmupSeconds() + settings.iterations() * settings.seconds();
        // the paired run writes twice per call
        estimatedWriteBytes += 3.0 * settings.forks() * seconds * ASSUMED_DURABLE_OPS_PER_SECOND * batchBytes;
    }

    private void sequentialRead() {
        long logBytes = settings.readMiB() * (long) MIB;
        double bytesPerPass = SequentialReadBench.logSize(logBytes);
        BenchRun paired = new BenchRun(SequentialReadBench.class, "paired", Map.of("logBytes", String.valueOf(logBytes)), 0);
        ToDoubleFunction<Scores> raw = s -> s.get("passes") * bytesPerPass / MIB / (s.get("rawNanos") / 1e9);
        add(new Comparison("sequential read, 1 MiB readAll (page cache)",
                paired, s -> s.get("passes") * bytesPerPass / MIB / (s.get("weirNanos") / 1e9), paired, raw, "MiB/s", true));
        add(new Comparison("sequential read, 1 MiB into a reused buffer",
                paired, s -> s.get("passes") * bytesPerPass / MIB / (s.get("reusedNanos") / 1e9), paired, raw, "MiB/s", true));
        estimatedWriteBytes += settings.forks() * bytesPerPass;
    }

    private void offsetLookup() {
        Map<String, String> params = Map.of("records", String.valueOf(settings.lookupRecords()));
        add(new Comparison("offset lookup / 61-byte pread (page cache)",
                new BenchRun(OffsetLookupBench.class, "weir", params, 0), Scores::primary,
                new BenchRun(OffsetLookupBench.class, "raw", params, 0), Scores::primary, "ns", false));
        ProducerBatch batch = ProducerBatch.of(OffsetLookupBench.RECORD_SIZE, false);
        estimatedWriteBytes += 2.0 * settings.forks() * settings.lookupRecords() / batch.recordCount() * batch.sizeInBytes();
    }

    private int iterations() {
        return settings.forks() * (settings.warmupIterations() + settings.iterations());
    }

    public List<Comparison> comparisons() {
        return comparisons;
    }

    /** The runs of round {@code round} (0-based): odd rounds run in reverse, so neither side always goes first. */
    public List<BenchRun> runs(int round) {
        List<BenchRun> order = new ArrayList<>(runs);
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** Bytes the whole run writes, roughly (group commit assumes {@value #ASSUMED_DURABLE_OPS_PER_SECOND} appends/s). */
    public double estimatedWriteBytes() {
        return estimatedWriteBytes * settings.rounds();
    }
}
