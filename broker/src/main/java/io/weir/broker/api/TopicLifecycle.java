package io.weir.broker.api;

import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.zk.TopicRecord;
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

    /** Creates a planned topic and opens its local partitions. */
    TopicMetadata create(TopicRecord planned) {
        TopicMetadata topic = services.topics().create(planned);
        openLocalPartitions(topic);
        return topic;
    }

    /**
     * Opens (creating when needed) the logs of the new partitions this broker leads. A log left on disk
     * by an earlier topic of the same name is discarded first.
     */
    void openLocalPartitions(TopicMetadata topic) {
        for (PartitionState p : topic.partitions().values()) {
            if (p.leader() == services.brokerId()) {
                services.replicas().discardStrayLog(new TopicPartition(topic.name(), p.partition()));
                services.replicas().becomeLeader(new TopicPartition(topic.name(), p.partition()), topic.topicId(),
                        services.topics().logConfig(topic), p.leaderEpoch(), p.replicas(), p.isr());
            }
        }
    }

    /** Deletes a topic and the logs of its local partitions. */
    void delete(TopicMetadata topic) {
        services.topics().delete(topic.name());
        for (Integer p : topic.partitions().keySet()) {
            services.replicas().removePartition(new TopicPartition(topic.name(), p), true);
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
