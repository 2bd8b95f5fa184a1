package io.weir.broker.replication;

import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogManager;
import io.weir.broker.log.PartitionLog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, and the produce and fetch paths through them: appends with the
 * acks semantics (acks=all checks {@code min.insync.replicas} against the ISR and completes once the
 * high watermark passes the write), durability per the log's flush policy, and wake-ups for
 * long-polling fetches.
 *
 * <p>Thread-safe. Appends run on the caller's (request handler) thread.
 */
public final class ReplicaManager {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    private final int brokerId;
    private final LogManager logManager;
    private final DelayedFetchPurgatory fetchPurgatory;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    public ReplicaManager(int brokerId, LogManager logManager, DelayedFetchPurgatory fetchPurgatory) {
        this.brokerId = brokerId;
        this.logManager = logManager;
        this.fetchPurgatory = fetchPurgatory;
    }

    public int brokerId() {
        return brokerId;
    }

    public DelayedFetchPurgatory fetchPurgatory() {
        return fetchPurgatory;
    }

    /**
     * Makes this broker the leader of {@code tp}: opens (or creates) its log. Returns once the log is
     * open and can take a produce, so that a topic is never advertised before it can be written.
     */
    public Partition becomeLeader(TopicPartition tp, Uuid topicId, LogConfig config, int leaderEpoch, List<Integer> replicas,
                                  List<Integer> isr) {
        Partition existing = partitions.get(tp);
        if (existing != null) {
            existing.update(leaderEpoch, replicas, isr);
            existing.log().updateConfig(config);
            return existing;
        }
        PartitionLog partitionLog = logManager.getOrCreateLog(tp, config);
        partitionLog.updateConfig(config);
        Partition partition = new Partition(tp, topicId, partitionLog, leaderEpoch, replicas, isr);
        Partition raced = partitions.putIfAbsent(tp, partition);
        return raced != null ? raced : partition;
    }

    /** Deletes a log left on disk for {@code tp} that no hosted partition owns (a topic deleted while this broker was down). */
    public void discardStrayLog(TopicPartition tp) {
        if (!partitions.containsKey(tp) && logManager.deleteLog(tp)) {
            log.warn("Discarded the stale log of {} before creating the partition anew", tp);
        }
    }

    /** Stops hosting {@code tp}, deleting its log when asked. */
    public void removePartition(TopicPartition tp, boolean deleteLog) {
        partitions.remove(tp);
        if (deleteLog) {
            logManager.deleteLog(tp);
        }
        fetchPurgatory.onAppend(tp);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Map<TopicPartition, Partition> partitions() {
        return Map.copyOf(partitions);
    }

    /**
     * Appends a producer's records to a partition this broker leads.
     *
     * @param requiredAcks 0, 1 or -1 (all)
     * @param minInsyncReplicas the topic's {@code min.insync.replicas}
     * @return completes when the write is acknowledged as {@code requiredAcks} and the flush policy ask
     * @throws NotLeaderOrFollowerException when this broker does not lead {@code tp}
     * @throws NotEnoughReplicasException   for acks=all when the ISR is smaller than {@code minInsyncReplicas}
     */
    public CompletableFuture<LogAppendInfo> appendRecords(TopicPartition tp, MemoryRecords records, short requiredAcks,
                                                          int minInsyncReplicas) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new NotLeaderOrFollowerException("Broker " + brokerId + " does not lead " + tp);
        }
        if (requiredAcks == -1 && partition.isr().size() < minInsyncReplicas) {
            throw new NotEnoughReplicasException("The ISR of " + tp + " " + partition.isr() + " is smaller than min.insync.replicas "
                    + minInsyncReplicas);
        }
        LogAppendInfo info = partition.log().appendAsLeader(records, partition.leaderEpoch());
        if (!info.duplicate()) {
            fetchPurgatory.onAppend(tp);
        }
        if (requiredAcks == 0) {
            return CompletableFuture.completedFuture(info);
        }
        return partition.log().awaitDurable(info);
    }

    public void shutdown() {
        fetchPurgatory.completeAll();
        log.debug("Replica manager of broker {} stopped", brokerId);
    }
}
