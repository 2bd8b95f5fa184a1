package io.weir.bench.sbs;

import io.weir.bench.Progress;
import io.weir.bench.chart.Chart;
import io.weir.bench.chart.HtmlChart;
import io.weir.bench.sbs.BrokerProcess.Classpaths;
import io.weir.bench.sbs.Workloads.RunResult;
import io.weir.bench.sbs.Workloads.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Side-by-side benchmark: the same kafka-clients workloads against Weir and against Apache Kafka, each
 * broker in its own JVM on a fresh data directory per run, interleaved Weir, Kafka, Kafka, Weir; plus
 * Kafka against itself once (A/A) as the harness check. Prints the tables and writes them to
 * {@code bench/target/side-by-side.txt}. Run it with {@code bench/run-side-by-side.sh}.
 */
public final class SideBySide {
    private final SbsSettings settings;
    private final Classpaths classpaths;
    private final List<String> runLog = new ArrayList<>();
    private int runNumber;
    /** True while the schedule is walked only to count its runs into {@link #planned}. */
    private boolean planning;
    private int planned;
    private Progress progress;
    /** The secured listener of a {@code --security} run, else null. */
    private SbsSecurity security;

    /** The command-line arguments, shown in the chart's header. */
    private final List<String> arguments;

    private SideBySide(SbsSettings settings, Classpaths classpaths, List<String> arguments) {
        this.settings = settings;
        this.classpaths = classpaths;
        this.arguments = List.copyOf(arguments);
    }

    public static void main(String[] args) throws Exception {
        SbsSettings s;
        try {
            s = SbsSettings.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().equals("usage")) {
                System.err.println("side-by-side: " + e.getMessage());
            }
            System.err.print(SbsSettings.USAGE);
            System.exit(2);
            return;
        }
        Classpaths cp;
        try {
            cp = Classpaths.resolve(s);
        } catch (IOException e) {
            System.err.println("side-by-side: " + e.getMessage());
            System.exit(2);
            return;
        }
        SideBySide sbs = new SideBySide(s, cp, List.of(args));
        if (s.secured()) {
            try (SbsSecurity sec = SbsSecurity.create(s.repo(), s.saslMechanism())) {
                sbs.security = sec;
                sbs.runAll();
            }
        } else {
            sbs.runAll();
        }
    }

    private void runAll() throws Exception {
        long t0 = System.nanoTime();
        List<String> header = new ArrayList<>();
        header.add("Weir vs Apache Kafka, side by side (" + Instant.now() + ")");
        if (settings.cluster() > 0) {
            header.add("Apache Kafka: kafka_2.13 " + kafkaVersion() + " (KRaft: " + settings.cluster()
                    + " broker-only JVMs + 1 dedicated controller JVM); Weir: " + weirJar() + " (" + settings.cluster()
                    + " broker JVMs + 1 standalone ZooKeeper JVM); clients: kafka-clients " + clientsVersion());
        } else {
            header.add("Apache Kafka: kafka_2.13 " + kafkaVersion() + " (KRaft, combined broker+controller); Weir: "
                    + weirJar() + " (embedded ZooKeeper); clients: kafka-clients " + clientsVersion());
        }
        header.add("java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        header.addAll(settings.describe());
        if (security != null) {
            header.add(security.describe());
        }
        header.forEach(System.out::println);
        System.out.println();

        BrokerProcess.deleteRecursively(settings.logs()); // logs of an earlier run would be mistaken for this one's
        List<Workload> workloads = new ArrayList<>();
        // -Dsbs.throughput=false leaves the produce/consume workloads out (a run of the other workloads alone)
        for (int size : Boolean.parseBoolean(System.getProperty("sbs.throughput", "true")) ? settings.sizes() : List.<Integer>of()) {
            for (String acks : settings.acks()) {
                for (int partitions : settings.partitions()) {
                    workloads.add(new Workloads.Throughput(size, acks, partitions, settings.durationSeconds(), settings.records(),
                            settings.warmupSeconds()));
                }
            }
        }
        Workload latency = settings.latency()
                ? new Workloads.Latency(settings.latencyRate(), settings.latencySize(), settings.latencyAcks(),
                        settings.latencyPartitions(), settings.latencyDurationSeconds(), settings.latencyWarmupSeconds())
                : null;

        Report.Comparison throughput = new Report.Comparison("Producer and consumer throughput", "Weir", "Kafka");
        Report.Comparison lat = new Report.Comparison("End-to-end latency at a fixed rate", "Weir", "Kafka");
        Report.Comparison grp = new Report.Comparison("Consumer groups", "Weir", "Kafka");
        // a --security run measures the produce/consume workloads (and latency); groups and transactions only when asked
        boolean extras = settings.cluster() == 0 && !settings.secured();
        Workload groups = Boolean.parseBoolean(System.getProperty("sbs.groups", Boolean.toString(extras)))
                ? new Workloads.Groups(1024, 8, 2, Long.getLong("sbs.groupRecords", 200_000L)) : null;
        Report.Comparison txn = new Report.Comparison("Transactions: transactional produce, then consume-transform-produce (exactly-once)",
                "Weir", "Kafka");
        List<Workload> transactions = new ArrayList<>();
        if (Boolean.parseBoolean(System.getProperty("sbs.transactions", Boolean.toString(extras)))) {
            long txnRecords = Long.getLong("sbs.transactionRecords", 100_000L);
            transactions.add(new Workloads.Transactions(1024, 100, txnRecords));
            transactions.add(new Workloads.Transactions(1024, 1000, txnRecords));
        }
        Report.Comparison shr = new Report.Comparison("Share groups (KIP-932): KafkaShareConsumers of one partition, every record ACCEPTed",
                "Weir", "Kafka");
        List<Workload> shares = new ArrayList<>();
        if (Boolean.parseBoolean(System.getProperty("sbs.share", Boolean.toString(extras)))) {
            long shareRecords = Long.getLong("sbs.shareRecords", 100_000L);
            shares.add(new Workloads.ShareGroups(1024, 1, shareRecords));
            shares.add(new Workloads.ShareGroups(1024, 4, shareRecords));
        }
        Workload failover = settings.failover()
                ? new Failover(settings.failoverRate(), settings.failoverSize(), settings.failoverWarmupSeconds(),
                        settings.failoverAfterSeconds())
                : null;
        Report.Comparison fo = new Report.Comparison("Leader failover: kill -9 of the partition leader under an idempotent acks=all producer",
                "Weir", "Kafka");
        Report.Comparison aa = new Report.Comparison("Harness check: Kafka against itself (A/A, same A B B A order"
                + (security != null ? ", over " + settings.security() : "") + ")", "Kafka-A", "Kafka-B");
        String sp = settings.security();
        Secured sThroughput = new Secured("Producer and consumer throughput", sp);
        Secured sLat = new Secured("End-to-end latency at a fixed rate", sp);
        Secured sGrp = new Secured("Consumer groups", sp);
        Secured sTxn = new Secured("Transactions", sp);

        // the schedule runs twice: once counting the runs (for the progress line), then for real
        Runnable schedule = () -> {
            BrokerProcess.System W = BrokerProcess.System.WEIR;
            BrokerProcess.System K = BrokerProcess.System.KAFKA;
            if (settings.harnessWarmup() && (!workloads.isEmpty() || latency != null)) {
                // the first run would otherwise also pay for the harness JVM's own JIT warm-up
                Workload first = workloads.isEmpty() ? latency : workloads.get(0);
                run(first, K, "warm-up", security);
            }
            for (int round = 0; round < settings.rounds() && security != null; round++) {
                for (Workload w : workloads) {
                    secured(w, sThroughput);
                }
                if (latency != null) {
                    secured(latency, sLat);
                }
                if (groups != null) {
                    secured(groups, sGrp);
                }
                for (Workload t : transactions) {
                    secured(t, sTxn);
                }
            }
            for (int round = 0; round < settings.rounds() && security == null; round++) {
                for (Workload w : workloads) {
                    abba(w, throughput, W, "Weir", K, "Kafka");
                }
                if (latency != null) {
                    abba(latency, lat, W, "Weir", K, "Kafka");
                }
                if (groups != null) {
                    abba(groups, grp, W, "Weir", K, "Kafka");
                }
                for (Workload t : transactions) {
                    abba(t, txn, W, "Weir", K, "Kafka");
                }
                for (Workload sh : shares) {
                    abba(sh, shr, W, "Weir", K, "Kafka");
                }
            }
            if (failover != null) {
                for (int round = 0; round < settings.failoverRounds(); round++) {
                    abba(failover, fo, W, "Weir", K, "Kafka");
                }
            }
            if (settings.aa()) {
                if (!workloads.isEmpty()) {
                    Workload aaWorkload = workloads.stream()
                            .filter(w -> w instanceof Workloads.Throughput t && t.size() == 1024 && t.partitions() == 1)
                            .findFirst().orElse(workloads.get(0));
                    abba(aaWorkload, aa, K, "Kafka-A", K, "Kafka-B");
                }
                if (latency != null) {
                    abba(latency, aa, K, "Kafka-A", K, "Kafka-B");
                }
                if (workloads.isEmpty() && !transactions.isEmpty()) {
                    abba(transactions.get(0), aa, K, "Kafka-A", K, "Kafka-B");
                }
                if (workloads.isEmpty() && transactions.isEmpty() && !shares.isEmpty()) {
                    abba(shares.get(0), aa, K, "Kafka-A", K, "Kafka-B");
                }
                if (failover != null) {
                    abba(failover, aa, K, "Kafka-A", K, "Kafka-B");
                }
            }
        };
        planning = true;
        schedule.run();
        planning = false;
        progress = new Progress(planned, System::nanoTime);
        System.out.println(planned + " broker runs planned");
        schedule.run();

        List<String> out = new ArrayList<>(header);
        out.add("");
        out.add("ratio = mean(Weir) / mean(Kafka): rates above 1.00 and latencies (ms) below 1.00 favour Weir;");
        out.add("±x% = half the spread (max-min) of a system's runs around its mean; MB = 10^6 bytes of record values.");
        out.add("");
        if (security != null) {
            out.add("SASL_SSL/PLAINTEXT = mean over " + sp + " / mean over PLAINTEXT of one system: rates below 1.00 and latencies above "
                    + "1.00 are what security costs.");
            out.add("");
            out.addAll(sThroughput.lines());
            if (latency != null) {
                out.addAll(sLat.lines());
            }
            if (groups != null) {
                out.addAll(sGrp.lines());
            }
            if (!transactions.isEmpty()) {
                out.addAll(sTxn.lines());
            }
        } else {
            out.addAll(throughput.lines());
            out.add("");
        }
        if (latency != null && security == null) {
            out.addAll(lat.lines());
            out.add("");
        }
        if (groups != null && security == null) {
            out.addAll(grp.lines());
            out.add("");
        }
        if (!transactions.isEmpty() && security == null) {
            out.addAll(txn.lines());
            out.add("");
        }
        if (!shares.isEmpty() && security == null) {
            out.addAll(shr.lines());
            out.add("");
        }
        if (failover != null) {
            out.addAll(fo.lines());
            out.add("");
        }
        if (settings.aa()) {
            out.addAll(aa.lines());
            out.add("");
        }
        out.add("== Summary ==");
        if (security != null) {
            for (String metric : List.of("produce rec/s", "consume rec/s")) {
                for (Report.Comparison c : sThroughput.all()) {
                    out.add(String.format(Locale.ROOT, "%-30s %-14s geometric mean over %d workloads: %s", c.a + "/" + c.b, metric,
                            c.runs.size(), Report.fmtRatio(Report.geoMean(c, metric))));
                }
            }
            if (latency != null) {
                for (String metric : List.of("e2e p50 ms", "e2e p99 ms")) {
                    for (Report.Comparison c : sLat.all()) {
                        out.add(String.format(Locale.ROOT, "%-30s %-14s %s", c.a + "/" + c.b, metric,
                                Report.fmtRatio(c.ratio(latency.name(), metric))));
                    }
                }
            }
        }
        for (String metric : security != null ? List.<String>of() : List.of("produce rec/s", "consume rec/s")) {
            out.add(String.format(Locale.ROOT, "Weir/Kafka %-16s geometric mean over %d workloads: %s", metric,
                    throughput.runs.size(), Report.fmtRatio(Report.geoMean(throughput, metric))));
        }
        if (latency != null && security == null) {
            for (String metric : List.of("e2e p50 ms", "e2e p99 ms", "e2e p99.9 ms")) {
                out.add(String.format(Locale.ROOT, "Weir/Kafka %-16s %s", metric, Report.fmtRatio(lat.ratio(latency.name(), metric))));
            }
        }
        for (Workload sh : security == null ? shares : List.<Workload>of()) {
            out.add(String.format(Locale.ROOT, "Weir/Kafka %-16s %s (%s)", "share rec/s", Report.fmtRatio(shr.ratio(sh.name(), "share rec/s")),
                    sh.name()));
        }
        if (failover != null) {
            for (String metric : List.of("failover ms", "max stall ms")) {
                out.add(String.format(Locale.ROOT, "Weir/Kafka %-16s %s", metric, Report.fmtRatio(fo.ratio(failover.name(), metric))));
            }
        }
        if (settings.aa()) {
            List<String> aaRatios = new ArrayList<>();
            boolean ok = true;
            for (String w : aa.runs.keySet()) {
                for (String metric : List.of("produce rec/s", "consume rec/s", "e2e p50 ms", "e2e p99 ms", "failover ms", "share rec/s")) {
                    double r = aa.ratio(w, metric);
                    if (!Double.isNaN(r)) {
                        aaRatios.add(metric + " " + Report.fmtRatio(r));
                        ok &= r >= Report.AA_LOW && r <= Report.AA_HIGH;
                    }
                }
            }
            out.add("A/A Kafka/Kafka: " + String.join(", ", aaRatios) + (aaRatios.isEmpty() ? "no result"
                    : ok ? "  (within " + Report.AA_LOW + "-" + Report.AA_HIGH + ": harness ok)"
                            : "  (OUTSIDE " + Report.AA_LOW + "-" + Report.AA_HIGH + ": the harness is noisy; distrust the ratios above)"));
        }
        out.add(String.format(Locale.ROOT, "%d broker runs in %.1f min", runNumber, (System.nanoTime() - t0) / 60e9));
        out.add("");
        out.add("== Runs (in order) ==");
        out.addAll(runLog);

        System.out.println();
        int runsAt = out.indexOf("== Runs (in order) ==");
        out.subList(0, runsAt).forEach(System.out::println);
        Files.createDirectories(settings.out().getParent());
        Files.write(settings.out(), out, StandardCharsets.UTF_8);
        List<Chart.Section> sections = new ArrayList<>();
        for (Report.Comparison c : List.of(throughput, lat, grp, txn, shr, fo)) {
            if (!c.runs.isEmpty()) {
                sections.add(c.section(false));
            }
        }
        for (Secured sec : List.of(sThroughput, sLat, sGrp, sTxn)) {
            for (Report.Comparison c : sec.all()) {
                if (!c.runs.isEmpty()) {
                    sections.add(c.section(false));
                }
            }
        }
        if (!aa.runs.isEmpty()) {
            sections.add(aa.section(true));
        }
        List<String> chartHeader = new ArrayList<>(header);
        chartHeader.add("arguments: " + String.join(" ", arguments));
        chartHeader.add("load average at the end: " + load());
        chartHeader.add(String.format(Locale.ROOT, "%d broker runs in %.1f min", runNumber, (System.nanoTime() - t0) / 60e9));
        int summaryAt = out.indexOf("== Summary ==");
        List<String> notes = new ArrayList<>(out.subList(summaryAt, runsAt));
        Path html = HtmlChart.besides(settings.out());
        HtmlChart.write(new Chart("Weir vs Apache Kafka, side by side", chartHeader, sections, notes), html);
        System.out.println("written to " + settings.out() + " (with every run) and " + html + "; broker logs in " + settings.logs());
    }

    /**
     * The four tables of one workload family in a {@code --security} run: Weir/Kafka over the secured listener and
     * over PLAINTEXT, and each system's secured/PLAINTEXT ratio, all from the same runs.
     */
    private static final class Secured {
        final Report.Comparison secured;
        final Report.Comparison plain;
        final Report.Comparison weirCost;
        final Report.Comparison kafkaCost;
        final String protocol;

        Secured(String title, String protocol) {
            this.protocol = protocol;
            secured = new Report.Comparison(title + " over " + protocol + ": Weir vs Kafka", "Weir-" + protocol, "Kafka-" + protocol);
            plain = new Report.Comparison(title + " over PLAINTEXT: Weir vs Kafka", "Weir-PLAINTEXT", "Kafka-PLAINTEXT");
            weirCost = new Report.Comparison(title + ": cost of " + protocol + " on Weir", "Weir-" + protocol, "Weir-PLAINTEXT");
            kafkaCost = new Report.Comparison(title + ": cost of " + protocol + " on Kafka", "Kafka-" + protocol, "Kafka-PLAINTEXT");
        }

        List<Report.Comparison> all() {
            return List.of(secured, plain, weirCost, kafkaCost);
        }

        List<String> lines() {
            List<String> out = new ArrayList<>();
            for (Report.Comparison c : all()) {
                if (!c.runs.isEmpty()) {
                    out.addAll(c.lines());
                    out.add("");
                }
            }
            return out;
        }

        /** Files one run under both tables it belongs to; a run --only left out (null) under none. */
        void add(String workload, boolean weir, boolean secure, RunResult r) {
            if (r == null) {
                return;
            }
            String label = (weir ? "Weir-" : "Kafka-") + (secure ? protocol : "PLAINTEXT");
            (secure ? secured : plain).add(workload, label, r);
            (weir ? weirCost : kafkaCost).add(workload, label, r);
        }
    }

    /**
     * Runs {@code w} eight times, each on a fresh broker: Weir-S, Kafka-S, Kafka-P, Weir-P, Weir-P, Kafka-P, Kafka-S,
     * Weir-S (S over the secured listener, P over PLAINTEXT): mirrored, so each pair the tables compare has the
     * same mean position in the sequence.
     */
    private void secured(Workload w, Secured t) {
        BrokerProcess.System W = BrokerProcess.System.WEIR;
        BrokerProcess.System K = BrokerProcess.System.KAFKA;
        String sp = settings.security();
        t.add(w.name(), true, true, run(w, W, "Weir-" + sp, security));
        t.add(w.name(), false, true, run(w, K, "Kafka-" + sp, security));
        t.add(w.name(), false, false, run(w, K, "Kafka-PLAINTEXT", null));
        t.add(w.name(), true, false, run(w, W, "Weir-PLAINTEXT", null));
        t.add(w.name(), true, false, run(w, W, "Weir-PLAINTEXT", null));
        t.add(w.name(), false, false, run(w, K, "Kafka-PLAINTEXT", null));
        t.add(w.name(), false, true, run(w, K, "Kafka-" + sp, security));
        t.add(w.name(), true, true, run(w, W, "Weir-" + sp, security));
    }

    /** Runs {@code w} four times: A, B, B, A, each on a fresh broker (over the secured listener in a --security run). */
    private void abba(Workload w, Report.Comparison c, BrokerProcess.System sa, String la, BrokerProcess.System sb, String lb) {
        run(w, c, sa, la);
        run(w, c, sb, lb);
        run(w, c, sb, lb);
        run(w, c, sa, la);
    }

    private void run(Workload w, Report.Comparison c, BrokerProcess.System system, String label) {
        if (settings.only() != null && !system.name().equalsIgnoreCase(settings.only())) {
            return;
        }
        RunResult r = run(w, system, label, security);
        if (!planning) {
            c.add(w.name(), label, r);
        }
    }

    /** One run on a fresh broker (or cluster), printed and logged; null (not run) for a system --only leaves out. */
    private RunResult run(Workload w, BrokerProcess.System system, String label, SbsSecurity sec) {
        if (settings.only() != null && !system.name().equalsIgnoreCase(settings.only())) {
            return null;
        }
        if (planning) {
            planned++;
            return null;
        }
        runNumber++;
        Path logFile = settings.logs().resolve(String.format(Locale.ROOT, "%03d-%s.log", runNumber, label.toLowerCase(Locale.ROOT)));
        System.out.printf(Locale.ROOT, "run %3d  %-15s %-30s ", runNumber, label, w.name());
        System.out.flush();
        RunResult r;
        long startup = -1;
        long stop = -1;
        long delete = -1;
        long t0 = System.nanoTime();
        try {
            Target broker = settings.cluster() > 0
                    ? ClusterProcess.start(system, settings, classpaths, logFile)
                    : BrokerProcess.start(system, settings, classpaths, logFile, sec);
            try {
                startup = broker.startupMillis();
                r = w.run(broker);
                if (broker instanceof ClusterProcess cluster && !cluster.warnings().isEmpty()) {
                    List<String> notes = new ArrayList<>(cluster.warnings());
                    notes.addAll(r.notes());
                    r = new RunResult(r.metrics(), r.error(), notes);
                }
            } catch (Exception e) {
                r = RunResult.failed(e.toString());
            } finally {
                if (!broker.isAlive()) {
                    r = RunResult.failed("broker died during the run (see "
                            + (settings.cluster() > 0 ? logFile.toString().replaceFirst("\\.log$", "-*.log") : logFile) + ")");
                }
                broker.close();
                stop = broker.stopMillis();
                delete = broker.deleteMillis();
            }
        } catch (Exception e) {
            r = RunResult.failed("startup: " + e.getMessage());
        }
        String line = r.error() != null
                ? "FAILED: " + r.error()
                : r.metrics().entrySet().stream().map(e -> e.getKey() + " " + Report.fmt(e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", "));
        String suffix = String.format(Locale.ROOT, " [start %d ms, stop %d ms (delete %d), all %.1f s]", startup, stop, delete,
                (System.nanoTime() - t0) / 1e9);
        System.out.println(line + suffix);
        r.notes().forEach(n -> System.out.println("         note: " + n));
        System.out.println("         " + progress.after(runNumber));
        runLog.add(String.format(Locale.ROOT, "run %3d  %-15s %-30s %s%s", runNumber, label, w.name(), line, suffix));
        r.notes().forEach(n -> runLog.add("         note: " + n));
        return r;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String clientsVersion() {
        try (var in = SideBySide.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }

    private String kafkaVersion() {
        for (String entry : classpaths.kafka().split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("kafka_2.13-")) {
                return name.substring("kafka_2.13-".length(), name.length() - ".jar".length());
            }
        }
        return "?";
    }

    private String weirJar() {
        for (String entry : classpaths.weir().split(java.io.File.pathSeparator)) {
            if (entry.contains("weir-broker")) {
                return Path.of(entry).getFileName().toString();
            }
        }
        return "weir-broker";
    }
}
