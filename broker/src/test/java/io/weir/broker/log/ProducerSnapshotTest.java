package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import io.weir.broker.network.LogCapture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer-state snapshots: the file format round-trips and refuses damage; a log writes one at each
 * roll and clean close, loads the newest valid one and replays only the batches after it, falls back
 * past a corrupt one with a warning, ignores those above what an unclean load recovered, and deletes
 * them with their segments, on truncation and on full truncation. Producer-id expiration works on
 * loaded state.
 */
class ProducerSnapshotTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long P = 42;
    private static final long T = 77;

    @TempDir
    Path root;

    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");
    private final LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L);

    @AfterEach
    void tearDown() {
        flusher.close();
        scheduler.close();
    }

    private Path dir() {
        return root.resolve("t-0");
    }

    private PartitionLog open(boolean clean, long recoveryPoint) {
        return PartitionLog.open(dir(), TP, config, recoveryPoint, 0, clean, new LogEnvironment(time, scheduler, flusher));
    }

    private static MemoryRecords idempotent(long producerId, int sequence, String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, sequence, records(values));
    }

    private static MemoryRecords transactional(long producerId, int sequence, String... values) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence, records(values));
    }

    private static SimpleRecord[] records(String... values) {
        return Arrays.stream(values).map(v -> new SimpleRecord(v.getBytes(StandardCharsets.UTF_8))).toArray(SimpleRecord[]::new);
    }

    private static MemoryRecords marker(long producerId, boolean commit) {
        return MemoryRecords.withEndTransactionMarker(producerId, (short) 0,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 3));
    }

    /** Rolls and runs the roll's background task (flush, then the snapshot). */
    private static void rollAndSnapshot(PartitionLog log, MockScheduler scheduler) {
        log.roll();
        scheduler.runDue();
    }

    private List<Long> snapshotOffsets() {
        return List.copyOf(ProducerSnapshotFile.list(dir()).keySet());
    }

    @Test
    void theFileRoundTripsEveryField() throws Exception {
        ProducerStateManager state = new ProducerStateManager();
        state.update(P, (short) 2, 0, 4, 0, 4, false, true, 1_000);
        state.update(P, (short) 2, 5, 5, 5, 5, false, true, 1_001);
        state.update(T, (short) 0, 0, 0, 6, 6, true, true, 1_002);
        state.completeTxn(9, (short) 1, 4, 7, true);
        state.update(9, (short) 1, 0, 0, 8, 8, true, true, 1_003);
        state.completeTxn(9, (short) 1, 5, 9, false);
        ProducerStateImage image = state.image(10);
        ByteBuffer bytes = ProducerSnapshotFile.serialize(image);
        ProducerStateImage parsed = ProducerSnapshotFile.parse(Arrays.copyOf(bytes.array(), bytes.remaining()), "x");
        assertThat(parsed.offset()).isEqualTo(10);
        assertThat(new TreeMap<>(parsed.unreplicated())).isEqualTo(Map.of(9L, 8L));
        assertThat(parsed.producers()).containsExactlyInAnyOrderElementsOf(image.producers());

        ProducerStateManager restored = new ProducerStateManager();
        restored.restore(parsed);
        assertThat(restored.check(P, (short) 2, 0, 4, "t").firstOffset()).as("a retry of the first batch").isZero();
        assertThatThrownBy(() -> restored.check(P, (short) 2, 7, 7, "t")).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(restored.firstUnstableOffset(7)).as("T's open transaction; 9's marker still unreplicated").isEqualTo(6);
        assertThat(restored.snapshot()).containsExactlyInAnyOrderElementsOf(state.snapshot());
    }

    @Test
    void aDamagedFileIsRefusedWithItsReason() {
        ProducerStateManager state = new ProducerStateManager();
        state.update(P, (short) 0, 0, 0, 0, 0, false, true, 5);
        byte[] good = ProducerSnapshotFile.serialize(state.image(1)).array();

        byte[] flipped = good.clone();
        flipped[flipped.length - 5] ^= 0x10;
        assertThatThrownBy(() -> ProducerSnapshotFile.parse(flipped, "f")).hasMessageContaining("CRC mismatch");
        assertThatThrownBy(() -> ProducerSnapshotFile.parse(Arrays.copyOf(good, good.length - 3), "f"))
                .isInstanceOf(ProducerSnapshotFile.CorruptSnapshotException.class);
        assertThatThrownBy(() -> ProducerSnapshotFile.parse(new byte[5], "f")).hasMessageContaining("too short");
        byte[] otherVersion = good.clone();
        otherVersion[1] = 9;
        assertThatThrownBy(() -> ProducerSnapshotFile.parse(otherVersion, "f")).hasMessageContaining("unknown version 9");
    }

    @Test
    void aCleanReopenLoadsTheCloseSnapshotAndReplaysNothing() {
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(idempotent(P, 0, "a", "b"), 0);
            rollAndSnapshot(log, scheduler);
            log.appendAsLeader(idempotent(P, 2, "c"), 0);
            log.appendAsLeader(transactional(T, 0, "t0"), 0);
            assertThat(snapshotOffsets()).as("the roll's snapshot").containsExactly(2L);
        }
        assertThat(snapshotOffsets()).as("and the close's").containsExactly(2L, 4L);
        try (PartitionLog log = open(true, 4)) {
            assertThat(log.lastProducerStateLoad()).isEqualTo(new PartitionLog.ProducerStateLoad(4, 0));
            LogAppendInfo retry = log.appendAsLeader(idempotent(P, 2, "c"), 0);
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(2);
            assertThat(log.lastStableOffset(log.logEndOffset())).as("T's transaction is still open").isEqualTo(3);
            log.appendAsLeader(marker(T, false), 0, AppendOrigin.COORDINATOR);
            assertThat(log.collectAbortedTransactions(0, 5)).containsExactly(new AbortedTxn(T, 3, 4, 5));
        }
    }

    @Test
    void aCorruptNewestSnapshotIsSkippedWithAWarningAndAnOlderOneUsed() throws Exception {
        LogCapture capture = LogCapture.install();
        int mark = capture.mark();
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(idempotent(P, 0, "a"), 0);
            rollAndSnapshot(log, scheduler);
            log.appendAsLeader(idempotent(P, 1, "b"), 0);
        }
        Path newest = ProducerSnapshotFile.file(dir(), 2);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length - 7)); // torn
        try (PartitionLog log = open(true, 2)) {
            assertThat(log.lastProducerStateLoad()).as("from the roll's snapshot, replaying one batch")
                    .isEqualTo(new PartitionLog.ProducerStateLoad(1, 1));
            assertThat(log.appendAsLeader(idempotent(P, 1, "b"), 0).duplicate()).isTrue();
            assertThat(capture.linesContainingSince(mark, newest.toString()))
                    .anySatisfy(l -> assertThat(l).contains("WARN").contains("corrupt producer-state snapshot"));
        }
        // every snapshot damaged: the whole log is replayed, the broker still opens it
        for (Path p : ProducerSnapshotFile.list(dir()).values()) {
            Files.write(p, new byte[] {0, 1, 2});
        }
        try (PartitionLog log = open(true, 2)) {
            assertThat(log.lastProducerStateLoad()).isEqualTo(new PartitionLog.ProducerStateLoad(-1, 2));
            assertThat(log.appendAsLeader(idempotent(P, 1, "b"), 0).duplicate()).isTrue();
        }
    }

    @Test
    void anUncleanLoadUsesNoSnapshotAboveWhatItRecoveredAndDropsThoseBeyondTheLogEnd() throws Exception {
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(transactional(T, 0, "t0"), 0);
            rollAndSnapshot(log, scheduler); // 1
            log.appendAsLeader(marker(T, false), 0, AppendOrigin.COORDINATOR);
            rollAndSnapshot(log, scheduler); // 2
            log.appendAsLeader(idempotent(P, 0, "x"), 0);
        }
        Files.delete(LogFileNames.txnIndexFile(dir(), 1));
        Files.write(dir().resolve(LogFileNames.baseName(9) + ProducerSnapshotFile.TMP_SUFFIX), new byte[] {1});
        try (PartitionLog log = open(false, 1)) {
            assertThat(log.lastProducerStateLoad()).as("segment 1 was recovered: replayed from the snapshot at 1")
                    .isEqualTo(new PartitionLog.ProducerStateLoad(1, 2));
            assertThat(log.collectAbortedTransactions(0, 3)).as("segment 1's lost index rebuilt")
                    .containsExactly(new AbortedTxn(T, 0, 1, 2));
            assertThat(Files.exists(dir().resolve(LogFileNames.baseName(9) + ProducerSnapshotFile.TMP_SUFFIX))).isFalse();
        }
        // a crash that lost the tail the snapshots describe: they go, and the state is rebuilt from the log
        try (var ch = java.nio.channels.FileChannel.open(LogFileNames.logFile(dir(), 2), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        try (PartitionLog log = open(false, 0)) {
            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(snapshotOffsets()).as("3, beyond the log end, deleted").containsExactly(1L, 2L);
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).containsExactly(T);
        }
    }

    @Test
    void truncationDropsTheSnapshotsAboveItAndRebuildsTheState() {
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(idempotent(P, 0, "a"), 0);
            rollAndSnapshot(log, scheduler); // 1
            log.appendAsLeader(transactional(T, 0, "t0"), 0);
            log.appendAsLeader(idempotent(P, 1, "b"), 0);
            rollAndSnapshot(log, scheduler); // 3
            log.appendAsLeader(marker(T, true), 0, AppendOrigin.COORDINATOR);
            log.appendAsLeader(idempotent(P, 2, "c"), 0);
            assertThat(snapshotOffsets()).containsExactly(1L, 3L);

            log.truncateTo(2); // a follower diverged: "b" and everything after it go
            assertThat(snapshotOffsets()).containsExactly(1L);
            assertThat(log.lastProducerStateLoad()).isEqualTo(new PartitionLog.ProducerStateLoad(1, 1));
            assertThat(log.lastStableOffset(2)).as("T's transaction open again").isEqualTo(1);
            assertThatThrownBy(() -> log.appendAsLeader(idempotent(P, 2, "c"), 0))
                    .as("P's sequence is back at 0").isInstanceOf(OutOfOrderSequenceException.class);
            assertThat(log.appendAsLeader(idempotent(P, 1, "b2"), 0).duplicate()).isFalse();
        }
        try (PartitionLog log = open(true, 3)) {
            assertThat(log.lastProducerStateLoad().snapshotOffset()).isEqualTo(3);
            assertThat(log.appendAsLeader(idempotent(P, 1, "b2"), 0).duplicate()).isTrue();
            assertThat(LogTestSupport.values(log)).containsExactly("a", "t0", "b2");
        }
    }

    @Test
    void replayFromTheMiddleOfASegmentKeepsTheAbortsIndexedBelowTheSnapshot() {
        long u = 88;
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(transactional(T, 0, "t0"), 0);
            log.appendAsLeader(marker(T, false), 0, AppendOrigin.COORDINATOR);
        } // snapshot at 2, inside the only segment
        try (PartitionLog log = open(true, 2)) {
            log.appendAsLeader(transactional(u, 0, "u0"), 0);
            log.appendAsLeader(marker(u, false), 0, AppendOrigin.COORDINATOR);
            log.appendAsLeader(idempotent(P, 0, "p0"), 0);
            log.truncateTo(4);
            assertThat(log.lastProducerStateLoad()).isEqualTo(new PartitionLog.ProducerStateLoad(2, 2));
            assertThat(log.collectAbortedTransactions(0, 4)).containsExactly(new AbortedTxn(T, 0, 1, 2), new AbortedTxn(u, 2, 3, 4));
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).containsExactlyInAnyOrder(T, u);
        }
        try (PartitionLog log = open(false, 0)) {
            assertThat(log.lastProducerStateLoad().snapshotOffset()).as("unclean from offset 0: a full replay").isEqualTo(-1);
            assertThat(log.collectAbortedTransactions(0, 4)).containsExactly(new AbortedTxn(T, 0, 1, 2), new AbortedTxn(u, 2, 3, 4));
        }
    }

    @Test
    void fullTruncationAndRetentionDeleteTheSnapshotsOfTheSegmentsTheyRemove() {
        try (PartitionLog log = open(true, 0)) {
            for (int i = 0; i < 4; i++) {
                log.appendAsLeader(idempotent(P, i, "v" + i), 0);
                rollAndSnapshot(log, scheduler);
            }
            assertThat(snapshotOffsets()).containsExactly(1L, 2L, 3L, 4L);
            log.deleteRecordsBefore(3);
            scheduler.runDue();
            assertThat(snapshotOffsets()).as("segments 0..2 deleted").containsExactly(3L, 4L);
            log.truncateFullyAndStartAt(10);
            assertThat(snapshotOffsets()).isEmpty();
            assertThat(log.activeProducers()).isEmpty();
        }
    }

    @Test
    void theLogManagerExpiresProducersOnItsSchedule() {
        LogManagerConfig managerConfig = LogManagerConfig.fromProperties(Map.of("log.dirs", root.resolve("data").toString(),
                "producer.id.expiration.ms", "60000", "producer.id.expiration.check.interval.ms", "10000"));
        assertThat(managerConfig.producerIdExpirationMs()).isEqualTo(60_000);
        assertThat(LogManagerConfig.fromProperties(Map.of("log.dir", "x")).producerIdExpirationMs())
                .as("Kafka's default: a day").isEqualTo(86_400_000L);
        LogManager manager = new LogManager(managerConfig, time, scheduler);
        manager.startup();
        try {
            PartitionLog log = manager.getOrCreateLog(TP);
            log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, P, (short) 0, 0,
                    new SimpleRecord(time.milliseconds(), null, "a".getBytes(StandardCharsets.UTF_8))), 0);
            scheduler.advance(50_000);
            assertThat(log.activeProducers()).hasSize(1);
            scheduler.advance(10_000);
            assertThat(log.activeProducers()).as("idle for 60 s").isEmpty();
        } finally {
            manager.close();
        }
    }

    @Test
    void producersExpireAlsoAfterBeingLoadedFromASnapshot() {
        try (PartitionLog log = open(true, 0)) {
            log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, P, (short) 0, 0,
                    new SimpleRecord(time.milliseconds(), null, "a".getBytes(StandardCharsets.UTF_8))), 0);
            log.appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, T, (short) 0, 0,
                    new SimpleRecord(time.milliseconds(), null, "t".getBytes(StandardCharsets.UTF_8))), 0);
        }
        time.advance(60_000);
        try (PartitionLog log = open(true, 2)) {
            assertThat(log.lastProducerStateLoad().snapshotOffset()).isEqualTo(2);
            assertThat(log.removeExpiredProducers(120_000)).as("not yet").isZero();
            time.advance(60_000);
            assertThat(log.removeExpiredProducers(120_000)).as("P; T has an open transaction").isEqualTo(1);
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).containsExactly(T);
            assertThat(log.appendAsLeader(idempotent(P, 7, "after expiry"), 0).duplicate())
                    .as("an expired producer is accepted at any sequence").isFalse();
        }
    }
}
