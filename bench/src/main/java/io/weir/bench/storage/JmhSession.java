package io.weir.bench.storage;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs benchmarks one at a time through the JMH Runner API. JMH's own (long) output goes to one
 * log file for the whole session; the console gets one line per run. The forked JVMs get the
 * scratch directory and a stats file ({@link BenchStats}) through system properties.
 */
public final class JmhSession implements AutoCloseable {
    private final ReportSettings settings;
    private final PrintStream log;
    private final OutputFormat format;
    private final Path statsFile;
    private final List<String> jvmArgs;

    public JmhSession(ReportSettings settings) {
        this.settings = settings;
        try {
            Path parent = settings.jmhLog().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.log = new PrintStream(new FileOutputStream(settings.jmhLog().toFile(), false), true, "UTF-8");
            this.statsFile = Files.createTempFile("weir-bench-stats-", ".txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.format = OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL);
        this.jvmArgs = List.of("-D" + ScratchDir.DIR_PROPERTY + "=" + settings.dir().toAbsolutePath(),
                "-D" + BenchStats.FILE_PROPERTY + "=" + statsFile.toAbsolutePath());
    }

    /** Runs {@code run} and returns its scores. */
    public Scores run(BenchRun run, String progress) {
        System.out.printf("%-12s %-70s ", progress, run.name());
        System.out.flush();
        Collection<RunResult> results;
        try {
            results = new Runner(run.options(settings, jvmArgs), format).run();
        } catch (RunnerException e) {
            System.out.println("FAILED");
            throw new IllegalStateException(run.name() + " failed; see " + settings.jmhLog(), e);
        }
        if (results.size() != 1) {
            System.out.println("FAILED");
            throw new IllegalStateException(run.name() + " gave " + results.size() + " results; see " + settings.jmhLog());
        }
        RunResult result = results.iterator().next();
        Result<?> primary = result.getPrimaryResult();
        System.out.printf("%12.3f %s%n", primary.getScore(), primary.getScoreUnit());
        Map<String, Double> secondary = new HashMap<>();
        result.getSecondaryResults().forEach((name, r) -> secondary.put(name, r.getScore()));
        return new Scores(primary.getScore(), secondary);
    }

    /** Counters the benchmarks recorded, summed over the session. */
    public Map<String, Long> stats() {
        return BenchStats.read(statsFile);
    }

    @Override
    public void close() {
        log.close();
        try {
            Files.deleteIfExists(statsFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
