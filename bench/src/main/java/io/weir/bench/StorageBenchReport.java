package io.weir.bench;

import io.weir.bench.storage.BenchRun;
import io.weir.bench.storage.JmhSession;
import io.weir.bench.storage.ReportSettings;
import io.weir.bench.storage.ReportTable;
import io.weir.bench.storage.Scores;
import io.weir.bench.storage.StoragePlan;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the storage-engine benchmarks with their raw ceilings and prints each Weir figure, its
 * ceiling and the ratio. Weir and raw runs alternate, and rounds repeat the whole sequence in
 * alternating order, because this kind of machine (shared, virtual, a few cores) drifts by tens
 * of percent over minutes: a ratio of two runs made side by side is far steadier than either figure.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.weir.bench.StorageBenchReport [key=value...]};
 * {@code help} lists the settings.
 */
public final class StorageBenchReport {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private StorageBenchReport() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("help") || Arrays.asList(args).contains("--help")) {
            System.out.println(ReportSettings.usage());
            return;
        }
        ReportSettings settings = ReportSettings.parse(args, System.getProperties());
        StoragePlan plan = new StoragePlan(settings);
        double writeGiB = plan.estimatedWriteBytes() / GIB;
        System.out.printf("Weir storage benchmarks: %s%n", settings.asArguments());
        System.out.printf("Data under %s; this run writes about %.1f GiB there (most of it deleted within seconds).%n",
                settings.dir().toAbsolutePath(), writeGiB);
        if (writeGiB > settings.maxWriteGiB()) {
            System.err.printf("Refusing to start: %.1f GiB is more than maxWriteGiB=%.1f. Lower rounds, iterations or"
                    + " appendMiB, or raise maxWriteGiB.%n", writeGiB, settings.maxWriteGiB());
            System.exit(2);
        }
        System.out.printf("Full JMH output: %s%n%n", settings.jmhLog().toAbsolutePath());

        Map<BenchRun, Scores[]> scores = new HashMap<>();
        try (JmhSession session = new JmhSession(settings)) {
            for (int round = 0; round < settings.rounds(); round++) {
                List<BenchRun> runs = plan.runs(round);
                for (int i = 0; i < runs.size(); i++) {
                    BenchRun run = runs.get(i);
                    String progress = String.format("[%d/%d %d/%d]", round + 1, settings.rounds(), i + 1, runs.size());
                    scores.computeIfAbsent(run, r -> new Scores[settings.rounds()])[round] = session.run(run, progress);
                }
            }
            System.out.println();
            System.out.print(ReportTable.format(plan.comparisons(), scores));
            printGroupCommitSharing(session.stats());
        }
        System.out.println();
        System.out.println("Weir/raw: for throughputs the share of the ceiling, for times (us, ns) the multiple of the raw time;");
        System.out.println("the median of the per-round ratios. MiB = 2^20 bytes; batches of ~16 KiB; group commit with 1 KiB records.");
        System.out.println("Reads and lookups are served from the page cache (the logs are written and fsynced just before).");
        System.out.println("Reproduce: bench/storage-bench.sh " + settings.asArguments());
    }

    private static void printGroupCommitSharing(Map<String, Long> stats) {
        for (String method : List.of("paired1Thread", "weir4Threads")) {
            Long appends = stats.get(method + ".appends");
            Long fsyncs = stats.get(method + ".fsyncs");
            if (appends != null && fsyncs != null && fsyncs > 0) {
                System.out.printf("group commit, %s: %.2f appends per fsync (%d appends, %d fsyncs in measurement)%n",
                        method, (double) appends / fsyncs, appends, fsyncs);
            }
        }
    }
}
