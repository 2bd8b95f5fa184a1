package io.weir.bench.storage;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of a storage report run. Each is read from an argument {@code key=value}, else from
 * the system property {@code weir.bench.<key>}, else its default. Unknown keys are refused, so a
 * typo does not silently run the defaults.
 */
public record ReportSettings(int rounds, int forks, int warmupIterations, int warmupSeconds, int iterations,
                             int seconds, int appendMiB, int readMiB, int lookupRecords, String buffer,
                             Set<String> groups, Path dir, Path jmhLog, double maxWriteGiB) {

    public static final List<String> GROUPS = List.of("append", "groupcommit", "read", "lookup");

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("rounds", "2");
        d.put("forks", "1");
        d.put("warmupIterations", "2");
        d.put("warmupSeconds", "2");
        d.put("iterations", "3");
        d.put("seconds", "3");
        d.put("appendMiB", "256");
        d.put("readMiB", "512");
        d.put("lookupRecords", "1000000");
        d.put("buffer", "heap");
        d.put("groups", String.join(",", GROUPS));
        d.put("dir", System.getProperty("java.io.tmpdir"));
        d.put("jmhLog", Paths.get(System.getProperty("java.io.tmpdir"), "weir-storage-bench-jmh.log").toString());
        d.put("maxWriteGiB", "20");
        return d;
    }

    /** What each setting means, for {@code help}. */
    public static String usage() {
        return """
                Arguments: key=value ... (or -Dweir.bench.<key>=value)
                  rounds            interleaved Weir/raw rounds; the ratio is the median of the per-round ratios
                  forks             JMH forks per benchmark and round
                  warmupIterations  warmup iterations (append: fixed-size iterations, others: warmupSeconds each)
                  warmupSeconds     seconds per warmup iteration (time-bounded benchmarks)
                  iterations        measurement iterations
                  seconds           seconds per measurement iteration (time-bounded benchmarks)
                  appendMiB         bytes appended per append iteration (bounds what a run writes)
                  readMiB           size of the log read by the sequential-read benchmark
                  lookupRecords     100-byte records in the log of the offset-lookup benchmark
                  buffer            heap or direct: the buffer appends and raw writes come from
                  groups            any of append,groupcommit,read,lookup
                  dir               where benchmark data goes (default: the temporary directory)
                  jmhLog            file that receives the full JMH output
                  maxWriteGiB       refuse to start when the run would write more than this
                Defaults: """ + DEFAULTS;
    }

    public static ReportSettings parse(String[] args, Properties system) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        for (String key : DEFAULTS.keySet()) {
            String p = system.getProperty("weir.bench." + key);
            if (p != null) {
                v.put(key, p);
            }
        }
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg : arg.substring(0, eq);
            if (eq < 0 || !DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException("Unknown argument " + arg + "\n" + usage());
            }
            v.put(key, arg.substring(eq + 1));
        }
        Set<String> groups = Set.of(v.get("groups").split(","));
        for (String g : groups) {
            if (!GROUPS.contains(g)) {
                throw new IllegalArgumentException("Unknown group " + g + "; groups are " + GROUPS);
            }
        }
        BufferKind.parse(v.get("buffer"));
        return new ReportSettings(positive(v, "rounds"), positive(v, "forks"), positive(v, "warmupIterations"),
                positive(v, "warmupSeconds"), positive(v, "iterations"), positive(v, "seconds"), positive(v, "appendMiB"),
                positive(v, "readMiB"), positive(v, "lookupRecords"), v.get("buffer"), groups, Paths.get(v.get("dir")),
                Paths.get(v.get("jmhLog")), Double.parseDouble(v.get("maxWriteGiB")));
    }

    private static int positive(Map<String, String> v, String key) {
        int n;
        try {
            n = Integer.parseInt(v.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not " + v.get(key));
        }
        if (n <= 0) {
            throw new IllegalArgumentException(key + " must be positive, not " + n);
        }
        return n;
    }

    public boolean runs(String group) {
        return groups.contains(group);
    }

    /** The settings as arguments, for the line that reproduces the run. */
    public String asArguments() {
        return "rounds=" + rounds + " forks=" + forks + " warmupIterations=" + warmupIterations + " warmupSeconds="
                + warmupSeconds + " iterations=" + iterations + " seconds=" + seconds + " appendMiB=" + appendMiB
                + " readMiB=" + readMiB + " lookupRecords=" + lookupRecords + " buffer=" + buffer + " groups="
                + String.join(",", GROUPS.stream().filter(groups::contains).toList());
    }
}
