package io.weir.bench.jms;

import io.weir.bench.Progress;
import io.weir.bench.chart.HtmlChart;
import io.weir.bench.jms.JmsReport.Result;
import io.weir.bench.jms.JmsServer.Kind;
import io.weir.bench.jms.RunPlan.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * JMS side-by-side benchmark: the same plain {@code jakarta.jms} code ({@link JmsWorkloads}) against
 * Weir (through {@code io.weir.jms.WeirConnectionFactory}, default flush policy and with group-commit
 * fsync) and ActiveMQ Artemis (embedded server, persistent journal). Every run starts a fresh broker in
 * its own JVM and a fresh client JVM ({@link JmsClientMain}); the order is {@link RunPlan}'s. Prints the
 * run list and {@link JmsReport}'s tables to stdout and to {@code bench/target/jms-side-by-side.txt}; the
 * broker and client logs of run N are {@code bench/target/jms-side-by-side-logs/NNN-<label>-{broker,client}.log}.
 * Started by {@code bench/run-jms-side-by-side.sh}.
 */
public final class JmsSideBySide {

    private JmsSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        JmsSettings s;
        try {
            s = JmsSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path logs = s.target().resolve("jms-side-by-side-logs");
        JmsServer.deleteRecursively(logs);
        Files.createDirectories(logs);
        // fail before the first run if a classpath is missing
        s.weirBrokerClasspath();
        s.weirClientClasspath();
        s.artemisClasspath();

        List<Run> plan = RunPlan.plan(RunPlan.workloads(s), s.rounds(), s.quick(), s.aa());
        List<String> out = new ArrayList<>();
        out.add("JMS side-by-side: Weir vs ActiveMQ Artemis 2.56.0, 1 KiB BytesMessages (see bench/README-jms.md)");
        Path someDir = Path.of("<data>");
        out.add("Weir: " + s.weirConfig() + " as shipped, with " + JmsServer.weirOverrides(Kind.WEIR, "127.0.0.1:<port>", someDir));
        out.add("Weir+gc: the same with " + JmsServer.weirOverrides(Kind.WEIR_GROUP_COMMIT, "127.0.0.1:<port>", someDir));
        out.add("Artemis: EmbeddedActiveMQ, persistence on, journal under <data>, security and JMX off, one acceptor, "
                + "every other setting Artemis' default (ArtemisServerMain)");
        out.add(String.format(Locale.ROOT, "settings: %s; %d runs; started %s; %d cpus; load %s", s, plan.size(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(), load()));
        out.forEach(System.out::println);
        List<Result> results = new ArrayList<>();
        List<String> runLines = new ArrayList<>();
        Progress progress = new Progress(plan.size(), System::nanoTime);
        for (int i = 0; i < plan.size(); i++) {
            Run run = plan.get(i);
            long t0 = System.nanoTime();
            Result r = runOne(s, run, logs, String.format(Locale.ROOT, "%03d-%s", i + 1, run.label().replaceAll("[^A-Za-z0-9+]", "")));
            results.add(r);
            String line = String.format(Locale.ROOT, "run %2d/%d %-22s %-10s %5.1f s  %s", i + 1, plan.size(), run.workload().name(),
                    run.label(), (System.nanoTime() - t0) / 1e9, r.error() != null ? "FAILED: " + firstLine(r.error()) : r.metrics());
            runLines.add(line);
            System.out.println(line);
            System.out.println("  " + progress.after(i + 1));
        }
        List<String> table = JmsReport.lines(results);
        System.out.println();
        table.forEach(System.out::println);
        List<String> all = new ArrayList<>(out);
        all.addAll(runLines);
        all.add("");
        all.addAll(table);
        Path text = s.target().resolve("jms-side-by-side.txt");
        Files.write(text, all, StandardCharsets.UTF_8);
        List<String> header = new ArrayList<>(out);
        header.add("arguments: " + String.join(" ", args));
        Path html = HtmlChart.besides(text);
        HtmlChart.write(JmsReport.chart(results, header), html);
        System.out.println();
        System.out.println("written to " + text + " and " + html);
        System.exit(results.stream().allMatch(r -> r.error() == null) ? 0 : 1);
    }

    private static Result runOne(JmsSettings s, Run run, Path logs, String name) {
        Path brokerLog = logs.resolve(name + "-broker.log");
        Path clientLog = logs.resolve(name + "-client.log");
        try (JmsServer server = JmsServer.start(run.kind(), s, brokerLog)) {
            List<String> cmd = new ArrayList<>();
            cmd.add(JmsServer.java());
            cmd.addAll(Arrays.asList(s.clientJvmOpts().trim().split("\\s+")));
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=error");
            cmd.addAll(List.of("-cp", run.kind() == Kind.ARTEMIS ? s.artemisClasspath() : s.weirClientClasspath(),
                    JmsClientMain.class.getName(), "--provider=" + run.kind().provider, "--url=" + server.url,
                    "--partitions=" + run.workload().weirPartitions(), "--timeout-ms=" + s.timeoutMs()));
            cmd.addAll(run.workload().clientArgs());
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(clientLog.toFile()).start();
            boolean done;
            try {
                done = client.waitFor(s.timeoutMs() + 60_000, TimeUnit.MILLISECONDS);
            } finally {
                client.destroyForcibly();
            }
            String brokerState = server.isAlive() ? "" : " (the broker process had exited; see " + brokerLog + ")";
            if (!done) {
                return new Result(run, null, "client did not finish within " + (s.timeoutMs() + 60_000) + " ms" + brokerState + "; see " + clientLog);
            }
            List<String> lines = Files.readAllLines(clientLog, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                Map<String, Double> m = JmsReport.parseResult(lines.get(i));
                if (m != null && client.exitValue() == 0) {
                    return new Result(run, m, null);
                }
            }
            return new Result(run, null, "client exited with " + client.exitValue() + brokerState + "; " + clientLog + ":\n"
                    + JmsServer.tail(clientLog, 40));
        } catch (IOException | RuntimeException e) {
            return new Result(run, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(run, null, "interrupted");
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
