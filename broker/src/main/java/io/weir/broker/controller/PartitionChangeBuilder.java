package io.weir.broker.controller;

import io.weir.broker.zk.LeaderAndIsr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's decisions about one partition, as pure functions: given the replicas, the
 * current state and the live brokers, what the next state is. A runtime ({@link Controller}) writes
 * the result to ZooKeeper; this class does no I/O, so a simulation can drive it.
 *
 * <p>Rules (Kafka's, in ZooKeeper mode):
 * <ul>
 * <li>A dead broker leaves the ISR, except that the ISR never becomes empty: the last member stays,
 *     so that it is the one to lead again when it returns (no acknowledged write is lost).</li>
 * <li>A new leader is the first replica (in assignment order, so the preferred one when it can) that
 *     is alive and in the ISR; every leader change increments the leader epoch.</li>
 * <li>When no ISR member is alive the partition is offline (leader -1), unless unclean election is
 *     enabled: then the first live replica leads with an ISR of itself, and writes only its ISR
 *     predecessors had may be lost ({@link Change#unclean()}).</li>
 * </ul>
 */
public final class PartitionChangeBuilder {
    private PartitionChangeBuilder() {
    }

    /** A state to write, and whether it came from an unclean election. */
    public record Change(LeaderAndIsr state, boolean unclean) {
    }

    /** The state of a new partition: the first live replica leads, the live replicas are in sync. */
    public static LeaderAndIsr initial(List<Integer> replicas, Collection<Integer> live, int controllerEpoch) {
        List<Integer> isr = replicas.stream().filter(live::contains).toList();
        int leader = isr.isEmpty() ? LeaderAndIsr.NO_LEADER : isr.get(0);
        return new LeaderAndIsr(leader, 0, isr.isEmpty() ? List.copyOf(replicas) : isr, controllerEpoch, -1);
    }

    /**
     * The next state of a partition after the set of live brokers changed, or empty when it stays.
     *
     * @param uncleanAllowed {@code unclean.leader.election.enable}
     */
    public static Optional<Change> onLiveBrokers(List<Integer> replicas, LeaderAndIsr current, Set<Integer> live,
                                                 boolean uncleanAllowed, int controllerEpoch) {
        // an ISR member no longer among the replicas (a reassignment changed them) leaves the ISR
        List<Integer> liveIsr = new ArrayList<>(current.isr().stream().filter(r -> live.contains(r) && replicas.contains(r))
                .toList());
        boolean leaderAlive = current.hasLeader() && live.contains(current.leader()) && replicas.contains(current.leader());
        if (leaderAlive) {
            if (liveIsr.equals(current.isr())) {
                return Optional.empty();
            }
            return Optional.of(new Change(new LeaderAndIsr(current.leader(), current.leaderEpoch(), liveIsr, controllerEpoch,
                    current.partitionEpoch()), false));
        }
        Optional<Integer> clean = replicas.stream().filter(r -> live.contains(r) && liveIsr.contains(r)).findFirst();
        if (clean.isPresent()) {
            return Optional.of(new Change(new LeaderAndIsr(clean.get(), current.leaderEpoch() + 1, liveIsr, controllerEpoch,
                    current.partitionEpoch()), false));
        }
        if (uncleanAllowed) {
            Optional<Integer> any = replicas.stream().filter(live::contains).findFirst();
            if (any.isPresent()) {
                return Optional.of(new Change(new LeaderAndIsr(any.get(), current.leaderEpoch() + 1, List.of(any.get()),
                        controllerEpoch, current.partitionEpoch()), true));
            }
        }
        if (!current.hasLeader()) {
            return Optional.empty(); // offline already; the ISR keeps naming who may lead again
        }
        // offline: keep the last ISR member(s) so that only they may lead again
        List<Integer> keptIsr = liveIsr.isEmpty() ? List.of(current.leader()) : liveIsr;
        if (!current.isr().contains(current.leader())) {
            keptIsr = current.isr();
        }
        return Optional.of(new Change(new LeaderAndIsr(LeaderAndIsr.NO_LEADER, current.leaderEpoch() + 1, keptIsr,
                controllerEpoch, current.partitionEpoch()), false));
    }

    /**
     * Moves leadership to the preferred replica (the first) when it is alive, in the ISR and not
     * leading; empty otherwise.
     */
    public static Optional<Change> preferredLeader(List<Integer> replicas, LeaderAndIsr current, Set<Integer> live,
                                                   int controllerEpoch) {
        int preferred = replicas.get(0);
        if (current.leader() == preferred || !live.contains(preferred) || !current.isr().contains(preferred)) {
            return Optional.empty();
        }
        return Optional.of(new Change(new LeaderAndIsr(preferred, current.leaderEpoch() + 1, current.isr(), controllerEpoch,
                current.partitionEpoch()), false));
    }

    /**
     * The state a partition ends a reassignment with, the ISR already holding every {@code target}
     * replica: the ISR is cut to the target, and the leader stays unless it is being removed or is
     * not alive, in which case the first live target replica leads at the next epoch. Empty when no
     * target replica is alive.
     */
    public static Optional<LeaderAndIsr> reassigned(List<Integer> target, LeaderAndIsr current, Set<Integer> live,
                                                    int controllerEpoch) {
        List<Integer> isr = current.isr().stream().filter(target::contains).toList();
        if (target.contains(current.leader()) && live.contains(current.leader())) {
            return Optional.of(new LeaderAndIsr(current.leader(), current.leaderEpoch(), isr, controllerEpoch,
                    current.partitionEpoch()));
        }
        return target.stream().filter(r -> live.contains(r) && isr.contains(r)).findFirst()
                .map(leader -> new LeaderAndIsr(leader, current.leaderEpoch() + 1, isr, controllerEpoch,
                        current.partitionEpoch()));
    }
}
