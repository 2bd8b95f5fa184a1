package io.weir.broker.replication;

import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.log.PartitionLog;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A partition this broker leads: its log, leader epoch, replicas and in-sync replicas, and the high
 * watermark consumers may read up to. With a single replica the ISR is the leader alone and the
 * high watermark is the log end; follower fetching moves it once replication lands.
 *
 * <p>Thread-safe: leadership fields are volatile and replaced whole by the replica manager.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private volatile int leaderEpoch;
    private volatile List<Integer> replicas;
    private volatile List<Integer> isr;

    Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int leaderEpoch, List<Integer> replicas,
              List<Integer> isr) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.leaderEpoch = leaderEpoch;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
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
        return leaderEpoch;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> isr() {
        return isr;
    }

    /** The offset below which records are committed (in every ISR member) and visible to consumers. */
    public LogOffsetMetadata highWatermark() {
        return log.logEndOffsetMetadata();
    }

    void update(int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
        this.leaderEpoch = leaderEpoch;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
    }
}
