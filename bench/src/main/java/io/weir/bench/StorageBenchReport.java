package io.weir.bench;

import io.weir.bench.chart.Chart;
import io.weir.bench.chart.HtmlChart;
import io.weir.bench.storage.BenchRun;
import io.weir.bench.storage.JmhSession;
import io.weir.bench.storage.ReportSettings;
import io.weir.bench.storage.ReportTable;
import io.weir.bench.storage.Scores;
import io.weir.bench.storage.StoragePlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

        List<String> header = new ArrayList<>();
        header.add("Weir storage benchmarks: " + settings.asArguments());
        header.add(String.format("started %s; %d cpus; load %s", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), load()));
        int total = 0;
        for (int round = 0; round < settings.rounds(); round++) {
            total += plan.runs(round).size();
        }
        Progress progress = new Progress(total, System::nanoTime);
        int done = 0;
        Map<BenchRun, Scores[]> scores = new HashMap<>();
        List<String> report = new ArrayList<>();
        try (JmhSession session = new JmhSession(settings)) {
            for (int round = 0; round < settings.rounds(); round++) {
                List<BenchRun> runs = plan.runs(round);
                for (int i = 0; i < runs.size(); i++) {
                    BenchRun run = runs.get(i);
                    String step = String.format("[%d/%d %d/%d]", round + 1, settings.rounds(), i + 1, runs.size());
                    scores.computeIfAbsent(run, r -> new Scores[settings.rounds()])[round] = session.run(run, step);
                    System.out.println("             " + progress.after(++done));
                }
            }
            report.addAll(ReportTable.format(plan.comparisons(), scores).lines().toList());
            report.addAll(groupCommitSharing(session.stats()));
        }
        report.add("");
        report.add("Weir/raw: for throughputs the share of the ceiling, for times (us, ns) the multiple of the raw time;");
        report.add("the median of the per-round ratios. MiB = 2^20 bytes; batches of ~16 KiB; group commit with 1 KiB records.");
        report.add("Reads and lookups are served from the page cache (the logs are written and fsynced just before).");
        report.add("Reproduce: bench/storage-bench.sh " + settings.asArguments());
        System.out.println();
        report.forEach(System.out::println);

        // the text and the chart go beside the JMH log (bench/target when started by storage-bench.sh)
        Path dir = settings.jmhLog().toAbsolutePath().getParent();
        Path text = dir.resolve("storage-bench.txt");
        Path html = HtmlChart.besides(text);
        List<String> all = new ArrayList<>(header);
        all.add("");
        all.addAll(report);
        try {
            Files.write(text, all, StandardCharsets.UTF_8);
            HtmlChart.write(new Chart("Weir storage benchmarks", header,
                    List.of(ReportTable.section(plan.comparisons(), scores)), report.subList(report.size() - 5, report.size())), html);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("written to " + text + " and " + html);
    }

    private static List<String> groupCommitSharing(Map<String, Long> stats) {
        List<String> out = new ArrayList<>();
        for (String method : List.of("paired1Thread", "weir4Threads")) {
            Long appends = stats.get(method + ".appends");
            Long fsyncs = stats.get(method + ".fsyncs");
            if (appends != null && fsyncs != null && fsyncs > 0) {
                out.add(String.format("group commit, %s: %.2f appends per fsync (%d appends, %d fsyncs in measurement)",
                        method, (double) appends / fsyncs, appends, fsyncs));
            }
        }
        return out;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
