package io.weir.broker.log;

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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash can leave the end of the log torn: the last write reached the disk only in part, or the
 * file grew without its data (zeros) or with stale bytes. Recovery must keep every whole batch before
 * the tear byte for byte, in place, and nothing after it.
 *
 * <p>Each case copies a cleanly written log, damages the copy and opens it as after an unclean stop
 * ({@code hadCleanShutdown = false}). Two recovery points are tried: 0 (every segment is scanned) and
 * the base of the last segment (the older segments are trusted, as after a recovery-point checkpoint).
 */
class TornTailRecoveryTest {
    /** 41: the last batch holds one record, so that cutting it at every byte stays cheap. */
    private static final int BATCHES = 41;

    @TempDir
    Path tmp;

    private final LogConfig config = FaultTestSupport.smallSegments(2048);
    private final HeldTasksScheduler scheduler = new HeldTasksScheduler();
    private GroupCommitFlusher flusher;
    private LogEnvironment env;
    private Path source;
    private PartitionSnapshot snapshot;
    private List<Path> sourceFiles;
    private List<StoredBatch> originals;

    @BeforeEach
    void writeSourceLog() {
        flusher = new GroupCommitFlusher("torn-tail-test");
        env = new LogEnvironment(new MockTime(), scheduler, flusher);
        source = tmp.resolve("source").resolve("faults-0");
        try (PartitionLog log = PartitionLog.open(source, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < BATCHES; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            originals = batches(log);
        }
        snapshot = new PartitionSnapshot(source);
        sourceFiles = logFiles(source);
        assertThat(sourceFiles).as("the source log spans several segments").hasSizeGreaterThanOrEqualTo(3);
        assertThat(lastSegmentBatches()).as("the last segment holds several batches").hasSizeGreaterThanOrEqualTo(3);
    }

    @AfterEach
    void stop() {
        flusher.close();
    }

    @Test
    void cutAtEveryByteOfTheLastBatchKeepsExactlyTheBatchesBefore() {
        StoredBatch last = originals.get(originals.size() - 1);
        for (long length = last.position(); length < last.end(); length++) {
            for (long recoveryPoint : recoveryPoints()) {
                recoverCutAt(length, recoveryPoint);
            }
        }
    }

    @Test
    void cutInsideEarlierBatchesOfTheLastSegmentKeepsExactlyTheBatchesBefore() {
        TreeSet<Long> cuts = new TreeSet<>();
        cuts.add(0L); // the whole segment lost: it was created, nothing of it reached the disk
        for (StoredBatch b : lastSegmentBatches()) {
            long p = b.position();
            cuts.addAll(List.of(p, p + 1, p + 7, p + 8, p + 12, p + 60, p + 61, p + 62, b.end() - 1));
        }
        Random random = new Random(42);
        long size = lastSegmentBatches().get(lastSegmentBatches().size() - 1).end();
        for (int i = 0; i < 12; i++) {
            cuts.add((long) random.nextInt((int) size));
        }
        int round = 0;
        for (long length : cuts) {
            recoverCutAt(length, recoveryPoints()[round++ % 2]); // both recovery points, alternately: the cut matters more
        }
    }

    /**
     * A segment other than the last one torn (its data was not yet fsynced when the next segment's
     * was): the tear ends the log, and the later segments go, since offsets must not have a gap. No
     * acknowledged batch can be there: an fsync covering a later segment covers this one too.
     */
    @Test
    void tornEarlierSegmentEndsTheLogAndDropsTheSegmentsAfterIt() {
        Path first = sourceFiles.get(0);
        List<StoredBatch> inFirst = originals.stream().filter(b -> b.file().getFileName().equals(first.getFileName())).toList();
        StoredBatch victim = inFirst.get(inFirst.size() / 2);
        Path copy = copyOfSource();
        FaultTestSupport.truncate(copy.resolve(first.getFileName()), victim.position() + 30);
        try (PartitionLog log = PartitionLog.open(copy, TP, config, 0, 0, false, env)) {
            int keep = originals.indexOf(victim);
            assertSamePrefix(batches(log), originals, keep, "segment 0 torn inside batch at offset " + victim.baseOffset());
            assertThat(log.logEndOffset()).isEqualTo(victim.baseOffset());
            assertThat(log.numberOfSegments()).isEqualTo(1);
            assertThat(logFiles(copy)).extracting(Path::getFileName).containsExactly(first.getFileName());
            for (Path dropped : sourceFiles.subList(1, sourceFiles.size())) {
                long base = LogFileNames.baseOffsetOf(dropped.getFileName().toString(), LogFileNames.LOG_SUFFIX).getAsLong();
                assertThat(LogFileNames.offsetIndexFile(copy, base)).as("index of dropped segment %d", base).doesNotExist();
                assertThat(LogFileNames.timeIndexFile(copy, base)).as("time index of dropped segment %d", base).doesNotExist();
            }
            assertAppendContinuesAtTheEnd(log);
        }
    }

    @Test
    void zerosAfterTheLastBatchAreCut() {
        recoverWithGarbage(new byte[4096], "4096 zero bytes");
        recoverWithGarbage(new byte[10], "10 zero bytes");
    }

    @Test
    void randomBytesAfterTheLastBatchAreCut() {
        Random random = new Random(7);
        for (int n : new int[] {1, 60, 61, 100, 5000}) {
            byte[] garbage = new byte[n];
            random.nextBytes(garbage);
            recoverWithGarbage(garbage, n + " random bytes");
        }
    }

    /** A write replayed after a crash (the same batch twice) must not give its offsets a second time. */
    @Test
    void aRepeatedCopyOfTheLastBatchIsCut() {
        recoverWithGarbage(originals.get(originals.size() - 1).bytes(), "a second copy of the last batch");
    }

    /** A whole valid batch with the right next offset is not garbage: recovery keeps it. */
    @Test
    void aWholeBatchWrittenButNeverAcknowledgedIsKept() {
        StoredBatch last = originals.get(originals.size() - 1);
        MemoryRecords extra = testBatch(99);
        ByteBuffer buf = extra.buffer().duplicate();
        buf.putLong(0, last.lastOffset() + 1); // the base offset is outside the CRC: assigned as the broker would
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        Path copy = copyOfSource();
        Path tail = copy.resolve(last.file().getFileName());
        FaultTestSupport.append(tail, bytes);
        try (PartitionLog log = PartitionLog.open(copy, TP, config, 0, 0, false, env)) {
            List<StoredBatch> recovered = batches(log);
            assertThat(recovered).as("the appended whole batch is kept").hasSize(originals.size() + 1);
            assertSamePrefix(recovered.subList(0, originals.size()), originals, originals.size(), "valid batch appended");
            assertThat(recovered.get(originals.size()).baseOffset()).isEqualTo(last.lastOffset() + 1);
            assertThat(recovered.get(originals.size()).values()).allSatisfy(v -> assertThat(v).startsWith("b99-"));
        }
    }

    private void recoverWithGarbage(byte[] garbage, String what) {
        StoredBatch last = originals.get(originals.size() - 1);
        for (long recoveryPoint : recoveryPoints()) {
            Path copy = copyOfSource();
            Path tail = copy.resolve(last.file().getFileName());
            FaultTestSupport.append(tail, garbage);
            try (PartitionLog log = PartitionLog.open(copy, TP, config, recoveryPoint, 0, false, env)) {
                String context = what + " after the last batch, recovery point " + recoveryPoint;
                assertSamePrefix(batches(log), originals, originals.size(), context);
                assertThat(log.logEndOffset()).as(context).isEqualTo(last.lastOffset() + 1);
                assertThat(readAllBytes(tail)).as(context + ": the file is cut back to the last batch")
                        .isEqualTo(readAllBytes(source.resolve(tail.getFileName())));
                assertAppendContinuesAtTheEnd(log);
            }
        }
    }

    /** Cuts the last segment of a copy to {@code length} bytes, recovers it and checks what survived. */
    private void recoverCutAt(long length, long recoveryPoint) {
        Path lastFile = sourceFiles.get(sourceFiles.size() - 1);
        Path copy = copyOfSource();
        Path tail = copy.resolve(lastFile.getFileName());
        FaultTestSupport.truncate(tail, length);
        int keep = (int) originals.stream()
                .filter(b -> !b.file().getFileName().equals(lastFile.getFileName()) || b.end() <= length).count();
        long boundary = originals.stream().filter(b -> b.file().getFileName().equals(lastFile.getFileName()) && b.end() <= length)
                .mapToLong(StoredBatch::end).max().orElse(0);
        String context = "last segment cut to " + length + " bytes, recovery point " + recoveryPoint;
        try (PartitionLog log = PartitionLog.open(copy, TP, config, recoveryPoint, 0, false, env)) {
            assertSamePrefix(batches(log), originals, keep, context);
            long expectedEnd = keep == 0 ? 0 : originals.get(keep - 1).lastOffset() + 1;
            assertThat(log.logEndOffset()).as(context + ": log end offset").isEqualTo(expectedEnd);
            assertThat(log.recoveryPoint()).as(context + ": recovery point").isEqualTo(expectedEnd);
            byte[] original = readAllBytes(lastFile);
            assertThat(readAllBytes(tail)).as(context + ": the file is cut at the last whole batch, every byte before kept")
                    .isEqualTo(Arrays.copyOf(original, (int) boundary));
            for (Path older : sourceFiles.subList(0, sourceFiles.size() - 1)) {
                assertThat(readAllBytes(copy.resolve(older.getFileName()))).as(context + ": " + older.getFileName() + " untouched")
                        .isEqualTo(readAllBytes(older));
            }
        }
    }

    private void assertAppendContinuesAtTheEnd(PartitionLog log) {
        long end = log.logEndOffset();
        LogAppendInfo info = log.appendAsLeader(testBatch(1000), 4);
        assertThat(info.firstOffset()).isEqualTo(end);
        List<StoredBatch> after = batches(log);
        assertThat(after.get(after.size() - 1).values().get(0)).startsWith("b1000-");
    }

    private long[] recoveryPoints() {
        Path lastFile = sourceFiles.get(sourceFiles.size() - 1);
        long lastBase = LogFileNames.baseOffsetOf(lastFile.getFileName().toString(), LogFileNames.LOG_SUFFIX).getAsLong();
        return new long[] {0, lastBase};
    }

    private List<StoredBatch> lastSegmentBatches() {
        Path lastFile = sourceFiles.get(sourceFiles.size() - 1);
        return originals.stream().filter(b -> b.file().getFileName().equals(lastFile.getFileName())).toList();
    }

    private Path copyOfSource() {
        return snapshot.restoreTo(tmp.resolve("work").resolve("faults-0"));
    }
}
