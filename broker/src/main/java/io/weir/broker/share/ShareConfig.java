package io.weir.broker.share;

/**
 * Broker settings of share groups, with Kafka's names.
 *
 * @param recordLockDurationMs {@code group.share.record.lock.duration.ms}: how long an acquired record stays locked
 * @param deliveryCountLimit   {@code group.share.delivery.count.limit}: deliveries after which a record is archived
 * @param maxRecordLocks       {@code group.share.partition.max.record.locks}: most records in flight per share-partition
 * @param sessionTimeoutMs     {@code group.share.session.timeout.ms}: a member silent this long leaves the group
 * @param heartbeatIntervalMs  {@code group.share.heartbeat.interval.ms}: told to members
 * @param maxGroupSize         {@code group.share.max.size}: most members in one share group
 * @param stateTopicPartitions {@code share.coordinator.state.topic.num.partitions}
 * @param stateTopicReplicationFactor {@code share.coordinator.state.topic.replication.factor}
 */
public record ShareConfig(int recordLockDurationMs, int deliveryCountLimit, int maxRecordLocks, int sessionTimeoutMs,
                          int heartbeatIntervalMs, int maxGroupSize, int stateTopicPartitions, short stateTopicReplicationFactor) {

    public static ShareConfig defaults() {
        return new ShareConfig(30_000, 5, 2000, 45_000, 5_000, 200, 50, (short) 3);
    }

    public ShareConfig withRecordLockDurationMs(int ms) {
        return new ShareConfig(ms, deliveryCountLimit, maxRecordLocks, sessionTimeoutMs, heartbeatIntervalMs, maxGroupSize,
                stateTopicPartitions, stateTopicReplicationFactor);
    }
}
