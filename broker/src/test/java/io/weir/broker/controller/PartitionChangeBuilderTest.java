package io.weir.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.zk.LeaderAndIsr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionChangeBuilderTest {
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);

    private static LeaderAndIsr state(int leader, int epoch, List<Integer> isr) {
        return new LeaderAndIsr(leader, epoch, isr, 1, 7);
    }

    @Test
    void initialLeaderIsTheFirstLiveReplicaAndTheIsrTheLiveReplicas() {
        assertThat(PartitionChangeBuilder.initial(REPLICAS, Set.of(1, 2, 3), 4))
                .isEqualTo(new LeaderAndIsr(1, 0, List.of(1, 2, 3), 4, -1));
        assertThat(PartitionChangeBuilder.initial(REPLICAS, Set.of(3, 2), 4))
                .isEqualTo(new LeaderAndIsr(2, 0, List.of(2, 3), 4, -1));
        LeaderAndIsr none = PartitionChangeBuilder.initial(REPLICAS, Set.of(9), 4);
        assertThat(none.leader()).isEqualTo(LeaderAndIsr.NO_LEADER);
        assertThat(none.isr()).isEqualTo(REPLICAS);
    }

    @Test
    void nothingChangesWhileEveryIsrMemberLives() {
        assertThat(PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(1, 3, List.of(1, 2)), Set.of(1, 2, 3), false, 2))
                .isEmpty();
    }

    @Test
    void aDeadFollowerLeavesTheIsrWithoutALeaderChange() {
        PartitionChangeBuilder.Change c = PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(1, 3, List.of(1, 2, 3)),
                Set.of(1, 3), false, 2).orElseThrow();
        assertThat(c.state()).isEqualTo(new LeaderAndIsr(1, 3, List.of(1, 3), 2, 7));
        assertThat(c.unclean()).isFalse();
    }

    @Test
    void aDeadLeaderIsReplacedByTheFirstLiveIsrMemberInReplicaOrderWithTheNextEpoch() {
        PartitionChangeBuilder.Change c = PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(1, 3, List.of(3, 1, 2)),
                Set.of(2, 3), false, 5).orElseThrow();
        assertThat(c.state()).isEqualTo(new LeaderAndIsr(2, 4, List.of(3, 2), 5, 7));
        assertThat(c.unclean()).isFalse();
    }

    @Test
    void aLiveReplicaOutsideTheIsrIsNeverElectedCleanly() {
        Optional<PartitionChangeBuilder.Change> c = PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(1, 3, List.of(1)),
                Set.of(2, 3), false, 5);
        assertThat(c).isPresent();
        assertThat(c.get().state().leader()).isEqualTo(LeaderAndIsr.NO_LEADER);
        assertThat(c.get().state().leaderEpoch()).isEqualTo(4);
        assertThat(c.get().state().isr()).as("the last in-sync member is remembered").containsExactly(1);
    }

    @Test
    void anOfflinePartitionStaysOfflineUntilAnIsrMemberReturns() {
        LeaderAndIsr offline = state(LeaderAndIsr.NO_LEADER, 4, List.of(1));
        assertThat(PartitionChangeBuilder.onLiveBrokers(REPLICAS, offline, Set.of(2, 3), false, 5)).isEmpty();
        PartitionChangeBuilder.Change back = PartitionChangeBuilder.onLiveBrokers(REPLICAS, offline, Set.of(1, 2), false, 5)
                .orElseThrow();
        assertThat(back.state()).isEqualTo(new LeaderAndIsr(1, 5, List.of(1), 5, 7));
    }

    @Test
    void uncleanElectionPicksTheFirstLiveReplicaAndSaysSo() {
        PartitionChangeBuilder.Change c = PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(1, 3, List.of(1)),
                Set.of(3, 2), true, 5).orElseThrow();
        assertThat(c.state()).isEqualTo(new LeaderAndIsr(2, 4, List.of(2), 5, 7));
        assertThat(c.unclean()).isTrue();
        LeaderAndIsr offline = state(LeaderAndIsr.NO_LEADER, 4, List.of(1));
        assertThat(PartitionChangeBuilder.onLiveBrokers(REPLICAS, offline, Set.of(3), true, 5).orElseThrow().state())
                .isEqualTo(new LeaderAndIsr(3, 5, List.of(3), 5, 7));
    }

    @Test
    void everyBrokerDeadMakesThePartitionOfflineOnce() {
        PartitionChangeBuilder.Change c = PartitionChangeBuilder.onLiveBrokers(REPLICAS, state(2, 3, List.of(2, 3)),
                Set.of(), true, 5).orElseThrow();
        assertThat(c.state().leader()).isEqualTo(LeaderAndIsr.NO_LEADER);
        assertThat(c.state().isr()).containsExactly(2);
        assertThat(PartitionChangeBuilder.onLiveBrokers(REPLICAS, c.state(), Set.of(), true, 5)).isEmpty();
    }

    @Test
    void preferredLeaderMovesBackOnlyWhenInSyncAndAlive() {
        assertThat(PartitionChangeBuilder.preferredLeader(REPLICAS, state(2, 3, List.of(2, 1)), Set.of(1, 2), 5)
                .orElseThrow().state()).isEqualTo(new LeaderAndIsr(1, 4, List.of(2, 1), 5, 7));
        assertThat(PartitionChangeBuilder.preferredLeader(REPLICAS, state(2, 3, List.of(2)), Set.of(1, 2), 5)).isEmpty();
        assertThat(PartitionChangeBuilder.preferredLeader(REPLICAS, state(2, 3, List.of(2, 1)), Set.of(2), 5)).isEmpty();
        assertThat(PartitionChangeBuilder.preferredLeader(REPLICAS, state(1, 3, List.of(2, 1)), Set.of(1, 2), 5)).isEmpty();
    }

    /**
     * Exhaustive over every ISR (non-empty subset of the replicas, in any order of membership), every
     * leader, every set of live brokers and both election modes: the invariants of a safe election.
     */
    @Test
    void invariantsHoldForEveryStateAndEverySetOfLiveBrokers() {
        List<Set<Integer>> subsets = subsets(REPLICAS);
        int checked = 0;
        for (Set<Integer> isrSet : subsets) {
            if (isrSet.isEmpty()) {
                continue;
            }
            List<Integer> isr = REPLICAS.stream().filter(isrSet::contains).toList();
            List<Integer> leaders = new ArrayList<>(isr);
            leaders.add(LeaderAndIsr.NO_LEADER);
            for (int leader : leaders) {
                for (Set<Integer> live : subsets) {
                    for (boolean unclean : new boolean[] {false, true}) {
                        LeaderAndIsr current = state(leader, 3, isr);
                        Optional<PartitionChangeBuilder.Change> change =
                                PartitionChangeBuilder.onLiveBrokers(REPLICAS, current, live, unclean, 9);
                        LeaderAndIsr next = change.map(PartitionChangeBuilder.Change::state).orElse(current);
                        checked++;
                        assertThat(next.isr()).as("ISR never empty").isNotEmpty();
                        assertThat(REPLICAS).containsAll(next.isr());
                        if (next.hasLeader()) {
                            assertThat(live).as("a leader is alive").contains(next.leader());
                            assertThat(next.isr()).as("the leader is in the ISR").contains(next.leader());
                            boolean fromIsr = isr.contains(next.leader());
                            if (!unclean || change.map(c -> !c.unclean()).orElse(true)) {
                                assertThat(fromIsr).as("a clean leader comes from the ISR: %s %s", current, live).isTrue();
                            }
                            if (leader != LeaderAndIsr.NO_LEADER && live.contains(leader)) {
                                assertThat(next.leader()).as("a live leader keeps leading").isEqualTo(leader);
                            }
                            Set<Integer> liveIsr = new HashSet<>(isr);
                            liveIsr.retainAll(live);
                            if (!liveIsr.isEmpty()) {
                                assertThat(change.map(PartitionChangeBuilder.Change::unclean).orElse(false)).isFalse();
                            }
                        }
                        if (next.leader() != current.leader()) {
                            assertThat(next.leaderEpoch()).as("a leader change bumps the epoch").isEqualTo(4);
                        } else {
                            assertThat(next.leaderEpoch()).isEqualTo(3);
                        }
                        if (next.hasLeader()) {
                            assertThat(live).containsAll(next.isr());
                        }
                        // applying the same liveness again changes nothing more (a fixed point)
                        Optional<PartitionChangeBuilder.Change> again =
                                PartitionChangeBuilder.onLiveBrokers(REPLICAS, next, live, unclean, 9);
                        assertThat(again).as("stable after %s with live %s", next, live).isEmpty();
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(countCases(subsets));
    }

    private static int countCases(List<Set<Integer>> subsets) {
        int n = 0;
        for (Set<Integer> isr : subsets) {
            if (!isr.isEmpty()) {
                n += (isr.size() + 1) * subsets.size() * 2;
            }
        }
        return n;
    }

    private static List<Set<Integer>> subsets(List<Integer> items) {
        List<Set<Integer>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << items.size(); mask++) {
            Set<Integer> s = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    s.add(items.get(i));
                }
            }
            out.add(s);
        }
        return out;
    }
}
