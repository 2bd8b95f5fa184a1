package io.weir.broker.replication;

import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.zk.LeaderAndIsr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A partition this broker hosts, as leader or follower: its log, the leadership state it last
 * learnt from ZooKeeper (leader, leader epoch, ISR, partition epoch), and the high watermark
 * consumers may read up to.
 *
 * <p>As leader it tracks each follower's log end offset (the offset of its last fetch) and when it
 * was last caught up, and moves the high watermark to the smallest log end over the ISR
 * ({@link ReplicaRules}). As follower its high watermark is the leader's, bounded by its own log end.
 *
 * <p>Thread-safe: state changes are synchronized on the partition; readers see volatile fields.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final int localBrokerId;
    private volatile LeaderAndIsr state;
    private volatile List<Integer> replicas;
    private volatile LogOffsetMetadata highWatermark;
    /** Leader only: follower id → its log end offset (-1 unknown). Guarded by this. */
    private final Map<Integer, Long> followerLeos = new HashMap<>();
    /** Leader only: follower id → when its fetch last reached the leader's log end. Guarded by this. */
    private final Map<Integer, Long> lastCaughtUpMs = new HashMap<>();
    /** Leader only: the log end offset when this leader epoch began. */
    private volatile long leaderEpochStartOffset;

    Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int localBrokerId, long checkpointedHw) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.state = new LeaderAndIsr(LeaderAndIsr.NO_LEADER, -1, List.of(), -1, -1);
        this.replicas = List.of();
        this.highWatermark = log.offsetMetadata(Math.max(log.logStartOffset(), Math.min(checkpointedHw, log.logEndOffset())));
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    public int leaderId() {
        return state.leader();
    }

    public boolean isLeader() {
        return state.leader() == localBrokerId;
    }

    public LeaderAndIsr state() {
        return state;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> isr() {
        return state.isr();
    }

    /** The offset below which records are committed (in every ISR member) and visible to consumers. */
    public LogOffsetMetadata highWatermark() {
        return highWatermark;
    }

    /**
     * The last stable offset: below it, every transaction is decided and its marker replicated
     * (read_committed consumers read up to it).
     */
    public long lastStableOffset() {
        return log.lastStableOffset(highWatermark.offset());
    }

    /** Becomes (or stays) leader with this state. Returns whether the leader epoch is new. */
    synchronized boolean makeLeader(LeaderAndIsr newState, List<Integer> newReplicas, long nowMs) {
        boolean newEpoch = newState.leaderEpoch() != state.leaderEpoch() || !isLeader();
        if (!newEpoch) {
            forgetRemovedFollowers(newState);
        }
        state = newState;
        replicas = List.copyOf(newReplicas);
        if (newEpoch) {
            followerLeos.clear();
            lastCaughtUpMs.clear();
            for (int id : newReplicas) {
                if (id != localBrokerId) {
                    followerLeos.put(id, -1L);
                    lastCaughtUpMs.put(id, nowMs); // a grace period to catch up
                }
            }
            leaderEpochStartOffset = log.logEndOffset();
            log.leaderEpochCache().assign(newState.leaderEpoch(), leaderEpochStartOffset);
        }
        maybeIncrementHighWatermark();
        return newEpoch;
    }

    /**
     * A follower that leaves the ISR (the controller or this leader took it out) must fetch again
     * before it may rejoin: its last known log end may still reach the high watermark (no writes
     * since it stopped fetching), and a replica that stopped fetching is not in sync.
     */
    private void forgetRemovedFollowers(LeaderAndIsr next) {
        for (int id : state.isr()) {
            if (!next.isr().contains(id) && followerLeos.containsKey(id)) {
                followerLeos.put(id, -1L);
            }
        }
    }

    /** Becomes (or stays) follower with this state. Returns whether the leader or its epoch changed. */
    synchronized boolean makeFollower(LeaderAndIsr newState, List<Integer> newReplicas) {
        boolean changed = newState.leaderEpoch() != state.leaderEpoch() || newState.leader() != state.leader();
        state = newState;
        replicas = List.copyOf(newReplicas);
        followerLeos.clear();
        lastCaughtUpMs.clear();
        return changed;
    }

    /**
     * The replica set changed (a reassignment) while the state did not: a leader gives new
     * followers a grace period to catch up and forgets removed ones.
     */
    synchronized void updateReplicas(List<Integer> newReplicas, long nowMs) {
        if (newReplicas.equals(replicas)) {
            return;
        }
        replicas = List.copyOf(newReplicas);
        if (isLeader()) {
            followerLeos.keySet().retainAll(newReplicas);
            lastCaughtUpMs.keySet().retainAll(newReplicas);
            for (int id : newReplicas) {
                if (id != localBrokerId && !followerLeos.containsKey(id)) {
                    followerLeos.put(id, -1L);
                    lastCaughtUpMs.put(id, nowMs);
                }
            }
        }
    }

    /** A newer ISR this leader wrote to ZooKeeper itself. */
    synchronized void updateState(LeaderAndIsr written) {
        if (written.leaderEpoch() == state.leaderEpoch() && written.partitionEpoch() > state.partitionEpoch()) {
            forgetRemovedFollowers(written);
            state = written;
            maybeIncrementHighWatermark();
        }
    }

    /**
     * Records a follower's fetch (leader only): its log end offset is the fetch offset.
     *
     * @return whether the high watermark moved
     */
    synchronized boolean recordFollowerFetch(int replicaId, long fetchOffset, long nowMs) {
        if (!isLeader() || !followerLeos.containsKey(replicaId)) {
            return false;
        }
        followerLeos.put(replicaId, fetchOffset);
        if (fetchOffset >= log.logEndOffset()) {
            lastCaughtUpMs.put(replicaId, nowMs);
        }
        return maybeIncrementHighWatermark();
    }

    /** Followers that may join the ISR now (leader only); {@code ineligible} ones (shutting down, unregistered) never. */
    synchronized List<Integer> replicasToAdd(java.util.Set<Integer> ineligible) {
        if (!isLeader()) {
            return List.of();
        }
        return followerLeos.entrySet().stream()
                .filter(e -> !ineligible.contains(e.getKey()))
                .filter(e -> ReplicaRules.canJoinIsr(e.getKey(), replicas, state.isr(), e.getValue(), highWatermark.offset(),
                        leaderEpochStartOffset))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** ISR members to remove for lagging more than {@code maxLagMs} (leader only). */
    synchronized List<Integer> replicasToRemove(long nowMs, long maxLagMs) {
        if (!isLeader()) {
            return List.of();
        }
        return ReplicaRules.laggingReplicas(localBrokerId, state.isr(), lastCaughtUpMs, nowMs, maxLagMs);
    }

    /** After an append or a follower fetch: moves the high watermark when the ISR allows. */
    synchronized boolean maybeIncrementHighWatermark() {
        if (!isLeader()) {
            return false;
        }
        long current = highWatermark.offset();
        long next = ReplicaRules.highWatermark(current, localBrokerId, log.logEndOffset(), state.isr(), followerLeos);
        if (next > current) {
            highWatermark = log.offsetMetadata(next);
            return true;
        }
        return false;
    }

    /** Follower: takes the leader's high watermark, bounded by the local log end. */
    synchronized void updateFollowerHighWatermark(long leaderHw) {
        long next = Math.min(leaderHw, log.logEndOffset());
        if (next != highWatermark.offset() && next >= log.logStartOffset()) {
            highWatermark = log.offsetMetadata(next);
        }
    }

    /**
     * Follower: removes the divergent tail at and after {@code offset}. Ignored once this replica
     * leads (a fetcher's answer that arrives after the leadership change must not cut the leader's
     * log or its new epoch).
     */
    synchronized void truncateTo(long offset) {
        if (isLeader()) {
            return;
        }
        log.truncateTo(offset);
        if (highWatermark.offset() > log.logEndOffset()) {
            highWatermark = log.offsetMetadata(log.logEndOffset());
        } else {
            highWatermark = log.offsetMetadata(highWatermark.offset());
        }
    }

    /** Follower: the log no longer overlaps the leader's; start empty at {@code offset}. */
    synchronized void truncateFullyAndStartAt(long offset) {
        if (isLeader()) {
            return;
        }
        log.truncateFullyAndStartAt(offset);
        highWatermark = log.offsetMetadata(offset);
    }

    /** The leader's answer to OffsetsForLeaderEpoch. */
    LeaderEpochCache.EpochEnd endOffsetFor(int epoch) {
        return log.leaderEpochCache().endOffsetFor(epoch, log.logEndOffset());
    }

    @Override
    public String toString() {
        LeaderAndIsr s = state;
        return topicPartition + "[leader " + s.leader() + " epoch " + s.leaderEpoch() + " isr " + s.isr() + " hw "
                + highWatermark.offset() + " leo " + log.logEndOffset() + "]";
    }
}
