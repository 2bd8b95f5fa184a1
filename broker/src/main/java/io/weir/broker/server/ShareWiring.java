package io.weir.broker.server;

import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.replication.Partition;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.share.RoutingSharePersister;
import io.weir.broker.share.ShareConfig;
import io.weir.broker.share.ShareGroupCoordinator;
import io.weir.broker.share.ShareGroups;
import io.weir.broker.share.SharePartitionManager;
import io.weir.broker.share.ShareSessions;
import io.weir.broker.share.ShareStateStore;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/** Builds the share-group services of a broker and connects them to leadership changes and the scheduler. */
final class ShareWiring {
    private static final long SWEEP_MS = 200;
    private static final int MAX_SESSIONS = 10_000;

    private ShareWiring() {
    }

    static ShareGroups create(BrokerConfig config, Time time, ClusterMetadata metadata, TopicManager topics, ReplicaManager replicas) {
        ShareConfig share = config.shareConfig();
        // a background write: acks=0, appended to the leader's log without asking for replication or an fsync of its own
        ShareStateStore store = new ShareStateStore((partition, records, durable) -> replicas.appendRecords(
                new TopicPartition(ShareGroups.STATE_TOPIC, partition), records, durable ? (short) -1 : (short) 0, 1),
                share.stateTopicPartitions(), time);
        RoutingSharePersister persister = new RoutingSharePersister(config.brokerId(), store, partition -> {
            Optional<PartitionState> p = metadata.topic(ShareGroups.STATE_TOPIC).map(t -> t.partitions().get(partition));
            if (p.isEmpty() || p.get().leader() < 0) {
                return Optional.empty();
            }
            int leader = p.get().leader();
            if (leader == config.brokerId()) {
                boolean leads = replicas.partition(new TopicPartition(ShareGroups.STATE_TOPIC, partition)).map(Partition::isLeader)
                        .orElse(false);
                return leads ? Optional.of(new RoutingSharePersister.Coordinator(leader, "", -1, true)) : Optional.empty();
            }
            return metadata.broker(leader).map(b -> new RoutingSharePersister.Coordinator(leader, b.host(), b.port(), false));
        }, config.replicationConfig().replicaSocketTimeoutMs()).withSecurity(config.replicationConfig().security());
        ShareGroupConfigs groupConfigs = new ShareGroupConfigs(topics, share);
        ShareGroupCoordinator coordinator = new ShareGroupCoordinator(share, time, name -> metadata.topic(name)
                .map(t -> new io.weir.broker.share.ShareGroupAssignor.TopicPartitions(t.topicId(), t.partitions().size())),
                groupConfigs::assignsEveryPartition);
        SharePartitionManager partitions = new SharePartitionManager(share, groupConfigs, persister, time);
        return new ShareGroups(share, coordinator, store, partitions, new ShareSessions(MAX_SESSIONS), persister);
    }

    static void schedule(ShareGroups share, Scheduler scheduler, ReplicaManager replicas) {
        scheduler.schedulePeriodic("share-expiry", () -> {
            share.coordinator().expireMembers();
            share.partitions().expireLocks();
        }, SWEEP_MS, SWEEP_MS);
        scheduler.schedulePeriodic("share-state-compaction", () -> replicas.partitions().forEach((tp, partition) -> {
            if (tp.topic().equals(ShareGroups.STATE_TOPIC) && partition.isLeader()) {
                share.store().maybeCompact(tp.partition(), partition.log(), 2L * partition.log().config().segmentBytes());
            }
        }), 60_000, 60_000);
    }

    static void onBecomeLeader(ShareGroups share, Partition partition) {
        TopicPartition tp = partition.topicPartition();
        if (tp.topic().equals(ShareGroups.STATE_TOPIC)) {
            share.store().load(partition.log());
        } else {
            // a share-partition is (re)loaded from its persisted state on first use under this leadership
            share.partitions().unload(partition.topicId(), tp.partition());
        }
    }

    static void onResign(ShareGroups share, TopicPartition tp, ClusterMetadata metadata, io.weir.broker.group.GroupCoordinator groups) {
        if (tp.topic().equals(org.apache.kafka.common.internals.Topic.GROUP_METADATA_TOPIC_NAME)) {
            // no longer the coordinator of these share groups: their members rejoin on the new one
            share.coordinator().unloadWhere(group -> groups.partitionFor(group) == tp.partition());
        } else if (tp.topic().equals(ShareGroups.STATE_TOPIC)) {
            share.store().unload(tp.partition());
        } else {
            metadata.topic(tp.topic()).ifPresent(t -> share.partitions().unload(t.topicId(), tp.partition()));
        }
    }
}
