package io.weir.broker.api;

import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.replication.Partition;
import io.weir.broker.share.ShareGroups;
import io.weir.broker.zk.BrokerRegistration;
import io.weir.broker.zk.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the share-group APIs share: the share-group services, the internal {@code __share_group_state}
 * topic (created when the first member joins a share group), and finding the leader of a data
 * partition by topic id.
 */
final class ShareSupport {
    private final BrokerServices services;
    private final TopicLifecycle lifecycle;
    private final GroupSupport groups;

    ShareSupport(BrokerServices services, TopicLifecycle lifecycle, GroupSupport groups) {
        this.services = services;
        this.lifecycle = lifecycle;
        this.groups = groups;
    }

    ShareGroups share() {
        return services.share();
    }

    GroupSupport groups() {
        return groups;
    }

    BrokerServices services() {
        return services;
    }

    /** The share state topic, created when missing. */
    TopicMetadata stateTopic() {
        Optional<TopicMetadata> existing = services.metadata().topic(ShareGroups.STATE_TOPIC);
        if (existing.isPresent()) {
            return existing.get();
        }
        int brokers = Math.max(1, services.metadata().brokers().size());
        TopicRecord planned = services.topics().plan(ShareGroups.STATE_TOPIC, share().config().stateTopicPartitions(),
                (short) Math.min(share().config().stateTopicReplicationFactor(), brokers),
                Map.of("segment.bytes", String.valueOf(64 * 1024 * 1024), "retention.ms", "-1", "retention.bytes", "-1",
                        "min.insync.replicas", String.valueOf(Math.min(2, Math.min(share().config().stateTopicReplicationFactor(), brokers)))));
        try {
            return lifecycle.create(planned);
        } catch (TopicExistsException e) {
            // created concurrently by another request: usable once this broker has learnt of it
            return services.metadata().topic(ShareGroups.STATE_TOPIC).orElseThrow(() ->
                    new org.apache.kafka.common.errors.CoordinatorNotAvailableException(ShareGroups.STATE_TOPIC + " is being created"));
        }
    }

    /** Creates the share state topic when missing; a failure is logged and retried by the next caller. */
    void ensureStateTopic() {
        if (services.metadata().topic(ShareGroups.STATE_TOPIC).isPresent()) {
            return;
        }
        try {
            stateTopic();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ShareSupport.class).debug("Share state topic not ready: {}", e.toString());
        }
    }

    /** A data partition resolved from a topic id. */
    record Target(Uuid topicId, String topic, int partition, Partition leader, Errors error, int leaderId, int leaderEpoch) {
        TopicPartition tp() {
            return new TopicPartition(topic == null ? "" : topic, partition);
        }
    }

    /** The data partition when this broker leads it, else the error to answer (with the leader as known). */
    Target resolve(Uuid topicId, int partition) {
        Optional<TopicMetadata> topic = services.metadata().topicById(topicId);
        if (topic.isEmpty()) {
            return new Target(topicId, null, partition, null, Errors.UNKNOWN_TOPIC_ID, -1, -1);
        }
        PartitionState state = topic.get().partitions().get(partition);
        if (state == null) {
            return new Target(topicId, topic.get().name(), partition, null, Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        }
        TopicPartition tp = new TopicPartition(topic.get().name(), partition);
        Optional<Partition> local = services.replicas().partition(tp);
        if (local.isEmpty() || !local.get().isLeader()) {
            return new Target(topicId, tp.topic(), partition, null, Errors.NOT_LEADER_OR_FOLLOWER, state.leader(), state.leaderEpoch());
        }
        return new Target(topicId, tp.topic(), partition, local.get(), Errors.NONE, services.brokerId(), local.get().leaderEpoch());
    }

    /**
     * The endpoints of the leaders named in not-leader answers, on the listener the request came in on (as
     * Metadata answers): a client on a TLS listener must not be sent to the inter-broker one. A leader without
     * that listener is left out, as Metadata leaves it out.
     */
    List<Node> endpoints(List<Integer> brokerIds, String listenerName) {
        List<Node> nodes = new ArrayList<>();
        for (int id : brokerIds.stream().distinct().toList()) {
            Optional<BrokerRegistration> b = services.metadata().broker(id).filter(r -> r.hasListener(listenerName));
            b.ifPresent(r -> {
                BrokerRegistration.Endpoint e = r.endpoint(listenerName);
                nodes.add(new Node(id, e.host(), e.port()));
            });
        }
        return nodes;
    }
}
