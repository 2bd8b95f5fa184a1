package io.weir.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters a benchmark wants to report beside its score (appends per fsync, for one), passed from
 * the forked benchmark JVM to the report as {@code name value} lines appended to the file named by
 * {@code -Dweir.bench.statsFile}. Without that property nothing is written. Values of one name add up.
 */
public final class BenchStats {
    public static final String FILE_PROPERTY = "weir.bench.statsFile";

    private BenchStats() {
    }

    /** Adds {@code value} to counter {@code name}; a no-op unless the stats file is configured. */
    public static synchronized void add(String name, long value) {
        String file = System.getProperty(FILE_PROPERTY);
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Paths.get(file), name + " " + value + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write benchmark stats to " + file, e);
        }
    }

    /** The counters in {@code file}, summed by name; empty when the file does not exist. */
    public static Map<String, Long> read(Path file) {
        Map<String, Long> totals = new HashMap<>();
        if (!Files.exists(file)) {
            return totals;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2) {
                    totals.merge(parts[0], Long.parseLong(parts[1]), Long::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read benchmark stats from " + file, e);
        }
        return totals;
    }
}
