package io.weir.broker.zk;

import java.util.List;

/**
 * The leadership state of one partition, as stored in
 * {@code /brokers/topics/<topic>/partitions/<p>/state}:
 * {@code {"version":1,"leader":1,"leader_epoch":4,"isr":[1,2],"controller_epoch":7}}.
 * {@code partitionEpoch} is that znode's version: every write is conditional on it, so two writers
 * (the controller and a leader changing its ISR) never overwrite each other. Immutable.
 *
 * @param leader          the leader's broker id, {@link #NO_LEADER} when none is available
 * @param leaderEpoch     incremented on every leader change; fences stale leaders and followers
 * @param isr             the in-sync replicas
 * @param controllerEpoch the epoch of the controller that last elected a leader
 * @param partitionEpoch  the znode version it was read at (-1 before it is written)
 */
public record LeaderAndIsr(int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch, int partitionEpoch) {
    public static final int NO_LEADER = -1;

    public LeaderAndIsr {
        isr = List.copyOf(isr);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public LeaderAndIsr withIsr(List<Integer> newIsr) {
        return new LeaderAndIsr(leader, leaderEpoch, newIsr, controllerEpoch, partitionEpoch);
    }

    public LeaderAndIsr withPartitionEpoch(int version) {
        return new LeaderAndIsr(leader, leaderEpoch, isr, controllerEpoch, version);
    }
}
