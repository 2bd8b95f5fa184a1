package io.weir.broker.log;

import static io.weir.broker.log.FaultTestSupport.TP;
import static io.weir.broker.log.FaultTestSupport.assertSamePrefix;
import static io.weir.broker.log.FaultTestSupport.batches;
import static io.weir.broker.log.FaultTestSupport.flip;
import static io.weir.broker.log.FaultTestSupport.logFiles;
import static io.weir.broker.log.FaultTestSupport.testBatch;
import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.log.FaultTestSupport.HeldTasksScheduler;
import io.weir.broker.log.FaultTestSupport.PartitionSnapshot;
import io.weir.broker.log.FaultTestSupport.StoredBatch;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single damaged bytes inside stored batches, found (or deliberately not looked for) by recovery
 * after an unclean stop.
 *
 * <p>What recovery promises, and these tests pin down:
 * <ul>
 *   <li>It scans whole segments, starting with the one that holds the recovery point; segments
 *       wholly below it were fsynced and are trusted without being read again.</li>
 *   <li>In a scanned segment the first batch that fails its CRC (or has an impossible length,
 *       magic or offset) ends the log: the file is cut at that batch and later segments are
 *       deleted. Batches after a corrupt one are dropped even when whole, because once one batch is
 *       wrong nothing after it can be trusted to sit where the offsets say.</li>
 *   <li>The v2 format leaves the base offset and the partition leader epoch outside the CRC (the
 *       broker rewrites them in place): damage there cannot be seen by a CRC check.</li>
 * </ul>
 */
class CorruptionRecoveryTest {
    /** 41: the last batch holds one record, so that cutting it at every byte stays cheap. */
    private static final int BATCHES = 41;
    /** Batch header layout, see {@link BatchHeader}. */
    private static final int LENGTH = 8;
    private static final int EPOCH = 12;
    private static final int MAGIC = 16;
    private static final int CRC = 17;

    @TempDir
    Path tmp;

    private final LogConfig config = FaultTestSupport.smallSegments(2048);
    private final HeldTasksScheduler scheduler = new HeldTasksScheduler();
    private GroupCommitFlusher flusher;
    private LogEnvironment env;
    private Path source;
    private PartitionSnapshot snapshot;
    private List<StoredBatch> originals;
    private long lastSegmentBase;

    @BeforeEach
    void writeSourceLog() {
        flusher = new GroupCommitFlusher("corruption-test");
        env = new LogEnvironment(new MockTime(), scheduler, flusher);
        source = tmp.resolve("source").resolve("faults-0");
        try (PartitionLog log = PartitionLog.open(source, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < BATCHES; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            originals = batches(log);
            lastSegmentBase = log.segments().get(log.numberOfSegments() - 1).baseOffset();
        }
        snapshot = new PartitionSnapshot(source);
        assertThat(logFiles(source)).hasSizeGreaterThanOrEqualTo(3);
    }

    @AfterEach
    void stop() {
        flusher.close();
    }

    @Test
    void everyCheckedByteOfTheLastBatchIsCaught() {
        StoredBatch last = originals.get(originals.size() - 1);
        List<Integer> offsetsInBatch = new ArrayList<>(List.of(LENGTH, LENGTH + 1, LENGTH + 2, LENGTH + 3, MAGIC));
        for (int i = CRC; i < last.bytes().length; i++) {
            offsetsInBatch.add(i);
        }
        for (int at : offsetsInBatch) {
            Path copy = copyOfSource();
            Path file = copy.resolve(last.file().getFileName());
            flip(file, last.position() + at, 1 << (at % 8));
            String context = "bit flipped at byte " + at + " of the last batch";
            try (PartitionLog log = PartitionLog.open(copy, TP, config, lastSegmentBase, 0, false, env)) {
                assertSamePrefix(batches(log), originals, originals.size() - 1, context);
                assertThat(log.logEndOffset()).as(context).isEqualTo(last.baseOffset());
                assertThat(sizeOf(file)).as(context + ": file cut at the corrupt batch").isEqualTo(last.position());
            }
        }
    }

    /**
     * Corruption in the middle of the active segment ends the log there, even below the recovery
     * point: the segment holding the recovery point is scanned whole, and the batches after the
     * corrupt one (fsynced or not) are dropped.
     */
    @Test
    void corruptBatchInTheActiveSegmentEndsTheLogThere() {
        List<StoredBatch> active = inSegment(lastSegmentBase);
        assertThat(active).hasSizeGreaterThanOrEqualTo(3);
        long logEnd = originals.get(originals.size() - 1).lastOffset() + 1;
        for (StoredBatch victim : active.subList(0, active.size() - 1)) {
            for (long recoveryPoint : new long[] {lastSegmentBase, victim.lastOffset() + 1, logEnd}) {
                Path copy = copyOfSource();
                Path file = copy.resolve(victim.file().getFileName());
                flip(file, victim.end() - 1, 0x10); // inside the last record's value
                String context = "batch at offset " + victim.baseOffset() + " corrupt, recovery point " + recoveryPoint;
                try (PartitionLog log = PartitionLog.open(copy, TP, config, recoveryPoint, 0, false, env)) {
                    assertSamePrefix(batches(log), originals, originals.indexOf(victim), context);
                    assertThat(log.logEndOffset()).as(context).isEqualTo(victim.baseOffset());
                    assertThat(sizeOf(file)).as(context).isEqualTo(victim.position());
                    LogAppendInfo info = log.appendAsLeader(testBatch(500), 4);
                    assertThat(info.firstOffset()).as(context + ": appends continue at the cut").isEqualTo(victim.baseOffset());
                }
            }
        }
    }

    /**
     * A segment wholly below the recovery point is trusted: a corrupt batch in it is not found at
     * load, stays readable as stored, and a consumer's CRC check is what rejects it. Scanned from a
     * recovery point of 0 the same damage ends the log there and the later segments are deleted.
     */
    @Test
    void segmentsBelowTheRecoveryPointAreNotRescanned() {
        long firstBase = 0;
        List<StoredBatch> first = inSegment(firstBase);
        StoredBatch victim = first.get(first.size() / 2);
        long logEnd = originals.get(originals.size() - 1).lastOffset() + 1;

        Path trusted = copyOfSource();
        flip(trusted.resolve(victim.file().getFileName()), victim.end() - 1, 0x10);
        try (PartitionLog log = PartitionLog.open(trusted, TP, config, lastSegmentBase, 0, false, env)) {
            assertThat(log.logEndOffset()).isEqualTo(logEnd);
            assertThat(log.numberOfSegments()).isEqualTo(logFiles(source).size());
            ByteBuffer stored = log.read(victim.baseOffset(), 1, true).records().readAll();
            MutableRecordBatch batch = MemoryRecords.readableRecords(stored).batches().iterator().next();
            assertThat(batch.baseOffset()).isEqualTo(victim.baseOffset());
            assertThat(batch.isValid()).as("the corrupt batch is served as stored; its CRC fails").isFalse();
            FetchDataInfo after = log.read(victim.lastOffset() + 1, 1, true);
            assertThat(after.records().readAll().array()).isEqualTo(originals.get(originals.indexOf(victim) + 1).bytes());
        }

        Path scanned = copyOfSource();
        flip(scanned.resolve(victim.file().getFileName()), victim.end() - 1, 0x10);
        try (PartitionLog log = PartitionLog.open(scanned, TP, config, 0, 0, false, env)) {
            assertSamePrefix(batches(log), originals, originals.indexOf(victim), "scanned from recovery point 0");
            assertThat(log.logEndOffset()).isEqualTo(victim.baseOffset());
            assertThat(log.numberOfSegments()).isEqualTo(1);
            assertThat(logFiles(scanned)).hasSize(1);
        }
    }

    /** The partition leader epoch is outside the CRC: a flipped bit there is kept, and nothing else changes. */
    @Test
    void leaderEpochIsNotCoveredByTheCrc() {
        StoredBatch last = originals.get(originals.size() - 1);
        Path copy = copyOfSource();
        flip(copy.resolve(last.file().getFileName()), last.position() + EPOCH + 3, 0x04);
        try (PartitionLog log = PartitionLog.open(copy, TP, config, 0, 0, false, env)) {
            List<StoredBatch> recovered = batches(log);
            assertThat(recovered).hasSize(originals.size());
            assertSamePrefix(recovered.subList(0, originals.size() - 1), originals, originals.size() - 1, "epoch flipped");
            assertThat(recovered.get(originals.size() - 1).decode().partitionLeaderEpoch()).isEqualTo(3 ^ 0x04);
        }
    }

    /**
     * The base offset is outside the CRC too. A flip that makes it go backwards is caught (offsets must
     * increase); one that makes it jump forwards cannot be told from a legitimate gap (a follower may
     * copy a leader's gaps) and is kept. Either way the batches before it survive and appends continue
     * after whatever the log now ends with.
     */
    @Test
    void baseOffsetDamageNeverHarmsTheBatchesBefore() {
        StoredBatch last = originals.get(originals.size() - 1);
        for (int bit = 0; bit < 64; bit++) {
            Path copy = copyOfSource();
            Path file = copy.resolve(last.file().getFileName());
            flip(file, last.position() + 7 - bit / 8, 1 << (bit % 8));
            long damagedBase = last.baseOffset() ^ (1L << bit);
            String context = "bit " + bit + " of the last batch's base offset flipped (" + damagedBase + ")";
            try (PartitionLog log = PartitionLog.open(copy, TP, config, lastSegmentBase, 0, false, env)) {
                boolean kept = damagedBase > originals.get(originals.size() - 2).lastOffset()
                        && damagedBase + (last.lastOffset() - last.baseOffset()) - lastSegmentBase <= Integer.MAX_VALUE;
                long expectedEnd = kept ? damagedBase + (last.lastOffset() - last.baseOffset()) + 1 : last.baseOffset();
                assertThat(log.logEndOffset()).as(context).isEqualTo(expectedEnd);
                for (int i = 0; i < originals.size() - 1; i++) {
                    StoredBatch e = originals.get(i);
                    assertThat(log.read(e.baseOffset(), 1, true).records().readAll().array()).as(context).isEqualTo(e.bytes());
                }
                assertThat(sizeOf(file)).as(context).isEqualTo(kept ? last.end() : last.position());
                assertThat(log.appendAsLeader(testBatch(500), 4).firstOffset()).as(context).isEqualTo(expectedEnd);
            }
        }
    }

    private List<StoredBatch> inSegment(long base) {
        Path name = LogFileNames.logFile(source, base).getFileName();
        return originals.stream().filter(b -> b.file().getFileName().equals(name)).toList();
    }

    private Path copyOfSource() {
        return snapshot.restoreTo(tmp.resolve("work").resolve("faults-0"));
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
