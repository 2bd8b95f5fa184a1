package io.weir.broker.zk;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The cluster as ZooKeeper described it at one moment: live brokers, topics with their assignment,
 * every partition's leadership state, and the controller. Immutable.
 *
 * @param controllerId the active controller's broker id, -1 when there is none
 * @param shuttingDown brokers in controlled shutdown
 */
public record ClusterSnapshot(List<BrokerRegistration> brokers, Map<String, TopicRecord> topics,
                              Map<TopicPartition, LeaderAndIsr> states, int controllerId, Set<Integer> shuttingDown) {

    public Optional<LeaderAndIsr> state(TopicPartition tp) {
        return Optional.ofNullable(states.get(tp));
    }
}
