package io.weir.broker.api;

import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.txn.TransactionConfig;
import io.weir.broker.txn.TransactionCoordinator;
import io.weir.broker.zk.TopicRecord;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * What the transaction APIs share: the coordinator, where a transactional id's coordinator is, and the
 * internal {@code __transaction_state} topic, created on first use (as {@code __consumer_offsets} is)
 * with {@code transaction.state.log.num.partitions} partitions replicated
 * {@code transaction.state.log.replication.factor} times (capped by the live brokers).
 */
final class TxnSupport {
    static final String STATE_TOPIC = TransactionCoordinator.STATE_TOPIC;

    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    TxnSupport(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    TransactionCoordinator coordinator() {
        return services.txns();
    }

    /** The transaction state topic, created when missing. */
    TopicMetadata stateTopic() {
        Optional<TopicMetadata> existing = services.metadata().topic(STATE_TOPIC);
        if (existing.isPresent()) {
            return existing.get();
        }
        TransactionConfig c = coordinator().config();
        int brokers = Math.max(1, services.metadata().brokers().size());
        short rf = (short) Math.min(c.stateTopicReplicationFactor(), brokers);
        TopicRecord planned = services.topics().plan(STATE_TOPIC, c.stateTopicPartitions(), rf,
                Map.of("segment.bytes", String.valueOf(c.stateTopicSegmentBytes()), "retention.ms", "-1",
                        "retention.bytes", "-1", "min.insync.replicas", String.valueOf(Math.min(c.stateTopicMinIsr(), rf))));
        try {
            return lifecycle.create(planned);
        } catch (TopicExistsException e) {
            // created concurrently by another request: usable once this broker has learnt of it (the client
            // retries FindCoordinator on COORDINATOR_NOT_AVAILABLE; an unexpected error would be fatal to it)
            return services.metadata().topic(STATE_TOPIC).orElseThrow(() ->
                    new org.apache.kafka.common.errors.CoordinatorNotAvailableException(STATE_TOPIC + " is being created"));
        }
    }

    /** The leader of the id's state partition (-1 when none), creating the state topic if needed. */
    int coordinatorFor(String transactionalId) {
        TopicMetadata topic = stateTopic();
        PartitionState p = topic.partitions().get(coordinator().partitionFor(transactionalId));
        return p == null ? -1 : p.leader();
    }
}
