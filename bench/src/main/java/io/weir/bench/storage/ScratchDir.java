package io.weir.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scratch directories for benchmark data, under {@code -Dweir.bench.dir} (default: the JVM's
 * temporary directory). Benchmarks create one per iteration or trial and delete it afterwards,
 * so the disk never holds more than one iteration's data.
 */
public final class ScratchDir {
    /** System property naming the parent directory of all benchmark data. */
    public static final String DIR_PROPERTY = "weir.bench.dir";

    private ScratchDir() {
    }

    public static Path create(String prefix) {
        Path parent = Paths.get(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a scratch directory under " + parent, e);
        }
    }

    /**
     * Cuts every {@code .log} file under {@code dir} to zero bytes. Dropping the page-cache data
     * this way, before a log is closed, spares a close-time fsync of data the benchmark throws away
     * (seconds of disk writes outside the measurement, and wear for nothing). Index files are left
     * alone: they are memory-mapped, and cutting a mapped file under the engine would crash it.
     */
    public static void discardLogData(Path dir) {
        for (Path file : list(dir)) {
            if (file.getFileName().toString().endsWith(".log")) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot truncate " + file, e);
                }
            }
        }
    }

    /** Deletes {@code dir} and everything below it; a missing directory is fine. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> all = list(dir);
        all.sort(Comparator.reverseOrder()); // children before parents
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete " + p, e);
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return new java.util.ArrayList<>(s.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }
}
