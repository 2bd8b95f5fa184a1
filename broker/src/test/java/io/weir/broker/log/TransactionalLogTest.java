package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in the log: open transactions hold back the last stable offset (also until their
 * marker is replicated), ABORT markers land in the segment's aborted-transaction index, and all of it
 * is rebuilt from the batches after a restart (clean or not, with or without the index file) and
 * after truncation. Markers are fenced by producer and coordinator epoch.
 */
class TransactionalLogTest {
    private static final long A = 1000;
    private static final long B = 2000;
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");

    @AfterEach
    void tearDown() {
        flusher.close();
        scheduler.close();
    }

    private PartitionLog open(boolean clean) {
        return PartitionLog.open(dir.resolve("t-0"), TP, LogConfig.defaults(), 0, 0, clean,
                new LogEnvironment(time, scheduler, flusher));
    }

    private static MemoryRecords txn(long producerId, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence, records);
    }

    private static MemoryRecords marker(long producerId, short epoch, int coordinatorEpoch, boolean commit) {
        return MemoryRecords.withEndTransactionMarker(producerId, epoch,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
    }

    /** A: 0-1 (aborted at 3), B: 2, 4 (committed at 5). */
    private static void writeTwoTransactions(PartitionLog log) {
        log.appendAsLeader(txn(A, 0, "a0", "a1"), 0);
        log.appendAsLeader(txn(B, 0, "b0"), 0);
        assertThat(log.lastStableOffset(log.logEndOffset())).as("A open since 0").isZero();
        log.appendAsLeader(marker(A, (short) 0, 5, false), 0, AppendOrigin.COORDINATOR);
        assertThat(log.lastStableOffset(3)).as("A's marker not yet replicated").isZero();
        assertThat(log.lastStableOffset(4)).as("A decided and replicated: B open since 2").isEqualTo(2);
        log.appendAsLeader(txn(B, 1, "b1"), 0);
        log.appendAsLeader(marker(B, (short) 0, 5, true), 0, AppendOrigin.COORDINATOR);
        assertThat(log.lastStableOffset(6)).as("nothing open: the high watermark").isEqualTo(6);
    }

    @Test
    void lastStableOffsetAndAbortedIndexFollowTheMarkers() throws Exception {
        try (PartitionLog log = open(true)) {
            writeTwoTransactions(log);
            // the last stable offset after the abort: B's transaction was still open from offset 2
            assertThat(log.collectAbortedTransactions(0, 6)).containsExactly(new AbortedTxn(A, 0, 3, 2));
            assertThat(log.collectAbortedTransactions(4, 6)).as("A ended before offset 4").isEmpty();
            assertThat(Files.size(LogFileNames.txnIndexFile(log.dir(), 0))).isEqualTo(TransactionIndex.ENTRY_SIZE);
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).containsExactlyInAnyOrder(A, B);
        }
    }

    @Test
    void openTransactionsAndTheAbortedIndexSurviveAnUncleanRestartAndALostIndexFile() throws Exception {
        try (PartitionLog log = open(true)) {
            writeTwoTransactions(log);
            log.appendAsLeader(txn(A, 2, "a2"), 0); // A's next transaction, still open, at offset 6
        }
        Files.delete(LogFileNames.txnIndexFile(dir.resolve("t-0"), 0));
        try (PartitionLog log = open(false)) {
            assertThat(log.collectAbortedTransactions(0, 7)).containsExactly(new AbortedTxn(A, 0, 3, 2));
            assertThat(Files.size(LogFileNames.txnIndexFile(log.dir(), 0))).as("rebuilt").isEqualTo(TransactionIndex.ENTRY_SIZE);
            assertThat(log.lastStableOffset(log.logEndOffset())).as("A's open transaction restored").isEqualTo(6);
            log.appendAsLeader(marker(A, (short) 0, 5, true), 0, AppendOrigin.COORDINATOR);
            assertThat(log.lastStableOffset(log.logEndOffset())).isEqualTo(8);
        }
    }

    @Test
    void aFollowerTracksTheSameTransactionsFromReplicatedBatches() {
        try (PartitionLog leader = open(true);
             PartitionLog follower = PartitionLog.open(dir.resolve("t-0-follower"), TP, LogConfig.defaults(), 0, 0, true,
                     new LogEnvironment(time, scheduler, flusher))) {
            writeTwoTransactions(leader);
            leader.appendAsLeader(txn(A, 2, "a2"), 0);
            FetchDataInfo all = leader.read(0, 1 << 20, true);
            follower.appendAsFollower(MemoryRecords.readableRecords(all.records().readAll()));
            assertThat(follower.logEndOffset()).isEqualTo(7);
            assertThat(follower.collectAbortedTransactions(0, 7)).containsExactly(new AbortedTxn(A, 0, 3, 2));
            assertThat(follower.lastStableOffset(7)).as("A's open transaction, should the follower lead").isEqualTo(6);
        }
    }

    @Test
    void truncationReopensTheTransactionAndDropsItsAbortEntry() {
        try (PartitionLog log = open(true)) {
            writeTwoTransactions(log);
            log.truncateTo(3); // cuts A's ABORT marker and what follows
            assertThat(log.collectAbortedTransactions(0, 3)).isEmpty();
            assertThat(log.lastStableOffset(3)).as("A open again since 0").isZero();
        }
    }

    @Test
    void markersAreFencedByProducerAndCoordinatorEpochAndRefusedFromProducers() {
        try (PartitionLog log = open(true)) {
            log.appendAsLeader(txn(A, 0, "a0"), 0);
            log.appendAsLeader(marker(A, (short) 1, 7, false), 0, AppendOrigin.COORDINATOR); // fencing abort, epoch 1
            assertThatThrownBy(() -> log.appendAsLeader(marker(A, (short) 0, 7, true), 0, AppendOrigin.COORDINATOR))
                    .isInstanceOf(InvalidProducerEpochException.class);
            assertThatThrownBy(() -> log.appendAsLeader(marker(A, (short) 1, 6, true), 0, AppendOrigin.COORDINATOR))
                    .isInstanceOf(TransactionCoordinatorFencedException.class);
            assertThatThrownBy(() -> log.appendAsLeader(txn(A, 1, "zombie"), 0))
                    .as("a zombie's batch at the old epoch").isInstanceOf(InvalidProducerEpochException.class);
            assertThatThrownBy(() -> log.appendAsLeader(marker(B, (short) 0, 7, true), 0))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("control batches");
            assertThat(log.logEndOffset()).isEqualTo(2);
        }
    }
}
