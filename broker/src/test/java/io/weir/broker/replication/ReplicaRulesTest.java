package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.LeaderEpochCache.EpochEnd;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaRulesTest {

    @Test
    void highWatermarkIsTheSmallestLogEndOverTheIsrAndNeverGoesBack() {
        assertThat(ReplicaRules.highWatermark(0, 1, 10, List.of(1), Map.of())).isEqualTo(10);
        assertThat(ReplicaRules.highWatermark(0, 1, 10, List.of(1, 2, 3), Map.of(2, 7L, 3, 9L))).isEqualTo(7);
        assertThat(ReplicaRules.highWatermark(8, 1, 10, List.of(1, 2), Map.of(2, 7L))).as("never backwards").isEqualTo(8);
        assertThat(ReplicaRules.highWatermark(0, 1, 10, List.of(1, 2), Map.of(2, 12L, 3, 0L)))
                .as("only ISR members count; a follower ahead is bounded by the leader").isEqualTo(10);
        assertThat(ReplicaRules.highWatermark(4, 1, 10, List.of(1, 2), Map.of(2, -1L))).as("unknown follower holds it")
                .isEqualTo(4);
        assertThat(ReplicaRules.highWatermark(4, 1, 10, List.of(1, 2), Map.of())).isEqualTo(4);
    }

    @Test
    void followersLaggingLongerThanTheLimitLeaveTheIsrButNeverTheLeader() {
        Map<Integer, Long> caughtUp = Map.of(1, 0L, 2, 1000L, 3, 5000L);
        assertThat(ReplicaRules.laggingReplicas(1, List.of(1, 2, 3), caughtUp, 12_000, 10_000)).containsExactly(2);
        assertThat(ReplicaRules.laggingReplicas(1, List.of(1, 2, 3), caughtUp, 11_000, 10_000)).isEmpty();
        assertThat(ReplicaRules.laggingReplicas(1, List.of(1, 2, 3), caughtUp, 15_001, 10_000)).containsExactly(2, 3);
        assertThat(ReplicaRules.laggingReplicas(1, List.of(1, 4), caughtUp, 1, 10_000)).as("never heard of").containsExactly(4);
    }

    @Test
    void aFollowerJoinsTheIsrOnceItHasTheHighWatermarkAndTheCurrentEpochStart() {
        List<Integer> replicas = List.of(1, 2, 3);
        assertThat(ReplicaRules.canJoinIsr(2, replicas, List.of(1), 10, 10, 5)).isTrue();
        assertThat(ReplicaRules.canJoinIsr(2, replicas, List.of(1), 9, 10, 5)).isFalse();
        assertThat(ReplicaRules.canJoinIsr(2, replicas, List.of(1), 10, 10, 11)).isFalse();
        assertThat(ReplicaRules.canJoinIsr(2, replicas, List.of(1, 2), 10, 10, 5)).as("already in").isFalse();
        assertThat(ReplicaRules.canJoinIsr(4, replicas, List.of(1), 10, 10, 5)).as("not a replica").isFalse();
    }

    @Test
    void followerTruncatesToWhereItsLatestEpochEndedAtTheLeader() {
        LeaderEpochCache local = LeaderEpochCache.inMemory();
        local.assign(0, 0);
        local.assign(2, 50);   // this replica led epoch 2 and wrote 50..79, of which the leader has 50..59
        assertThat(ReplicaRules.truncationOffset(new EpochEnd(2, 60), local, 80, 55)).isEqualTo(60);
        // the leader never saw epoch 2: it answers epoch 0 ending at 50 (where its epoch 1 began)
        assertThat(ReplicaRules.truncationOffset(new EpochEnd(0, 50), local, 80, 45)).isEqualTo(50);
        // the leader has more of the epoch than we do: keep everything
        assertThat(ReplicaRules.truncationOffset(new EpochEnd(2, 100), local, 80, 55)).isEqualTo(80);
        // the leader knows no epoch that old: fall back to the high watermark
        assertThat(ReplicaRules.truncationOffset(new EpochEnd(LeaderEpochCache.UNDEFINED_EPOCH,
                LeaderEpochCache.UNDEFINED_OFFSET), local, 80, 55)).isEqualTo(55);
    }

    @Test
    void followerWithoutTheAnsweredEpochKeepsOnlyWhatPrecedesItsNextEpoch() {
        LeaderEpochCache local = LeaderEpochCache.inMemory();
        local.assign(0, 0);
        local.assign(3, 40);
        // the leader answers epoch 1 (which this replica never saw) ending at 45
        assertThat(ReplicaRules.truncationOffset(new EpochEnd(1, 45), local, 70, 30)).isEqualTo(40);
    }
}
