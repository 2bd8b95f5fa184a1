package io.weir.broker.controller;

import io.weir.broker.log.LogConfig;
import io.weir.broker.zk.BrokerRegistration;
import io.weir.broker.zk.LeaderAndIsr;
import io.weir.broker.zk.TopicRecord;
import io.weir.broker.zk.ZkStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, extends and deletes topics: validates the request, assigns replicas to live brokers
 * (rack-unaware round robin starting at a rotating broker), writes the result to ZooKeeper with a
 * versioned write, and updates {@link ClusterMetadata}. Decisions are separated from I/O: the
 * {@code assign*} methods are pure.
 *
 * <p>Thread-safe (ZooKeeper serializes conflicting writes; the cache takes whole values).
 */
public final class TopicManager {
    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);
    public static final int MAX_PARTITIONS = 10_000;

    private final ZkStore zk;
    private final ClusterMetadata metadata;
    private final LogConfig brokerLogDefaults;

    public TopicManager(ZkStore zk, ClusterMetadata metadata, LogConfig brokerLogDefaults) {
        this.zk = zk;
        this.metadata = metadata;
        this.brokerLogDefaults = brokerLogDefaults;
    }

    /** Reads brokers and every topic from ZooKeeper into the cache. */
    public void loadAll() {
        metadata.setBrokers(zk.brokers());
        for (String name : zk.topicNames()) {
            zk.topic(name).ifPresent(t -> {
                Map<Integer, LeaderAndIsr> states = new TreeMap<>();
                t.assignment().keySet().forEach(p -> zk.readState(name, p).ifPresent(s -> states.put(p, s)));
                metadata.putTopic(toMetadata(t, states));
            });
        }
    }

    /** The leadership a new partition starts with: the first live replica leads, the live replicas are in sync. */
    private Map<Integer, LeaderAndIsr> initialStates(Map<Integer, List<Integer>> assignment, List<Integer> live) {
        Map<Integer, LeaderAndIsr> states = new TreeMap<>();
        assignment.forEach((p, replicas) -> states.put(p, PartitionChangeBuilder.initial(replicas, live, 0)
                .withPartitionEpoch(0)));
        return states;
    }

    public void refreshBrokers() {
        metadata.setBrokers(zk.brokers());
    }

    /**
     * Validates a topic creation without performing it.
     *
     * @throws InvalidTopicException, InvalidPartitionsException, InvalidReplicationFactorException,
     *         InvalidConfigurationException with a message naming the problem
     */
    public TopicRecord plan(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw new InvalidTopicException(e.getMessage());
        }
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be between 1 and " + MAX_PARTITIONS
                    + ", got " + partitions + " for topic '" + name + "'.");
        }
        List<Integer> live = liveBrokerIds();
        if (replicationFactor < 1 || replicationFactor > live.size()) {
            throw new InvalidReplicationFactorException("Replication factor " + replicationFactor + " for topic '" + name
                    + "' must be between 1 and the number of live brokers (" + live.size() + ").");
        }
        try {
            brokerLogDefaults.withTopicOverrides(configs);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        SortedMap<Integer, List<Integer>> assignment = assign(live, 0, partitions, replicationFactor, name.hashCode() & 0x7fffffff);
        return new TopicRecord(name, Uuid.randomUuid(), assignment, Map.copyOf(configs), -1);
    }

    /** Writes a planned topic to ZooKeeper and the cache. */
    public TopicMetadata create(TopicRecord planned) {
        Map<Integer, LeaderAndIsr> states = initialStates(planned.assignment(), liveBrokerIds());
        zk.createTopic(planned, states);
        TopicMetadata created = toMetadata(planned, states);
        metadata.putTopic(created);
        log.info("Created topic {} ({} partitions, replicas {})", planned.name(), planned.partitionCount(), planned.assignment());
        return created;
    }

    /**
     * Grows a topic to {@code totalPartitions}.
     *
     * @return the topic after the change
     */
    public TopicMetadata createPartitions(String name, int totalPartitions, boolean validateOnly) {
        for (int attempt = 0; attempt < 10; attempt++) {
            TopicRecord current = zk.topic(name).orElseThrow(() ->
                    new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            int existing = current.partitionCount();
            if (totalPartitions <= existing) {
                throw new InvalidPartitionsException("Topic '" + name + "' has " + existing + " partitions; the new count "
                        + totalPartitions + " must be larger.");
            }
            if (totalPartitions > MAX_PARTITIONS) {
                throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS + ".");
            }
            int rf = current.assignment().get(0).size();
            List<Integer> live = liveBrokerIds();
            if (rf > live.size()) {
                throw new InvalidReplicationFactorException("Topic '" + name + "' has replication factor " + rf + " but only "
                        + live.size() + " brokers are alive.");
            }
            TreeMap<Integer, List<Integer>> assignment = new TreeMap<>(current.assignment());
            SortedMap<Integer, List<Integer>> added = assign(live, existing, totalPartitions - existing, rf,
                    name.hashCode() & 0x7fffffff);
            assignment.putAll(added);
            TopicRecord updated = current.withAssignment(assignment);
            Map<Integer, LeaderAndIsr> states = new TreeMap<>();
            current.assignment().keySet().forEach(p -> zk.readState(name, p).ifPresent(st -> states.put(p, st)));
            Map<Integer, LeaderAndIsr> newStates = initialStates(added, live);
            states.putAll(newStates);
            if (validateOnly) {
                return toMetadata(updated, states);
            }
            if (zk.updateAssignment(updated, newStates)) {
                TopicMetadata result = toMetadata(updated, states);
                metadata.putTopic(result);
                log.info("Topic {} now has {} partitions", name, totalPartitions);
                return result;
            }
        }
        throw new InvalidPartitionsException("Topic '" + name + "' kept changing while adding partitions; try again.");
    }

    /**
     * Starts (target present) or cancels (target empty) the reassignment of one partition; the
     * controller completes it once the new replicas are in sync ({@link Reassignments}).
     *
     * @throws UnknownTopicOrPartitionException, InvalidReplicaAssignmentException,
     *         NoReassignmentInProgressException with a message naming the problem
     */
    public void alterReassignment(String name, int partition, Optional<List<Integer>> target,
                                  boolean allowReplicationFactorChange) {
        for (int attempt = 0; attempt < 10; attempt++) {
            TopicRecord current = zk.topic(name).orElseThrow(() ->
                    new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            Set<Integer> registered = new HashSet<>();
            zk.brokers().forEach(b -> registered.add(b.id()));
            TopicRecord updated = target.isPresent()
                    ? Reassignments.start(current, partition, target.get(), registered, allowReplicationFactorChange)
                    : Reassignments.cancel(current, partition);
            if (zk.updateAssignment(updated, Map.of())) {
                TopicRecord.Reassignment r = updated.reassignments().get(partition);
                log.info("Reassignment of {}-{} {}: replicas {} (adding {}, removing {})", name, partition,
                        target.isPresent() ? (r == null ? "done at once" : "started") : "cancelled",
                        updated.assignment().get(partition), r == null ? List.of() : r.adding(),
                        r == null ? List.of() : r.removing());
                return;
            }
        }
        throw new InvalidReplicaAssignmentException("Topic '" + name + "' kept changing while reassigning partition "
                + partition + "; try again.");
    }

    /**
     * The reassignments in progress, for every topic ({@code topics} empty) or for the named topics
     * and partitions (unknown ones are left out).
     */
    public List<TopicRecord> reassigningTopics(Optional<Map<String, List<Integer>>> topics) {
        List<TopicRecord> out = new ArrayList<>();
        for (String name : topics.map(t -> (java.util.Collection<String>) t.keySet()).orElseGet(zk::topicNames)) {
            zk.topic(name).ifPresent(t -> {
                if (!t.reassignments().isEmpty()) {
                    out.add(t);
                }
            });
        }
        return out;
    }

    /**
     * Changes a topic's configuration overrides: {@code change} maps the current overrides to the new
     * ones, {@code validate} refuses invalid ones (as do the log's own rules); the write is conditional
     * on the version read, retried when another change came first.
     *
     * @return the overrides after the change (not written when {@code validateOnly})
     * @throws UnknownTopicOrPartitionException when the topic does not exist
     * @throws InvalidConfigurationException    when the result is invalid
     */
    public Map<String, String> alterConfigs(String name, java.util.function.UnaryOperator<Map<String, String>> change,
                                            java.util.function.Consumer<Map<String, String>> validate, boolean validateOnly) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ZkStore.ConfigOverrides current = zk.topicConfig(name).orElseThrow(() ->
                    new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            Map<String, String> next = Map.copyOf(change.apply(current.configs()));
            validate.accept(next);
            try {
                brokerLogDefaults.withTopicOverrides(next);
            } catch (ConfigException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
            if (validateOnly) {
                return next;
            }
            if (zk.setTopicConfig(name, next, current.version())) {
                metadata.topic(name).ifPresent(t -> metadata.putTopic(new TopicMetadata(t.name(), t.topicId(), next,
                        t.partitions())));
                log.info("Topic {} configuration: {} (was {})", name, next, current.configs());
                return next;
            }
        }
        throw new InvalidConfigurationException("The configuration of topic '" + name + "' kept changing; try again.");
    }

    /**
     * Changes the dynamic configuration of one broker ({@code entity} its id) or of all
     * ({@link ZkStore#DEFAULT_BROKER_ENTITY}) in ZooKeeper, where every broker watches it.
     *
     * @return the new configuration
     */
    public Map<String, String> alterDynamicBrokerConfig(String entity, java.util.function.UnaryOperator<Map<String, String>> change,
                                                        boolean validateOnly) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ZkStore.ConfigOverrides current = zk.brokerConfig(entity);
            Map<String, String> next = Map.copyOf(change.apply(current.configs()));
            if (validateOnly || next.equals(current.configs())) {
                return next;
            }
            if (zk.setBrokerConfig(entity, next, current.version())) {
                log.info("Broker {} dynamic configuration: {} (was {})", entity, next, current.configs());
                return next;
            }
        }
        throw new InvalidConfigurationException("The dynamic configuration of broker " + entity + " kept changing; try again.");
    }

    /** Changes a group's configuration overrides in ZooKeeper (a compare-and-set loop). */
    public Map<String, String> alterGroupConfig(String group, java.util.function.UnaryOperator<Map<String, String>> change,
                                                boolean validateOnly) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ZkStore.ConfigOverrides current = zk.groupConfig(group);
            Map<String, String> next = Map.copyOf(change.apply(current.configs()));
            if (validateOnly || next.equals(current.configs())) {
                return next;
            }
            if (zk.setGroupConfig(group, next, current.version())) {
                // seen here at once, before the watched copy learns it: the caller's answer may be followed by a request
                // that depends on it (a JMS consumer sets its filter, then fetches)
                writtenGroupConfigs.put(group, new WrittenGroupConfig(new ZkStore.ConfigOverrides(next, current.version() + 1),
                        System.nanoTime()));
                log.info("Group {} configuration: {} (was {})", group, next, current.configs());
                return next;
            }
        }
        throw new InvalidConfigurationException("The configuration of group " + group + " kept changing; try again.");
    }

    /**
     * Serves {@link #groupConfig} from a watched copy of ZooKeeper (the cluster watch, once it runs) instead of reading
     * ZooKeeper on every call.
     */
    public void watchGroupConfigs(java.util.function.Function<String, ZkStore.ConfigOverrides> watched) {
        this.watchedGroupConfigs = watched;
    }

    /**
     * A group's configuration overrides: from the watched copy when there is one (this broker's own writes seen at
     * once), else read from ZooKeeper. A change written through another broker shows once its notification arrived,
     * milliseconds later; {@link #groupConfigCurrent} when that matters.
     */
    public Map<String, String> groupConfig(String group) {
        java.util.function.Function<String, ZkStore.ConfigOverrides> watched = watchedGroupConfigs;
        if (watched == null) {
            return zk.groupConfig(group).configs();
        }
        ZkStore.ConfigOverrides seen = watched.apply(group);
        WrittenGroupConfig mine = writtenGroupConfigs.get(group);
        if (mine != null) {
            if (mine.overrides().version() > seen.version()
                    && System.nanoTime() - mine.writtenAt() < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(WRITTEN_KEPT_MS)) {
                return mine.overrides().configs();
            }
            writtenGroupConfigs.remove(group, mine); // the watched copy has it (or has moved past it)
        }
        return seen.configs();
    }

    /**
     * A group's configuration overrides including every change acknowledged before this call: {@link #groupConfig}
     * while this broker is the only one (every change was written through it), else read from ZooKeeper.
     */
    public Map<String, String> groupConfigCurrent(String group) {
        if (watchedGroupConfigs != null && metadata.brokers().size() <= 1) {
            return groupConfig(group);
        }
        return zk.groupConfig(group).configs();
    }

    /** A change this broker wrote, kept until the watched copy shows it (at most {@link #WRITTEN_KEPT_MS}). */
    private record WrittenGroupConfig(ZkStore.ConfigOverrides overrides, long writtenAt) {
    }

    private static final long WRITTEN_KEPT_MS = 10_000;
    private volatile java.util.function.Function<String, ZkStore.ConfigOverrides> watchedGroupConfigs;
    private final Map<String, WrittenGroupConfig> writtenGroupConfigs = new java.util.concurrent.ConcurrentHashMap<>();

    /** The dynamic configuration of one broker, or of all ({@link ZkStore#DEFAULT_BROKER_ENTITY}), in ZooKeeper. */
    public Map<String, String> dynamicBrokerConfig(String entity) {
        return zk.brokerConfig(entity).configs();
    }

    /** Deletes a topic from ZooKeeper and the cache. */
    public void delete(String name) {
        zk.deleteTopic(name);
        metadata.removeTopic(name);
        log.info("Deleted topic {}", name);
    }

    private List<Integer> liveBrokerIds() {
        List<Integer> ids = new ArrayList<>(metadata.brokers().stream().map(BrokerRegistration::id).sorted().toList());
        if (ids.isEmpty()) {
            refreshBrokers();
            ids = new ArrayList<>(metadata.brokers().stream().map(BrokerRegistration::id).sorted().toList());
        }
        return ids;
    }

    /**
     * Round-robin replica assignment: partition {@code p}'s replicas are consecutive brokers starting
     * at {@code (start + p) mod n}, so leaders and followers spread evenly.
     */
    static SortedMap<Integer, List<Integer>> assign(List<Integer> brokers, int firstPartition, int count, int replicationFactor,
                                                    int start) {
        SortedMap<Integer, List<Integer>> assignment = new TreeMap<>();
        int n = brokers.size();
        for (int i = 0; i < count; i++) {
            int p = firstPartition + i;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(brokers.get((start + p + r) % n));
            }
            assignment.put(p, List.copyOf(replicas));
        }
        return assignment;
    }

    /** Leadership as served: from the partition state znodes (no leader while a partition has none). */
    public static TopicMetadata toMetadata(TopicRecord t, Map<Integer, LeaderAndIsr> states) {
        SortedMap<Integer, PartitionState> partitions = new TreeMap<>();
        t.assignment().forEach((p, replicas) -> {
            LeaderAndIsr s = states.get(p);
            partitions.put(p, s == null ? new PartitionState(p, replicas, List.of(), -1, -1)
                    : new PartitionState(p, replicas, s.isr(), s.leader(), s.leaderEpoch()));
        });
        return new TopicMetadata(t.name(), t.topicId(), t.configs(), partitions);
    }

    /** The effective log configuration of a topic: broker defaults with the topic's overrides. */
    public LogConfig logConfig(TopicMetadata topic) {
        return brokerLogDefaults.withTopicOverrides(topic.configs());
    }

    public LogConfig brokerLogDefaults() {
        return brokerLogDefaults;
    }
}
