package io.weir.broker.group;

/**
 * Settings of the group coordinator, with Kafka's names.
 *
 * @param minSessionTimeoutMs      {@code group.min.session.timeout.ms}
 * @param maxSessionTimeoutMs      {@code group.max.session.timeout.ms}
 * @param initialRebalanceDelayMs  {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an empty
 *                                 group waits for more members
 * @param maxGroupSize             {@code group.max.size}
 * @param offsetsTopicPartitions   {@code offsets.topic.num.partitions}
 * @param offsetsTopicSegmentBytes {@code offsets.topic.segment.bytes}; the offsets log is compacted past twice this
 * @param offsetMetadataMaxBytes   {@code offset.metadata.max.bytes}
 */
public record GroupConfig(int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs, int maxGroupSize,
                          int offsetsTopicPartitions, int offsetsTopicSegmentBytes, int offsetMetadataMaxBytes) {

    public static GroupConfig defaults() {
        return new GroupConfig(6_000, 1_800_000, 3_000, Integer.MAX_VALUE, 50, 100 * 1024 * 1024, 4096);
    }
}
