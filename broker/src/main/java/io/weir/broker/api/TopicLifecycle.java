package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.zk.TopicRecord;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * Topic creation and deletion as a client sees them: the controller's decision is written to
 * ZooKeeper, and the partitions this broker leads are opened before the call returns. A topic is
 * therefore never reported created (or advertised in Metadata) before it can take a produce.
 * Thread-safe.
 */
final class TopicLifecycle {
    private final BrokerServices services;

    TopicLifecycle(BrokerServices services) {
        this.services = services;
    }

    /** How long a topic change waits for this broker to apply it. */
    private static final long APPLY_TIMEOUT_MS = 30_000;

    /**
     * Creates a planned topic and returns once this broker has applied it (its local partitions
     * opened, as leader or follower). A log left on disk by an earlier topic of the same name is
     * discarded first.
     */
    TopicMetadata create(TopicRecord planned) {
        discardStrayLogs(planned.name(), planned.assignment());
        TopicMetadata topic = services.topics().create(planned);
        awaitApplied(topic);
        return topic;
    }

    /** After new partitions were added: waits until this broker has applied them. */
    void awaitApplied(TopicMetadata topic) {
        if (!services.sync().awaitTopic(topic.name(), topic.topicId(), topic.partitions().size(), APPLY_TIMEOUT_MS)) {
            throw new org.apache.kafka.common.errors.TimeoutException("Topic '" + topic.name()
                    + "' was written to ZooKeeper but broker " + services.brokerId() + " did not apply it within "
                    + APPLY_TIMEOUT_MS + " ms");
        }
    }

    void discardStrayLogs(String name, Map<Integer, List<Integer>> assignment) {
        assignment.forEach((p, replicas) -> {
            if (replicas.contains(services.brokerId())) {
                services.replicas().discardStrayLog(new TopicPartition(name, p));
            }
        });
    }

    /** Deletes a topic; returns once this broker has deleted its local partitions. */
    void delete(TopicMetadata topic) {
        services.topics().delete(topic.name());
        if (!services.sync().awaitTopic(topic.name(), null, 0, APPLY_TIMEOUT_MS)) {
            for (Integer p : topic.partitions().keySet()) {
                services.replicas().removePartition(new TopicPartition(topic.name(), p), true);
            }
        }
    }

    /**
     * The topic, created with the broker defaults when it is missing and auto-creation is enabled.
     *
     * @return null when it does not exist and may not be created
     * @throws InvalidTopicException when the name is not a legal topic name
     */
    TopicMetadata getOrAutoCreate(String name) {
        TopicMetadata existing = services.metadata().topic(name).orElse(null);
        if (existing != null || !services.autoCreateTopics()) {
            return existing;
        }
        Topic.validate(name);
        try {
            return create(services.topics().plan(name, services.defaultPartitions(),
                    (short) Math.min(services.defaultReplicationFactor(), Math.max(1, services.metadata().brokers().size())),
                    Map.of()));
        } catch (org.apache.kafka.common.errors.TopicExistsException e) {
            return services.metadata().topic(name).orElse(null);
        }
    }

    static final Set<String> INTERNAL = Set.of(Topic.GROUP_METADATA_TOPIC_NAME, Topic.TRANSACTION_STATE_TOPIC_NAME);
}
