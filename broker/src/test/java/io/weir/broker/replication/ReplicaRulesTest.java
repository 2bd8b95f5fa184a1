package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.LeaderEpochCache.EpochEnd;
import java.util.ArrayList;
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
        LeaderEpochCache local = cache(0, 0, 2, 50); // this replica led epoch 2 and wrote 50..79
        // the leader has 50..59 of epoch 2
        assertThat(ReplicaRules.truncation(new EpochEnd(2, 60), local, 80, 55)).isEqualTo(done(60));
        // the leader never saw epoch 2: it answers epoch 0 ending at 50 (where its epoch 1 began)
        assertThat(ReplicaRules.truncation(new EpochEnd(0, 50), local, 80, 45)).isEqualTo(done(50));
        // the leader has more of the epoch than we do: keep everything
        assertThat(ReplicaRules.truncation(new EpochEnd(2, 100), local, 80, 55)).isEqualTo(done(80));
        // the leader has no epochs at all: fall back to the high watermark
        assertThat(ReplicaRules.truncation(new EpochEnd(LeaderEpochCache.UNDEFINED_EPOCH,
                LeaderEpochCache.UNDEFINED_OFFSET), local, 80, 55)).isEqualTo(done(55));
        // this replica has no epochs, or the leader answers an offset without an epoch: keep at most what it has
        assertThat(ReplicaRules.truncation(new EpochEnd(2, 30), LeaderEpochCache.inMemory(), 40, 10)).isEqualTo(done(30));
        assertThat(ReplicaRules.truncation(new EpochEnd(LeaderEpochCache.UNDEFINED_EPOCH, 70), local, 80, 55))
                .isEqualTo(done(70));
    }

    @Test
    void followerWithoutTheAnsweredEpochTruncatesToItsOlderEpochAndAsksAgain() {
        LeaderEpochCache local = cache(0, 0, 3, 40);
        // the leader answers epoch 1 (which this replica never saw) ending at 45: what this replica wrote
        // from its epoch 3 on is not the leader's, but its epoch 0 may end elsewhere on the leader
        assertThat(ReplicaRules.truncation(new EpochEnd(1, 45), local, 70, 30)).isEqualTo(again(40));
    }

    /**
     * Seed 50 of the unclean simulation. Broker 1 wrote epoch 0 up to offset 16 and then led epoch 3
     * without writing; the new leader 2 kept epoch 0 only up to 5 and wrote epochs 1 and 4. One round
     * (answer: epoch 1 ending at 14) said "keep 16", and broker 1 joined the ISR holding epoch-0
     * records 5..13 that the leader had in epoch 1. The second round, asking epoch 0, finds 5.
     */
    @Test
    void repeatedRoundsFindTheCommonPrefixAfterUncleanElections() {
        LeaderEpochCache leader = cache(0, 0, 1, 5, 4, 14);
        LeaderEpochCache follower = cache(0, 0, 3, 16);
        assertThat(rounds(leader, 14, follower, 16, 0)).containsExactly(again(16), done(5));
        assertThat(follower.entries()).containsExactly(new EpochEnd(0, 0));
    }

    /**
     * Seed 22 of the unclean simulation. Broker 2 holds 0..6 of epoch 1; the unclean leader 1 holds
     * only 0..1 of epoch 0 and leads epoch 4. The leader answers epoch 0 ending at 2, an epoch older
     * than any broker 2 knows, so broker 2 agrees with nothing: it must truncate to 0, not to its high
     * watermark nor to the leader's 2.
     */
    @Test
    void aFollowerWhoseHistoryBeginsAfterTheAnsweredEpochKeepsNothingOfIt() {
        LeaderEpochCache leader = cache(0, 0, 4, 2);
        LeaderEpochCache follower = cache(1, 0);
        assertThat(rounds(leader, 2, follower, 7, 7)).containsExactly(done(0));
    }

    @Test
    void everyRoundDropsAnEpochSoTheRoundsEnd() {
        // the leader and follower alternated epochs the other never had
        LeaderEpochCache leader = cache(0, 0, 2, 10, 4, 20, 6, 30);
        LeaderEpochCache follower = cache(0, 0, 1, 8, 3, 15, 5, 25);
        assertThat(rounds(leader, 40, follower, 35, 0)).containsExactly(again(25), again(15), done(8));
        assertThat(follower.entries()).containsExactly(new EpochEnd(0, 0));
    }

    /** Runs the follower's OffsetsForLeaderEpoch rounds against the leader's cache; returns each round's result. */
    private static List<ReplicaRules.Truncation> rounds(LeaderEpochCache leader, long leaderLeo, LeaderEpochCache follower,
                                                        long followerLeo, long followerHw) {
        List<ReplicaRules.Truncation> out = new ArrayList<>();
        long leo = followerLeo;
        while (out.size() < 10) {
            EpochEnd answer = leader.endOffsetFor(follower.latestEpoch(), leaderLeo);
            ReplicaRules.Truncation t = ReplicaRules.truncation(answer, follower, leo, followerHw);
            out.add(t);
            leo = t.offset();
            follower.truncateFromEnd(leo);
            if (t.complete()) {
                break;
            }
        }
        return out;
    }

    private static LeaderEpochCache cache(long... epochAndStart) {
        LeaderEpochCache cache = LeaderEpochCache.inMemory();
        for (int i = 0; i < epochAndStart.length; i += 2) {
            cache.assign((int) epochAndStart[i], epochAndStart[i + 1]);
        }
        return cache;
    }

    private static ReplicaRules.Truncation done(long offset) {
        return new ReplicaRules.Truncation(offset, true);
    }

    private static ReplicaRules.Truncation again(long offset) {
        return new ReplicaRules.Truncation(offset, false);
    }
}
