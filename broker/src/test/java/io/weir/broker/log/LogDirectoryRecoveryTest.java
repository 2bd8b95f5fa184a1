package io.weir.broker.log;

import static io.weir.broker.log.FaultTestSupport.T0;
import static io.weir.broker.log.FaultTestSupport.TP;
import static io.weir.broker.log.FaultTestSupport.assertSamePrefix;
import static io.weir.broker.log.FaultTestSupport.batches;
import static io.weir.broker.log.FaultTestSupport.logFiles;
import static io.weir.broker.log.FaultTestSupport.readAllBytes;
import static io.weir.broker.log.FaultTestSupport.testBatch;
import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.log.FaultTestSupport.HeldTasksScheduler;
import io.weir.broker.log.FaultTestSupport.PartitionSnapshot;
import io.weir.broker.log.FaultTestSupport.StoredBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a partition directory may hold besides a healthy log, and how loading copes: indexes missing,
 * filled with garbage or with zeros (an active index preallocated at the moment of a crash), foreign
 * files, orphaned indexes and left-over deleted segments.
 *
 * <p>Indexes are derived data: whatever state they are in, every read by offset and by timestamp
 * must answer as it did before, and a rebuilt index must be the same bytes as the original.
 */
class LogDirectoryRecoveryTest {
    private static final int BATCHES = 41;

    /** How a case loads the damaged directory: after a clean stop, or after a crash with some recovery point. */
    enum Load { CLEAN, UNCLEAN_FROM_ZERO, UNCLEAN_FROM_LAST_SEGMENT }

    @TempDir
    Path tmp;

    private final LogConfig config = FaultTestSupport.smallSegments(2048);
    private final HeldTasksScheduler scheduler = new HeldTasksScheduler();
    private GroupCommitFlusher flusher;
    private LogEnvironment env;
    private Path source;
    private PartitionSnapshot snapshot;
    private List<StoredBatch> originals;
    private List<Long> segmentBases;
    private Path work;

    @BeforeEach
    void writeSourceLog() {
        flusher = new GroupCommitFlusher("log-directory-test");
        env = new LogEnvironment(new MockTime(), scheduler, flusher);
        source = tmp.resolve("source").resolve("faults-0");
        try (PartitionLog log = PartitionLog.open(source, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < BATCHES; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            originals = batches(log);
            segmentBases = log.segments().stream().map(LogSegment::baseOffset).toList();
        }
        snapshot = new PartitionSnapshot(source);
        work = snapshot.restoreTo(tmp.resolve("work").resolve("faults-0"));
        assertThat(segmentBases).hasSizeGreaterThanOrEqualTo(3);
        for (long base : segmentBases) {
            assertThat(sizeOf(LogFileNames.offsetIndexFile(source, base))).as("segment %d has offset-index entries", base)
                    .isPositive();
        }
    }

    @AfterEach
    void stop() {
        flusher.close();
    }

    @ParameterizedTest
    @EnumSource(Load.class)
    void missingIndexesAreRebuilt(Load load) throws IOException {
        for (long base : segmentBases) {
            Files.delete(LogFileNames.offsetIndexFile(work, base));
            Files.delete(LogFileNames.timeIndexFile(work, base));
        }
        loadAndCheck(load);
    }

    @ParameterizedTest
    @EnumSource(Load.class)
    void onlyTheTimeIndexMissingIsRebuilt(Load load) throws IOException {
        Files.delete(LogFileNames.timeIndexFile(work, segmentBases.get(0)));
        loadAndCheck(load);
    }

    @ParameterizedTest
    @EnumSource(Load.class)
    void indexesFullOfRandomBytesAreRebuilt(Load load) throws IOException {
        Random random = new Random(11);
        for (long base : segmentBases) {
            byte[] garbage = new byte[800];
            random.nextBytes(garbage);
            Files.write(LogFileNames.offsetIndexFile(work, base), garbage);
            random.nextBytes(garbage);
            Files.write(LogFileNames.timeIndexFile(work, base), garbage);
        }
        loadAndCheck(load);
    }

    /**
     * An active segment's indexes are preallocated and mapped; after a crash they are full-size
     * files whose tail is zeros. Loading must not take those zeros for entries.
     */
    @ParameterizedTest
    @EnumSource(Load.class)
    void zeroFilledPreallocatedIndexesAreRebuilt(Load load) throws IOException {
        long last = segmentBases.get(segmentBases.size() - 1);
        for (long base : segmentBases) {
            for (Path index : List.of(LogFileNames.offsetIndexFile(work, base), LogFileNames.timeIndexFile(work, base))) {
                byte[] entries = Files.readAllBytes(index);
                byte[] preallocated = new byte[config.maxIndexSize()];
                if (base == last) {
                    System.arraycopy(entries, 0, preallocated, 0, entries.length); // the active one: entries, then zeros
                }
                Files.write(index, preallocated);
            }
        }
        loadAndCheck(load);
    }

    /**
     * A time-index entry that passes an ordering check but names an offset outside its segment
     * (here: a timestamp older than every record, pointing far past the segment's end). Trusting it
     * makes a search by timestamp start past the records it should find.
     */
    @ParameterizedTest
    @EnumSource(value = Load.class, names = {"CLEAN", "UNCLEAN_FROM_LAST_SEGMENT"})
    void timeIndexEntryOutsideItsSegmentIsRebuilt(Load load) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(TimeIndex.ENTRY_SIZE).putLong(T0 - 1).putInt(100_000);
        Files.write(LogFileNames.timeIndexFile(work, segmentBases.get(0)), entry.array());
        loadAndCheck(load);
    }

    /**
     * An offset-index entry that passes an ordering check but points into the middle of a batch
     * (one byte past its start). Trusting it makes the reader take record bytes for a batch header.
     */
    @ParameterizedTest
    @EnumSource(value = Load.class, names = {"CLEAN", "UNCLEAN_FROM_ZERO"})
    void offsetIndexEntryInsideABatchIsRebuilt(Load load) throws IOException {
        long last = segmentBases.get(segmentBases.size() - 1);
        // the last segment: on a clean load it is not rescanned, and its log end is read from its index
        Path index = LogFileNames.offsetIndexFile(work, last);
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
        int lastSlot = entries.capacity() / OffsetIndex.ENTRY_SIZE - 1;
        int position = entries.getInt(lastSlot * OffsetIndex.ENTRY_SIZE + 4);
        entries.putInt(lastSlot * OffsetIndex.ENTRY_SIZE + 4, position + 1);
        Files.write(index, entries.array());
        loadAndCheck(load);
    }

    @ParameterizedTest
    @EnumSource(value = Load.class, names = {"CLEAN", "UNCLEAN_FROM_ZERO"})
    void foreignFilesAreLeftAlone(Load load) throws IOException {
        Path notes = Files.writeString(work.resolve("notes.txt"), "kept by an operator");
        Path backup = Files.write(work.resolve("00000000000000000000.log.bak"), readAllBytes(logFiles(work).get(0)));
        Path shortName = Files.writeString(work.resolve("123.log"), "not a segment: its name is not 20 digits");
        Path subdir = Files.createDirectories(work.resolve("scratch"));
        Path inSubdir = Files.writeString(subdir.resolve("00000000000000000000.log"), "not in the partition directory");
        loadAndCheck(load);
        assertThat(notes).hasContent("kept by an operator");
        assertThat(backup).hasBinaryContent(readAllBytes(logFiles(source).get(0)));
        assertThat(shortName).hasContent("not a segment: its name is not 20 digits");
        assertThat(inSubdir).hasContent("not in the partition directory");
    }

    @ParameterizedTest
    @EnumSource(value = Load.class, names = {"CLEAN", "UNCLEAN_FROM_ZERO"})
    void orphanedIndexesAreRemoved(Load load) throws IOException {
        long orphanBase = 9_999;
        Path orphanIndex = Files.write(LogFileNames.offsetIndexFile(work, orphanBase),
                readAllBytes(LogFileNames.offsetIndexFile(source, 0)));
        Path orphanTimeIndex = Files.write(LogFileNames.timeIndexFile(work, orphanBase),
                readAllBytes(LogFileNames.timeIndexFile(source, 0)));
        loadAndCheck(load);
        assertThat(orphanIndex).doesNotExist();
        assertThat(orphanTimeIndex).doesNotExist();
    }

    /** Segments renamed *.deleted by retention before the stop are removed, never loaded. */
    @Test
    void leftOverDeletedSegmentFilesAreRemoved() throws IOException {
        long base = 500;
        Path deletedLog = work.resolve(LogFileNames.logFile(work, base).getFileName() + LogFileNames.DELETED_SUFFIX);
        Files.write(deletedLog, readAllBytes(logFiles(source).get(0)));
        Path deletedIndex = work.resolve(LogFileNames.offsetIndexFile(work, base).getFileName() + LogFileNames.DELETED_SUFFIX);
        Files.write(deletedIndex, readAllBytes(LogFileNames.offsetIndexFile(source, 0)));
        loadAndCheck(Load.UNCLEAN_FROM_ZERO);
        assertThat(deletedLog).doesNotExist();
        assertThat(deletedIndex).doesNotExist();
    }

    /**
     * Loads the work directory, checks every read by offset and by timestamp, then closes the log
     * and checks that each index file is the same bytes as the index written originally.
     */
    private void loadAndCheck(Load load) {
        boolean clean = load == Load.CLEAN;
        long recoveryPoint = load == Load.UNCLEAN_FROM_LAST_SEGMENT ? segmentBases.get(segmentBases.size() - 1) : 0;
        try (PartitionLog log = PartitionLog.open(work, TP, config, recoveryPoint, 0, clean, env)) {
            assertThat(log.numberOfSegments()).isEqualTo(segmentBases.size());
            assertThat(log.logEndOffset()).as("%s: log end offset", load)
                    .isEqualTo(originals.get(originals.size() - 1).lastOffset() + 1);
            assertSamePrefix(batches(log), originals, originals.size(), load.name());
            for (StoredBatch b : originals) {
                for (long offset = b.baseOffset(); offset <= b.lastOffset(); offset++) {
                    FetchDataInfo info = log.read(offset, 1, true);
                    assertThat(info.records().readAll().array()).as("%s: read at offset %d", load, offset).isEqualTo(b.bytes());
                }
            }
            for (int i = 0; i < BATCHES; i++) {
                long expected = originals.get(i).baseOffset();
                long ts = T0 + 10L * i;
                assertThat(log.offsetForTimestamp(ts)).as("%s: offset for timestamp %d", load, ts)
                        .get().extracting(TimestampOffset::offset).isEqualTo(expected);
                assertThat(log.offsetForTimestamp(ts - 5)).as("%s: offset for timestamp %d", load, ts - 5)
                        .get().extracting(TimestampOffset::offset).isEqualTo(expected);
            }
            assertThat(log.offsetForTimestamp(T0 + 10L * BATCHES)).as("%s: after the newest record", load)
                    .isEqualTo(Optional.empty());
            for (LogSegment segment : log.segments()) {
                assertThat(segment.maxTimestamp()).as("%s: largest timestamp of %s", load, segment)
                        .isEqualTo(maxTimestampIn(segment.baseOffset()));
            }
        }
        for (long base : segmentBases) {
            assertThat(LogFileNames.offsetIndexFile(work, base)).as("%s: offset index of segment %d", load, base)
                    .hasBinaryContent(readAllBytes(LogFileNames.offsetIndexFile(source, base)));
            assertThat(LogFileNames.timeIndexFile(work, base)).as("%s: time index of segment %d", load, base)
                    .hasBinaryContent(readAllBytes(LogFileNames.timeIndexFile(source, base)));
        }
    }

    private long maxTimestampIn(long segmentBase) {
        Path name = LogFileNames.logFile(source, segmentBase).getFileName();
        return originals.stream().filter(b -> b.file().getFileName().equals(name))
                .mapToLong(b -> b.decode().maxTimestamp()).max().orElseThrow();
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
