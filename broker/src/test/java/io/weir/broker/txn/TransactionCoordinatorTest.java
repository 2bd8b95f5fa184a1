package io.weir.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator engine over a real {@code __transaction_state} log, a scripted marker writer and
 * mock time: commit through prepare and markers to complete, the timeout abort that fences the
 * producer, and a new coordinator that reloads the log, finishes a prepared commit and fences the
 * transaction an old instance left open.
 */
class TransactionCoordinatorTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final TransactionConfig CONFIG = new TransactionConfig(1, (short) 1, 1, 1 << 20, 60_000, 1_000, 100, 1_000,
            86_400_000L, 60_000L);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    private final ThreadPoolScheduler logScheduler = new ThreadPoolScheduler("test-log", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");
    private final ClusterMetadata metadata = new ClusterMetadata("cluster", 0);
    private final AtomicLong producerIds = new AtomicLong(500);
    private final List<String> markers = new CopyOnWriteArrayList<>();
    private volatile boolean markersStuck;
    /** When set, every marker is answered when this completes. */
    private volatile CompletableFuture<Errors> markerGate;
    private PartitionLog stateLog;

    @BeforeEach
    void setUp() {
        TreeMap<Integer, PartitionState> partitions = new TreeMap<>();
        partitions.put(0, new PartitionState(0, List.of(0), List.of(0), 0, 1));
        partitions.put(1, new PartitionState(1, List.of(0), List.of(0), 0, 1));
        metadata.putTopic(new TopicMetadata("t", Uuid.randomUuid(), Map.of(), partitions));
        stateLog = PartitionLog.open(dir.resolve("__transaction_state-0"), new TopicPartition(TransactionCoordinator.STATE_TOPIC, 0),
                LogConfig.defaults(), 0, 0, true, new LogEnvironment(time, logScheduler, flusher));
    }

    @AfterEach
    void tearDown() {
        stateLog.close();
        flusher.close();
        logScheduler.close();
    }

    private TransactionCoordinator coordinator() {
        LocalMarkerWriter writer = (tp, pid, epoch, coordinatorEpoch, commit) -> {
            if (markersStuck) {
                return new CompletableFuture<>(); // the partition leader never answers
            }
            CompletableFuture<Errors> gate = markerGate;
            if (gate != null) {
                return gate.thenApply(e -> {
                    markers.add(tp + " " + pid + "/" + epoch + " c" + coordinatorEpoch + " " + (commit ? "COMMIT" : "ABORT"));
                    return e;
                });
            }
            markers.add(tp + " " + pid + "/" + epoch + " c" + coordinatorEpoch + " " + (commit ? "COMMIT" : "ABORT"));
            return CompletableFuture.completedFuture(Errors.NONE);
        };
        return new TransactionCoordinator(0, CONFIG, metadata,
                (partition, records) -> CompletableFuture.completedFuture(stateLog.appendAsLeader(records, 0)),
                writer, producerIds::getAndIncrement, scheduler, time);
    }

    private static TransactionCoordinator.InitResult init(TransactionCoordinator c, String id) {
        return c.initProducerId(id, 10_000, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH).join();
    }

    @Test
    void answersNotCoordinatorUntilItLoadsThePartition() {
        try (TransactionCoordinator c = coordinator()) {
            assertThat(init(c, "app").error()).isEqualTo(Errors.NOT_COORDINATOR);
            c.load(0, 3, stateLog);
            assertThat(init(c, "app").error()).isEqualTo(Errors.NONE);
            c.unload(0);
            assertThat(c.endTxn("app", 500, (short) 0, true).join()).isEqualTo(Errors.NOT_COORDINATOR);
        }
    }

    @Test
    void aCommitIsPreparedThenMarkedThenCompleted() {
        try (TransactionCoordinator c = coordinator()) {
            c.load(0, 3, stateLog);
            TransactionCoordinator.InitResult r = init(c, "app");
            assertThat(r.producerId()).isEqualTo(500);
            assertThat(c.addPartitions("app", 500, (short) 0, Set.of(P0, P1)).join()).isEqualTo(Errors.NONE);
            assertThat(c.describe("app").txn().state()).isEqualTo(TransactionState.ONGOING);
            assertThat(c.endTxn("app", 500, (short) 0, true).join()).isEqualTo(Errors.NONE);
            assertThat(markers).containsExactlyInAnyOrder("t-0 500/0 c3 COMMIT", "t-1 500/0 c3 COMMIT");
            assertThat(c.describe("app").txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            assertThat(c.listTransactions()).extracting(TxnRecord::transactionalId).containsExactly("app");
            assertThat(c.initProducerId("app", 10_000_000, -1, (short) -1).join().error())
                    .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        }
    }

    @Test
    void theNextTransactionBegunWhileTheLastOnesMarkersAreWrittenIsHeldUntilTheyAreNotRefused() throws Exception {
        try (TransactionCoordinator c = coordinator()) {
            c.load(0, 3, stateLog);
            init(c, "app");
            assertThat(c.addPartitions("app", 500, (short) 0, Set.of(P0)).join()).isEqualTo(Errors.NONE);
            markerGate = new CompletableFuture<>();
            assertThat(c.endTxn("app", 500, (short) 0, true).join()).as("answered once prepared").isEqualTo(Errors.NONE);
            assertThat(c.describe("app").txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);

            CompletableFuture<Errors> next = c.addPartitions("app", 500, (short) 0, Set.of(P1));
            assertThat(next).as("held while the markers are written").isNotDone();
            markerGate.complete(Errors.NONE);
            assertThat(next.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
            assertThat(markers).containsExactly("t-0 500/0 c3 COMMIT");
            assertThat(c.describe("app").txn().state()).isEqualTo(TransactionState.ONGOING);
            assertThat(c.describe("app").txn().partitions()).containsExactly(P1);
        }
    }

    @Test
    void aTransactionBegunWhileMarkersCannotBeWrittenIsRefusedAfterTheHold() {
        try (TransactionCoordinator c = coordinator()) {
            c.load(0, 3, stateLog);
            init(c, "app");
            c.addPartitions("app", 500, (short) 0, Set.of(P0)).join();
            markersStuck = true;
            assertThat(c.endTxn("app", 500, (short) 0, true).join()).isEqualTo(Errors.NONE);
            long t0 = System.nanoTime();
            assertThat(c.addPartitions("app", 500, (short) 0, Set.of(P1)).join()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("not answered before the hold ran out")
                    .isGreaterThanOrEqualTo(TransactionCoordinator.CONCURRENT_WAIT_MS - 1);
            assertThat(c.describe("app").txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        }
    }

    @Test
    void aTransactionPastItsTimeoutIsAbortedWithABumpedEpoch() {
        try (TransactionCoordinator c = coordinator()) {
            c.load(0, 3, stateLog);
            init(c, "slow");
            c.addPartitions("slow", 500, (short) 0, Set.of(P0)).join();
            time.sleep(5_000);
            scheduler.advance(1_000);
            assertThat(c.describe("slow").txn().state()).as("within its 10 s timeout").isEqualTo(TransactionState.ONGOING);
            time.sleep(5_000);
            scheduler.advance(1_000);
            assertThat(c.describe("slow").txn().state()).isEqualTo(TransactionState.COMPLETE_ABORT);
            assertThat(markers).containsExactly("t-0 500/1 c3 ABORT");
            time.sleep(20_000);
            scheduler.advance(1_000);
            assertThat(markers).as("aborted once").hasSize(1);
            assertThat(c.endTxn("slow", 500, (short) 0, true).join()).isEqualTo(Errors.PRODUCER_FENCED);
        }
    }

    @Test
    void aPreparedTwoPhaseTransactionSurvivesFailoverAndIsCommittedByTheRecoveringInstance() {
        try (TransactionCoordinator old = coordinator()) {
            old.load(0, 3, stateLog);
            assertThat(old.initProducerId("xa", 0, -1, (short) -1, true, false).join().error()).isEqualTo(Errors.NONE);
            old.addPartitions("xa", 500, (short) 0, Set.of(P0)).join();
            time.sleep(3_600_000);
            scheduler.advance(1_000);
            assertThat(old.describe("xa").txn().state()).as("no timeout with 2PC").isEqualTo(TransactionState.ONGOING);
            old.unload(0);
        }
        try (TransactionCoordinator next = coordinator()) {
            next.load(0, 4, stateLog);
            TransactionCoordinator.InitResult recovered = next.initProducerId("xa", 0, -1, (short) -1, true, true).join();
            assertThat(recovered.error()).isEqualTo(Errors.NONE);
            assertThat(recovered.ongoingProducerId()).isEqualTo(500);
            assertThat(recovered.ongoingProducerEpoch()).isZero();
            assertThat(recovered.producerEpoch()).isEqualTo((short) 1);
            assertThat(markers).as("kept, not aborted").isEmpty();
            assertThat(next.endTxn("xa", 500, (short) 1, true).join()).isEqualTo(Errors.NONE);
            assertThat(markers).containsExactly("t-0 500/1 c4 COMMIT");
            assertThat(next.describe("xa").txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        }
    }

    @Test
    void anIdleTransactionalIdExpiresAndIsGoneAfterAReload() {
        try (TransactionCoordinator c = coordinator()) {
            c.load(0, 3, stateLog);
            init(c, "idle");
            init(c, "busy");
            c.addPartitions("busy", 501, (short) 0, Set.of(P0)).join(); // Ongoing: never expires
            c.initProducerId("xa", 0, -1, (short) -1, true, false).join();
            c.addPartitions("xa", 502, (short) 0, Set.of(P1)).join(); // a prepared two-phase transaction
            time.sleep(86_400_000L - 120_000L);
            scheduler.advance(60_000L);
            assertThat(c.describe("idle").error()).as("a day idle, not yet past").isEqualTo(Errors.NONE);
            scheduler.advance(60_000L);
            assertThat(c.describe("idle").error()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
            assertThat(c.describe("busy").error()).isEqualTo(Errors.NONE);
            assertThat(c.describe("xa").error()).isEqualTo(Errors.NONE);
            TransactionCoordinator.InitResult again = init(c, "idle");
            assertThat(again.producerId()).as("a new producer id for a forgotten id").isNotEqualTo(500);
            c.unload(0);
        }
        try (TransactionCoordinator reloaded = coordinator()) {
            reloaded.load(0, 4, stateLog);
            assertThat(reloaded.describe("idle").txn().producerId()).as("the tombstone, then the new state").isNotEqualTo(500);
        }
    }

    @Test
    void aNewCoordinatorFinishesAPreparedCommitAndFencesAnOpenTransaction() {
        try (TransactionCoordinator old = coordinator()) {
            old.load(0, 3, stateLog);
            init(old, "prepared");
            old.addPartitions("prepared", 500, (short) 0, Set.of(P0)).join();
            init(old, "open");
            old.addPartitions("open", 501, (short) 0, Set.of(P1)).join();
            markersStuck = true;
            assertThat(old.endTxn("prepared", 500, (short) 0, true).join()).isEqualTo(Errors.NONE);
            assertThat(old.describe("prepared").txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
            old.unload(0); // its broker lost the leadership of the state partition
        }
        markersStuck = false;
        try (TransactionCoordinator next = coordinator()) {
            next.load(0, 4, stateLog);
            assertThat(markers).containsExactly("t-0 500/0 c4 COMMIT");
            assertThat(next.describe("prepared").txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            assertThat(next.describe("open").txn().state()).isEqualTo(TransactionState.ONGOING);

            assertThat(init(next, "open").error()).as("fencing first").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
            assertThat(markers).contains("t-1 501/1 c4 ABORT");
            TransactionCoordinator.InitResult again = init(next, "open");
            assertThat(again.error()).isEqualTo(Errors.NONE);
            assertThat(again.producerId()).isEqualTo(501);
            assertThat(again.producerEpoch()).isEqualTo((short) 2);
        }
    }
}
