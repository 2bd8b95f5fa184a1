package io.weir.broker.api;

import io.weir.broker.common.Time;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.Controller;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.group.GroupCoordinator;
import io.weir.broker.replication.MetadataSync;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.txn.ProducerIdManager;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the API handlers work with: the broker's settings and the domain services below the api layer.
 *
 * @param brokerId                this broker
 * @param brokerProperties        the broker configuration as given (for DescribeConfigs)
 * @param autoCreateTopics        {@code auto.create.topics.enable}
 * @param defaultPartitions       {@code num.partitions}
 * @param defaultReplicationFactor {@code default.replication.factor}
 * @param minInsyncReplicas       {@code min.insync.replicas}
 * @param offsetsTopicReplicationFactor {@code offsets.topic.replication.factor}
 * @param sync                    applies the cluster state from ZooKeeper to this broker
 * @param controller              this broker's controller (active or standby); set up after the services
 * @param share                   share groups (KIP-932)
 */
public record BrokerServices(int brokerId, Map<String, String> brokerProperties, boolean autoCreateTopics,
                             int defaultPartitions, short defaultReplicationFactor, int minInsyncReplicas,
                             short offsetsTopicReplicationFactor, ClusterMetadata metadata, TopicManager topics,
                             ReplicaManager replicas, MetadataSync sync, ProducerIdManager producerIds, GroupCoordinator groups,
                             Time time, Supplier<Controller> controller, io.weir.broker.share.ShareGroups share) {
}
