package io.weir.broker.api;

import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.GroupCoordinator;
import io.weir.broker.zk.TopicRecord;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the group APIs share: where a group's coordinator is, and the internal {@code __consumer_offsets}
 * topic, created on first use with {@code offsets.topic.num.partitions} partitions.
 */
final class GroupSupport {
    static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;
    /** Longer group ids are refused with INVALID_GROUP_ID (they would bloat every offset record). */
    static final int MAX_GROUP_ID_LENGTH = 255;

    private final BrokerServices services;
    private final TopicLifecycle lifecycle;
    private final GroupCoordinator coordinator;

    GroupSupport(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
        this.coordinator = services.groups();
    }

    GroupCoordinator coordinator() {
        return coordinator;
    }

    /** The offsets topic, created when missing. */
    TopicMetadata offsetsTopic() {
        Optional<TopicMetadata> existing = services.metadata().topic(OFFSETS_TOPIC);
        if (existing.isPresent()) {
            return existing.get();
        }
        int brokers = Math.max(1, services.metadata().brokers().size());
        TopicRecord planned = services.topics().plan(OFFSETS_TOPIC, coordinator.config().offsetsTopicPartitions(),
                (short) Math.min(services.offsetsTopicReplicationFactor(), brokers),
                Map.of("segment.bytes", String.valueOf(coordinator.config().offsetsTopicSegmentBytes()),
                        "retention.ms", "-1", "retention.bytes", "-1"));
        try {
            return lifecycle.create(planned);
        } catch (TopicExistsException e) {
            // created concurrently by another request: usable once this broker has learnt of it (the client
            // retries FindCoordinator on COORDINATOR_NOT_AVAILABLE; an unexpected error would be fatal to it)
            return services.metadata().topic(OFFSETS_TOPIC).orElseThrow(() ->
                    new org.apache.kafka.common.errors.CoordinatorNotAvailableException(OFFSETS_TOPIC + " is being created"));
        }
    }

    /** The leader of the group's offsets partition (-1 when none), creating the offsets topic if needed. */
    int coordinatorFor(String groupId) {
        TopicMetadata topic = offsetsTopic();
        PartitionState p = topic.partitions().get(coordinator.partitionFor(groupId));
        return p == null ? -1 : p.leader();
    }

    /** NONE when this broker coordinates {@code groupId}, else the error telling the client to look again. */
    Errors checkCoordinator(String groupId) {
        if (groupId == null || groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_LENGTH) {
            return Errors.INVALID_GROUP_ID;
        }
        Optional<TopicMetadata> topic = services.metadata().topic(OFFSETS_TOPIC);
        if (topic.isEmpty()) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        int partition = coordinator.partitionFor(groupId);
        if (services.replicas().partition(new TopicPartition(OFFSETS_TOPIC, partition)).map(p -> !p.isLeader()).orElse(true)) {
            return Errors.NOT_COORDINATOR;
        }
        if (coordinator.isLoading(groupId)) {
            return Errors.COORDINATOR_LOAD_IN_PROGRESS;
        }
        return Errors.NONE;
    }
}
