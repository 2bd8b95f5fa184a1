package io.weir.broker.log;

import static io.weir.broker.log.CompactionTestSupport.data;
import static io.weir.broker.log.CompactionTestSupport.keyed;
import static io.weir.broker.log.CompactionTestSupport.lastValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash at each step of the cleaner's swap leaves files that the next load settles: a half-written
 * {@code .cleaned} segment is discarded (the old segments stay), a complete {@code .swap} segment replaces
 * the segments it covers whether or not they were already renamed {@code .deleted}, and left-over
 * {@code .deleted} files of a finished swap go. Each state is built on disk from a real cleaning and the
 * log reopened after a clean and an unclean stop.
 */
class SwapRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("c", 0);
    private static final Map<String, String> LAST = Map.of("k0", "v7", "k1", "v7", "k2", "v7", "k3", "v7", "k4", "v7");

    @TempDir
    Path root;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");
    private Path pristine;
    private Path cleaned;

    private static LogConfig config() {
        return LogConfig.defaults().with(LogConfig.CLEANUP_POLICY, "compact").with(LogConfig.SEGMENT_BYTES, 64 * 1024);
    }

    private PartitionLog open(Path dir, boolean clean) {
        return PartitionLog.open(dir, TP, config(), 0, 0, clean, new LogEnvironment(time, scheduler, flusher));
    }

    /** pristine: 8 segments of 5 keys each, offsets 0..39, and an empty active segment; cleaned: the same after a pass. */
    @BeforeEach
    void writeAndClean() throws Exception {
        pristine = root.resolve("pristine").resolve("c-0");
        try (PartitionLog log = open(pristine, true)) {
            for (int round = 0; round < 8; round++) {
                for (int k = 0; k < 5; k++) {
                    log.appendAsLeader(keyed(time.milliseconds(), "k" + k, "v" + round), 0);
                }
                log.roll();
            }
        }
        cleaned = copy(pristine, root.resolve("cleaned").resolve("c-0"));
        try (PartitionLog log = open(cleaned, true)) {
            log.lastStableOffset(log.logEndOffset());
            LogCleaner cleaner = new LogCleaner(new CleanerConfig(true, 1, Double.MAX_VALUE, 1 << 20, 0.9, 100),
                    List.of(cleaned.getParent()), () -> List.of(log), time);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(log.numberOfSegments()).isEqualTo(2);
        }
        Files.deleteIfExists(cleaned.getParent().resolve(LogFileNames.CLEANER_OFFSET_CHECKPOINT));
        // the replaced segments' files wait for their delayed deletion: not part of the finished state
        try (Stream<Path> files = Files.list(cleaned)) {
            for (Path p : files.filter(p -> p.toString().endsWith(LogFileNames.DELETED_SUFFIX)).toList()) {
                Files.delete(p);
            }
        }
    }

    @AfterEach
    void tearDown() {
        flusher.close();
        scheduler.close();
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        return to;
    }

    private static String name(long base, String suffix) {
        return LogFileNames.baseName(base) + suffix;
    }

    /** Puts the cleaned segment 0 (log and index) into {@code dir} with {@code suffix} appended. */
    private void placeCleanedSegment(Path dir, String suffix) throws IOException {
        Files.copy(cleaned.resolve(name(0, ".log")), dir.resolve(name(0, ".log" + suffix)));
        Files.copy(cleaned.resolve(name(0, ".index")), dir.resolve(name(0, ".index" + suffix)));
    }

    private void assertOriginal(Path dir, boolean cleanStop) {
        try (PartitionLog log = open(dir, cleanStop)) {
            assertThat(data(log)).hasSize(40);
            assertThat(lastValues(log)).isEqualTo(LAST);
            assertThat(log.numberOfSegments()).isEqualTo(9);
        }
        assertNoLeftOvers(dir);
    }

    private void assertCleaned(Path dir, boolean cleanStop) {
        try (PartitionLog log = open(dir, cleanStop)) {
            assertThat(data(log)).extracting(CompactionTestSupport.KeyedRecord::offset).containsExactly(35L, 36L, 37L, 38L, 39L);
            assertThat(lastValues(log)).isEqualTo(LAST);
            assertThat(log.numberOfSegments()).isEqualTo(2);
            assertThat(log.logEndOffset()).isEqualTo(40);
            log.appendAsLeader(keyed(time.milliseconds(), "k0", "after"), 0);
        }
        try (PartitionLog log = open(dir, true)) {
            assertThat(lastValues(log)).containsEntry("k0", "after");
        }
        assertNoLeftOvers(dir);
    }

    private static void assertNoLeftOvers(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(LogFileNames.CLEANED_SUFFIX) || n.endsWith(LogFileNames.SWAP_SUFFIX)
                            || n.endsWith(LogFileNames.DELETED_SUFFIX));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "clean stop before: {0}")
    @ValueSource(booleans = {true, false})
    void aCrashWhileWritingTheCleanedSegmentKeepsTheOldSegments(boolean cleanStop) throws Exception {
        Path dir = copy(pristine, root.resolve("a").resolve("c-0"));
        placeCleanedSegment(dir, LogFileNames.CLEANED_SUFFIX);
        Files.write(dir.resolve(name(0, ".timeindex" + LogFileNames.CLEANED_SUFFIX)), new byte[12]);
        assertOriginal(dir, cleanStop);
    }

    @ParameterizedTest(name = "clean stop before: {0}")
    @ValueSource(booleans = {true, false})
    void aCrashAfterTheSwapFileWasCompleteFinishesTheSwap(boolean cleanStop) throws Exception {
        Path dir = copy(pristine, root.resolve("b").resolve("c-0"));
        placeCleanedSegment(dir, LogFileNames.SWAP_SUFFIX);
        assertCleaned(dir, cleanStop);
    }

    @Test
    void aCrashWhileTheOldSegmentsWereRenamedFinishesTheSwap() throws Exception {
        Path dir = copy(pristine, root.resolve("c").resolve("c-0"));
        placeCleanedSegment(dir, LogFileNames.SWAP_SUFFIX);
        for (long base : List.of(0L, 5L, 10L)) {
            for (String ext : List.of(".log", ".index", ".timeindex")) {
                Path p = dir.resolve(name(base, ext));
                if (Files.exists(p)) {
                    Files.move(p, dir.resolve(name(base, ext + LogFileNames.DELETED_SUFFIX)));
                }
            }
        }
        assertCleaned(dir, false);
    }

    @Test
    void aCrashAfterTheSwapLeavesOnlyDeletedFilesToRemove() throws Exception {
        Path dir = copy(cleaned, root.resolve("d").resolve("c-0"));
        for (long base = 5; base < 40; base += 5) {
            Files.copy(pristine.resolve(name(base, ".log")), dir.resolve(name(base, ".log" + LogFileNames.DELETED_SUFFIX)));
        }
        Files.copy(pristine.resolve(name(0, ".log")), dir.resolve(name(0, ".log" + LogFileNames.DELETED_SUFFIX)));
        assertCleaned(dir, false);
    }
}
