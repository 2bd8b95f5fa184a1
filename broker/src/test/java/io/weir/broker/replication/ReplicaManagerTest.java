package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogManager;
import io.weir.broker.log.LogManagerConfig;
import io.weir.broker.log.TestRecords;
import io.weir.broker.zk.LeaderAndIsr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader side of replication with time under the test's control: the high watermark over the
 * ISR, acks=all in the produce purgatory, ISR shrink after {@code replica.lag.time.max.ms} and
 * expansion once a follower catches up, and leadership loss. ZooKeeper is replaced by a recording
 * {@link IsrWriter}.
 */
class ReplicaManagerTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long LAG_MS = 10_000;

    @TempDir
    Path dir;
    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    private final List<LeaderAndIsr> written = new CopyOnWriteArrayList<>();
    private LogManager logs;
    private ReplicaManager replicas;

    @BeforeEach
    void start() {
        logs = new LogManager(LogManagerConfig.of(List.of(dir), LogConfig.defaults()), time, scheduler);
        logs.startup();
        replicas = new ReplicaManager(0, logs, List.of(dir), scheduler, time, new ReplicationConfig(LAG_MS, 500, 5_000, 30_000),
                (tp, state) -> {
                    LeaderAndIsr next = state.withPartitionEpoch(state.partitionEpoch() + 1);
                    written.add(next);
                    return Optional.of(next);
                });
        lead(new LeaderAndIsr(0, 1, List.of(0, 1, 2), 1, 5));
    }

    @AfterEach
    void stop() {
        replicas.shutdown();
        logs.close();
        scheduler.close();
    }

    private void lead(LeaderAndIsr state) {
        replicas.applyState(TP, Uuid.ONE_UUID, LogConfig.defaults(), List.of(0, 1, 2), state, Optional.empty());
    }

    private Partition partition() {
        return replicas.partition(TP).orElseThrow();
    }

    private CompletableFuture<LogAppendInfo> append(int count, int minIsr) {
        return replicas.appendRecords(TP, TestRecords.batch("r", count, time.milliseconds()), (short) -1, minIsr, 30_000);
    }

    @Test
    void acksAllCompletesOnceEveryIsrMemberHasFetchedPastTheBatch() throws Exception {
        CompletableFuture<LogAppendInfo> acked = append(5, 2);
        assertThat(partition().highWatermark().offset()).isZero();
        replicas.recordFollowerFetch(TP, 1, 5);
        assertThat(acked).as("one follower of two").isNotDone();
        assertThat(partition().highWatermark().offset()).as("bounded by the follower that has not fetched").isZero();
        replicas.recordFollowerFetch(TP, 2, 3);
        assertThat(partition().highWatermark().offset()).isEqualTo(3);
        assertThat(acked).isNotDone();
        replicas.recordFollowerFetch(TP, 2, 5);
        assertThat(acked.get().lastOffset()).isEqualTo(4);
        assertThat(partition().highWatermark().offset()).isEqualTo(5);
    }

    @Test
    void aProducersAppendWakesWaitingFetchesOnlyOnceItsRequestIsHandled() {
        CompletableFuture<Void> fetch = replicas.fetchPurgatory().await(List.of(TP), () -> partition().log().logEndOffset() > 0, 30_000);
        List<Boolean> doneInside = new CopyOnWriteArrayList<>();
        replicas.wakingFetchersAfter(() -> {
            replicas.appendRecords(TP, TestRecords.batch("r", 1, time.milliseconds()), (short) 1, 1, 30_000);
            doneInside.add(fetch.isDone());
        });
        assertThat(doneInside).as("still waiting while the produce is answered").containsExactly(false);
        assertThat(fetch).as("woken once the request was handled").isDone();
    }

    @Test
    void anAppendOutsideARequestOrByACoordinatorWakesWaitingFetchesAtOnce() {
        CompletableFuture<Void> first = replicas.fetchPurgatory().await(List.of(TP), () -> partition().log().logEndOffset() > 0, 30_000);
        replicas.appendRecords(TP, TestRecords.batch("r", 1, time.milliseconds()), (short) 1, 1, 30_000);
        assertThat(first).isDone();

        CompletableFuture<Void> second = replicas.fetchPurgatory().await(List.of(TP), () -> partition().log().logEndOffset() > 1, 30_000);
        List<Boolean> doneInside = new CopyOnWriteArrayList<>();
        replicas.wakingFetchersAfter(() -> {
            replicas.appendRecords(TP, TestRecords.batch("c", 1, time.milliseconds()), (short) 1, 1, 30_000,
                    io.weir.broker.log.AppendOrigin.COORDINATOR);
            doneInside.add(second.isDone());
        });
        assertThat(doneInside).as("a coordinator's write is not deferred").containsExactly(true);
    }

    @Test
    void acksAllIsRefusedWhenTheIsrIsSmallerThanMinInsyncReplicas() {
        assertThatThrownBy(() -> append(1, 4)).isInstanceOf(NotEnoughReplicasException.class);
        assertThat(partition().log().logEndOffset()).as("nothing written").isZero();
    }

    @Test
    void acksAllTimesOutWhenTheIsrDoesNotCatchUp() {
        CompletableFuture<LogAppendInfo> acked = replicas.appendRecords(TP, TestRecords.batch("r", 1, time.milliseconds()),
                (short) -1, 2, 3_000); // shorter than replica.lag.time.max.ms: the ISR stays as it is
        scheduler.advance(2_999);
        assertThat(acked).isNotDone();
        scheduler.advance(1);
        assertThatThrownBy(acked::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void acksAllFailsWithNotLeaderWhenLeadershipMovesBeforeReplication() {
        CompletableFuture<LogAppendInfo> acked = append(1, 2);
        replicas.applyState(TP, Uuid.ONE_UUID, LogConfig.defaults(), List.of(0, 1, 2), new LeaderAndIsr(1, 2, List.of(1, 2), 2, 6),
                Optional.empty());
        assertThatThrownBy(acked::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> append(1, 1)).isInstanceOf(NotLeaderOrFollowerException.class);
    }

    @Test
    void aLaggingFollowerLeavesTheIsrAndRejoinsOnceCaughtUp() {
        append(10, 1);
        replicas.recordFollowerFetch(TP, 1, 10);
        replicas.recordFollowerFetch(TP, 2, 10);
        append(10, 1);
        replicas.recordFollowerFetch(TP, 1, 20); // follower 2 stops fetching
        scheduler.advance(LAG_MS / 2);
        assertThat(written).as("within replica.lag.time.max.ms").isEmpty();
        replicas.recordFollowerFetch(TP, 1, 20);
        scheduler.advance(LAG_MS);
        await().atMost(Duration.ofSeconds(10)).until(() -> partition().isr().equals(List.of(0, 1)));
        assertThat(written.get(0).isr()).containsExactly(0, 1);
        assertThat(written.get(0).leaderEpoch()).as("an ISR change keeps the leader epoch").isEqualTo(1);
        assertThat(partition().highWatermark().offset()).as("the HW moves without the lagging follower").isEqualTo(20);

        replicas.recordFollowerFetch(TP, 2, 15);
        assertThat(written).as("not caught up to the high watermark yet").hasSize(1);
        replicas.recordFollowerFetch(TP, 2, 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> partition().isr().equals(List.of(0, 1, 2)));
        assertThat(written.get(1).isr()).containsExactly(0, 1, 2);
    }

    @Test
    void aCaughtUpFollowerThatStopsFetchingLeavesTheIsrAndRejoinsOnlyByFetchingAgain() {
        append(10, 1);
        replicas.recordFollowerFetch(TP, 1, 10);
        replicas.recordFollowerFetch(TP, 2, 10); // both caught up; then follower 2 freezes and nothing is written
        scheduler.advance(LAG_MS / 2);
        replicas.recordFollowerFetch(TP, 1, 10);
        scheduler.advance(LAG_MS);
        await().atMost(Duration.ofSeconds(10)).until(() -> partition().isr().equals(List.of(0, 1)));

        // its last known log end still equals the high watermark: only a fetch of its own may bring it back
        replicas.recordFollowerFetch(TP, 1, 10);
        assertThat(partition().replicasToAdd(java.util.Set.of())).isEmpty();

        replicas.recordFollowerFetch(TP, 2, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> partition().isr().equals(List.of(0, 1, 2)));
    }

    @Test
    void aLeaderWithoutALiveZooKeeperSessionRefusesAppendsUntilItIsBack() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean live = new java.util.concurrent.atomic.AtomicBoolean(false);
        replicas.setSessionLiveness(live::get);
        assertThatThrownBy(() -> append(1, 1)).isInstanceOf(NotLeaderOrFollowerException.class)
                .hasMessageContaining("disconnected from ZooKeeper");
        assertThat(partition().log().logEndOffset()).as("nothing appended").isZero();
        live.set(true);
        append(1, 1);
        assertThat(partition().log().logEndOffset()).isEqualTo(1);
    }

    @Test
    void acksAllFailsWithNotEnoughReplicasAfterAppendWhenTheIsrShrinksBelowTheMinimum() {
        CompletableFuture<LogAppendInfo> acked = append(1, 3);
        scheduler.advance(LAG_MS);
        replicas.recordFollowerFetch(TP, 1, 1);
        scheduler.advance(LAG_MS / 2); // follower 2 never fetched: it leaves the ISR, and the HW passes the batch
        assertThatThrownBy(() -> acked.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotEnoughReplicasAfterAppendException.class);
        assertThat(partition().isr()).containsExactly(0, 1);
    }

    @Test
    void aReplicaShuttingDownNeverRejoinsTheIsr() {
        replicas.setIneligibleReplicas(java.util.Set.of(2));
        lead(new LeaderAndIsr(0, 1, List.of(0, 1), 1, 6));
        append(3, 1);
        replicas.recordFollowerFetch(TP, 2, 3);
        replicas.recordFollowerFetch(TP, 1, 3);
        assertThat(partition().highWatermark().offset()).isEqualTo(3);
        scheduler.advance(1);
        assertThat(written).isEmpty();
    }

    @Test
    void aSingleReplicaPartitionExposesEveryAppendAtOnce() throws Exception {
        lead(new LeaderAndIsr(0, 2, List.of(0), 1, 7));
        assertThat(append(4, 1).get().lastOffset()).isEqualTo(3);
        assertThat(partition().highWatermark().offset()).isEqualTo(4);
    }

    @Test
    void highWatermarksAreCheckpointedAndReadBack() {
        append(6, 1);
        replicas.recordFollowerFetch(TP, 1, 6);
        replicas.recordFollowerFetch(TP, 2, 4);
        replicas.checkpointHighWatermarks();
        assertThat(new io.weir.broker.log.OffsetCheckpointFile(dir.resolve(ReplicaManager.HW_CHECKPOINT)).read())
                .containsEntry(TP, 4L);
    }

    @Test
    void aNewerLeaderEpochIsRecordedInTheLeaderEpochCacheAtTheLogEnd() {
        append(3, 1);
        lead(new LeaderAndIsr(0, 4, List.of(0), 2, 9));
        assertThat(partition().log().leaderEpochCache().entries()).extracting(e -> e.epoch()).containsExactly(1, 4);
        assertThat(replicas.endOffsetFor(partition(), 1).endOffset()).isEqualTo(3);
        assertThat(replicas.endOffsetFor(partition(), 3).epoch()).isEqualTo(1);
    }
}
