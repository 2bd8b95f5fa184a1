package io.weir.broker.zk;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weir's cluster state in ZooKeeper, and the only class that talks to it (through Curator).
 *
 * <pre>
 * /brokers/ids/&lt;id&gt;          ephemeral: {"version":5,"host":…,"port":…,"rack":…,"endpoints":["NAME://host:port",…]}
 * /config/users/&lt;user&gt;      {"version":1,"config":{"SCRAM-SHA-256":"salt=…,stored_key=…,server_key=…,iterations=…"}}
 * /brokers/topics/&lt;topic&gt;    {"version":1,"topic_id":…,"partitions":{"0":[0,1],…}}; while a partition is
 *                             reassigned (version 2) also "adding_replicas":{"0":[2]},"removing_replicas":{"0":[0]}
 * /brokers/topics/&lt;topic&gt;/partitions/&lt;p&gt;/state   {@link LeaderAndIsr} (znode version = partition epoch)
 * /controller_epoch           {"epoch":N}: incremented (conditionally) by every newly elected controller
 * /controller                 ephemeral {"brokerid":N}: the active controller
 * /weir/controller_latch      Curator LeaderLatch electing the controller
 * /weir/shutting_down/&lt;id&gt;  ephemeral: a broker in controlled shutdown (leadership moves away)
 * /config/topics/&lt;topic&gt;     {"version":1,"config":{"retention.ms":"…",…}}
 * /weir/producer_id_block     {"next":…}: the next free producer id
 * </pre>
 *
 * Topic creation writes both topic znodes in one ZooKeeper transaction; every update is conditional
 * on the znode version that was read, so two writers never silently overwrite each other. The
 * broker's registration is a Curator {@link PersistentNode}, re-created after a session loss.
 *
 * <p>Thread-safe. Lifecycle: {@code LATENT → STARTED → CLOSED}.
 */
public final class ZkStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZkStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BROKER_IDS = "/brokers/ids";
    static final String TOPICS = "/brokers/topics";
    static final String TOPIC_CONFIGS = "/config/topics";
    static final String BROKER_CONFIGS = "/config/brokers";
    static final String GROUP_CONFIGS = "/config/groups";
    /** The {@code /config/brokers} entity that applies to every broker, as in Kafka. */
    public static final String DEFAULT_BROKER_ENTITY = "<default>";
    static final String PRODUCER_ID_BLOCK = "/weir/producer_id_block";
    static final String CLUSTER_ID = "/cluster/id";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_LATCH = "/weir/controller_latch";
    static final String SHUTTING_DOWN = "/weir/shutting_down";

    private enum State { LATENT, STARTED, CLOSED }

    private final CuratorFramework curator;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private PersistentNode registration;

    public ZkStore(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
        this.curator = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(100, 5, 2000))
                .build();
        curator.getConnectionStateListenable().addListener((client, newState) -> onConnectionState(newState));
    }

    private volatile boolean connected;

    /** Whether the session is connected now (false from a suspension until the reconnection). */
    public boolean isConnected() {
        return connected;
    }

    private void onConnectionState(ConnectionState newState) {
        connected = newState == ConnectionState.CONNECTED || newState == ConnectionState.RECONNECTED;
        switch (newState) {
            case SUSPENDED -> log.warn("ZooKeeper connection suspended; cluster state changes wait for it");
            case LOST -> log.error("ZooKeeper session lost; the broker registration will be re-created on reconnect");
            case RECONNECTED -> log.info("ZooKeeper connection re-established");
            default -> log.debug("ZooKeeper connection state {}", newState);
        }
    }

    /**
     * Connects, waiting up to {@code waitMs} for the ensemble.
     *
     * @throws ZkException when ZooKeeper cannot be reached in time
     */
    public void start(long waitMs) {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("ZkStore already started or closed");
        }
        curator.start();
        try {
            if (!curator.blockUntilConnected((int) waitMs, TimeUnit.MILLISECONDS)) {
                throw new ZkException("Cannot connect to ZooKeeper at " + curator.getZookeeperClient().getCurrentConnectionString()
                        + " within " + waitMs + " ms");
            }
            connected = true; // the listener hears of it too, perhaps later
            for (String path : List.of(BROKER_IDS, TOPICS, TOPIC_CONFIGS, "/weir")) {
                curator.createContainers(path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkException("Interrupted while connecting to ZooKeeper", e);
        } catch (ZkException e) {
            throw e;
        } catch (Exception e) {
            throw new ZkException("Cannot initialise ZooKeeper paths: " + e, e);
        }
    }

    /** Publishes this broker under {@code /brokers/ids/<id>} (ephemeral, kept across session loss). */
    public void registerBroker(BrokerRegistration broker) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", broker.endpoints().isEmpty() ? 1 : 5);
        json.put("host", broker.host());
        json.put("port", broker.port());
        json.put("rack", broker.rack());
        if (!broker.endpoints().isEmpty()) {
            List<String> endpoints = new ArrayList<>();
            broker.endpoints().forEach((name, e) -> endpoints.add(name + "://" + e.host() + ":" + e.port()));
            json.put("endpoints", endpoints);
        }
        removeRegistrationOfEarlierRun(broker.id());
        registration = new PersistentNode(curator, CreateMode.EPHEMERAL, false, BROKER_IDS + "/" + broker.id(), toJson(json));
        registration.start();
        try {
            if (!registration.waitForInitialCreate(30, TimeUnit.SECONDS)) {
                throw new ZkException("Broker " + broker.id() + " could not register in ZooKeeper within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkException("Interrupted while registering broker " + broker.id(), e);
        }
    }

    /**
     * A broker killed and restarted within its session timeout finds its killed run's registration,
     * owned by the old session. Taken over as it is, it would vanish when that session expires, and
     * the controller would treat this live broker as dead (moving its leaderships, shrinking ISRs)
     * until it registered again; so it is deleted first and created anew by this session.
     */
    private void removeRegistrationOfEarlierRun(int brokerId) {
        deleteIfHeldByAnotherSession(BROKER_IDS + "/" + brokerId).ifPresent(old ->
                log.warn("Removed the registration of an earlier run of broker {}: {}", brokerId, old));
    }

    /**
     * Deletes the ephemeral znode at {@code path} when another session owns it: what an earlier run
     * of this broker left behind (broker ids are unique in a cluster).
     *
     * @return the deleted znode's data and owner, for the log; empty when nothing was deleted
     */
    private Optional<String> deleteIfHeldByAnotherSession(String path) {
        try {
            Stat stat = new Stat();
            byte[] data = curator.getData().storingStatIn(stat).forPath(path);
            long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
            if (stat.getEphemeralOwner() == session) {
                return Optional.empty();
            }
            curator.delete().withVersion(stat.getVersion()).forPath(path);
            return Optional.of(path + " " + new String(data, StandardCharsets.UTF_8) + " (session 0x"
                    + Long.toHexString(stat.getEphemeralOwner()) + ")");
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            return Optional.empty(); // none, or its session expired meanwhile
        } catch (Exception e) {
            throw wrap("remove " + path + " of an earlier run", e);
        }
    }

    /** The cluster's id, created by the first broker that asks (Kafka's {@code /cluster/id}). */
    public String clusterId() {
        byte[] data = read(CLUSTER_ID, null);
        if (data == null) {
            String id = org.apache.kafka.common.Uuid.randomUuid().toString();
            try {
                curator.create().creatingParentContainersIfNeeded().forPath(CLUSTER_ID, toJson(Map.of("version", "1", "id", id)));
                return id;
            } catch (KeeperException.NodeExistsException e) {
                data = read(CLUSTER_ID, null);
            } catch (Exception e) {
                throw wrap("create the cluster id", e);
            }
        }
        return (String) fromJson(data, new TypeReference<Map<String, Object>>() { }).get("id");
    }

    /** The live brokers, by id. */
    public List<BrokerRegistration> brokers() {
        List<BrokerRegistration> out = new ArrayList<>();
        for (String child : children(BROKER_IDS)) {
            byte[] data = read(BROKER_IDS + "/" + child, null);
            if (data == null) {
                continue; // went away meanwhile
            }
            out.add(parseBroker(Integer.parseInt(child), data));
        }
        return out;
    }

    public List<String> topicNames() {
        return children(TOPICS);
    }

    public Optional<TopicRecord> topic(String name) {
        Stat stat = new Stat();
        byte[] data = read(TOPICS + "/" + name, stat);
        if (data == null || data.length == 0) {
            return Optional.empty(); // absent, or an empty container left by a write racing the topic's deletion
        }
        return Optional.of(parseTopic(name, data, stat.getVersion(), read(TOPIC_CONFIGS + "/" + name, null)));
    }

    /**
     * Creates a topic: its assignment and configuration in one transaction.
     *
     * @throws TopicExistsException when it exists already
     */
    public void createTopic(TopicRecord topic, Map<Integer, LeaderAndIsr> states) {
        try {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(curator.transactionOp().create().forPath(TOPIC_CONFIGS + "/" + topic.name(), configJson(topic)));
            ops.add(curator.transactionOp().create().forPath(TOPICS + "/" + topic.name(), topicJson(topic)));
            ops.add(curator.transactionOp().create().forPath(TOPICS + "/" + topic.name() + "/partitions", new byte[0]));
            addStateCreates(topic.name(), states, ops);
            curator.transaction().forOperations(ops);
        } catch (KeeperException.NodeExistsException e) {
            throw new TopicExistsException("Topic '" + topic.name() + "' already exists.");
        } catch (Exception e) {
            throw wrap("create topic " + topic.name(), e);
        }
    }

    /**
     * Replaces a topic's assignment (more partitions, a reassignment started or cancelled), conditional on
     * the version it was read at.
     *
     * @return false when the topic changed meanwhile (the caller re-reads and retries)
     */
    public boolean updateAssignment(TopicRecord topic, Map<Integer, LeaderAndIsr> newStates) {
        try {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(curator.transactionOp().setData().withVersion(topic.version()).forPath(TOPICS + "/" + topic.name(),
                    topicJson(topic)));
            addStateCreates(topic.name(), newStates, ops);
            curator.transaction().forOperations(ops);
            return true;
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (KeeperException.NoNodeException e) {
            throw new UnknownTopicOrPartitionException("Topic '" + topic.name() + "' does not exist.");
        } catch (Exception e) {
            throw wrap("update the partitions of " + topic.name(), e);
        }
    }

    /**
     * Configuration overrides of a topic ({@code /config/topics/<name>}) or broker
     * ({@code /config/brokers/<id>}), and the znode version they were read at (-1: no znode yet).
     */
    public record ConfigOverrides(Map<String, String> configs, int version) {
    }

    /** The configuration overrides of a topic, or empty when it does not exist. */
    @SuppressWarnings("unchecked")
    public Optional<ConfigOverrides> topicConfig(String name) {
        Stat stat = new Stat();
        byte[] data = read(TOPIC_CONFIGS + "/" + name, stat);
        if (data == null || data.length == 0 || topic(name).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ConfigOverrides(parseConfigOverrides(data), stat.getVersion()));
    }

    /** The {@code config} object of a config znode ({@code {"version":1,"config":{...}}}). */
    @SuppressWarnings("unchecked")
    public static Map<String, String> parseConfigOverrides(byte[] data) {
        Map<String, Object> json = fromJson(data, new TypeReference<>() { });
        Map<String, String> configs = (Map<String, String>) json.get("config");
        return configs == null ? Map.of() : Map.copyOf(configs);
    }

    /**
     * The dynamic configuration of a broker ({@code entity} its id) or of every broker ({@code entity}
     * {@value #DEFAULT_BROKER_ENTITY}), as Kafka keeps it under {@code /config/brokers}.
     */
    public ConfigOverrides brokerConfig(String entity) {
        Stat stat = new Stat();
        byte[] data = read(BROKER_CONFIGS + "/" + entity, stat);
        if (data == null || data.length == 0) {
            return new ConfigOverrides(Map.of(), -1);
        }
        return new ConfigOverrides(parseConfigOverrides(data), stat.getVersion());
    }

    /**
     * Replaces a broker's dynamic configuration, conditional on the version read ({@code -1}: create it).
     *
     * @return false when it changed meanwhile (the caller re-reads and retries)
     */
    public boolean setBrokerConfig(String entity, Map<String, String> configs, int version) {
        String path = BROKER_CONFIGS + "/" + entity;
        byte[] json = toJson(Map.of("version", 1, "config", configs));
        try {
            if (version < 0) {
                curator.create().creatingParentContainersIfNeeded().forPath(path, json);
            } else {
                curator.setData().withVersion(version).forPath(path, json);
            }
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw wrap("set the dynamic configuration of broker " + entity, e);
        }
    }

    /** The configuration overrides of a group ({@code /config/groups/<group>}), version -1 when none. */
    public ConfigOverrides groupConfig(String group) {
        Stat stat = new Stat();
        byte[] data = read(GROUP_CONFIGS + "/" + group, stat);
        if (data == null || data.length == 0) {
            return new ConfigOverrides(Map.of(), -1);
        }
        return new ConfigOverrides(parseConfigOverrides(data), stat.getVersion());
    }

    /**
     * Replaces a group's configuration overrides, conditional on the version read ({@code -1}: create them).
     *
     * @return false when they changed meanwhile (the caller re-reads and retries)
     */
    public boolean setGroupConfig(String group, Map<String, String> configs, int version) {
        String path = GROUP_CONFIGS + "/" + group;
        byte[] json = toJson(Map.of("version", 1, "config", configs));
        try {
            if (version < 0) {
                curator.create().creatingParentContainersIfNeeded().forPath(path, json);
            } else {
                curator.setData().withVersion(version).forPath(path, json);
            }
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw wrap("set the configuration of group " + group, e);
        }
    }

    /**
     * Replaces a topic's configuration overrides, conditional on the version they were read at.
     *
     * @return false when they changed meanwhile (the caller re-reads and retries)
     */
    public boolean setTopicConfig(String name, Map<String, String> configs, int version) {
        try {
            curator.setData().withVersion(version).forPath(TOPIC_CONFIGS + "/" + name,
                    toJson(Map.of("version", 1, "config", configs)));
            return true;
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (KeeperException.NoNodeException e) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        } catch (Exception e) {
            throw wrap("set the configuration of " + name, e);
        }
    }

    /**
     * Deletes a topic's znodes.
     *
     * @throws UnknownTopicOrPartitionException when it does not exist
     */
    public void deleteTopic(String name) {
        try {
            List<CuratorOp> ops = new ArrayList<>();
            String partitions = TOPICS + "/" + name + "/partitions";
            for (String p : children(partitions)) {
                for (String child : children(partitions + "/" + p)) {
                    ops.add(curator.transactionOp().delete().forPath(partitions + "/" + p + "/" + child));
                }
                ops.add(curator.transactionOp().delete().forPath(partitions + "/" + p));
            }
            if (curator.checkExists().forPath(partitions) != null) {
                ops.add(curator.transactionOp().delete().forPath(partitions));
            }
            ops.add(curator.transactionOp().delete().forPath(TOPICS + "/" + name));
            ops.add(curator.transactionOp().delete().forPath(TOPIC_CONFIGS + "/" + name));
            curator.transaction().forOperations(ops);
        } catch (KeeperException.NoNodeException e) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        } catch (Exception e) {
            throw wrap("delete topic " + name, e);
        }
    }

    /**
     * Reserves {@code size} producer ids for this broker with a versioned compare-and-set, so two
     * brokers never hand out the same id.
     *
     * @return the first id of the block
     */
    public long allocateProducerIdBlock(int size) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Stat stat = new Stat();
                byte[] data = read(PRODUCER_ID_BLOCK, stat);
                if (data == null) {
                    try {
                        curator.create().creatingParentContainersIfNeeded().forPath(PRODUCER_ID_BLOCK, toJson(Map.of("next", size)));
                        return 0;
                    } catch (KeeperException.NodeExistsException e) {
                        continue;
                    }
                }
                long next = ((Number) fromJson(data, new TypeReference<Map<String, Object>>() { }).get("next")).longValue();
                curator.setData().withVersion(stat.getVersion()).forPath(PRODUCER_ID_BLOCK, toJson(Map.of("next", next + size)));
                return next;
            } catch (KeeperException.BadVersionException e) {
                // another broker took a block meanwhile: read again
            } catch (Exception e) {
                throw wrap("allocate producer ids", e);
            }
        }
        throw new ZkException("Could not allocate a producer id block after 100 attempts");
    }

    private void addStateCreates(String topic, Map<Integer, LeaderAndIsr> states, List<CuratorOp> ops) throws Exception {
        for (Map.Entry<Integer, LeaderAndIsr> e : states.entrySet()) {
            String dir = TOPICS + "/" + topic + "/partitions/" + e.getKey();
            ops.add(curator.transactionOp().create().forPath(dir, new byte[0]));
            ops.add(curator.transactionOp().create().forPath(dir + "/state", stateJson(e.getValue())));
        }
    }

    static String statePath(String topic, int partition) {
        return TOPICS + "/" + topic + "/partitions/" + partition + "/state";
    }

    /**
     * A controller's write of a partition state: in one transaction, checks that the controller
     * epoch znode still has the version this controller left it at, and sets the state conditional
     * on its partition epoch.
     *
     * @return the written state with its new partition epoch, or empty when the state changed meanwhile
     * @throws ControllerFencedException when another controller has been elected since
     */
    public Optional<LeaderAndIsr> writeStateAsController(String topic, int partition, LeaderAndIsr state,
                                                         ControllerEpoch epoch) {
        String path = statePath(topic, partition);
        try {
            CuratorOp check = curator.transactionOp().check().withVersion(epoch.zkVersion()).forPath(CONTROLLER_EPOCH);
            CuratorOp set = state.partitionEpoch() < 0
                    ? curator.transactionOp().create().forPath(path, stateJson(state))
                    : curator.transactionOp().setData().withVersion(state.partitionEpoch()).forPath(path, stateJson(state));
            if (state.partitionEpoch() < 0) {
                // no parents created: a topic deleted meanwhile must not come back as an empty container
                try {
                    curator.create().forPath(TOPICS + "/" + topic + "/partitions/" + partition);
                } catch (KeeperException.NodeExistsException e) {
                    // the usual case: created with the topic
                }
            }
            curator.transaction().forOperations(check, set);
            return Optional.of(state.withPartitionEpoch(state.partitionEpoch() + 1));
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            Stat stat = new Stat();
            if (read(CONTROLLER_EPOCH, stat) == null || stat.getVersion() != epoch.zkVersion()) {
                throw new ControllerFencedException("Controller epoch " + epoch.epoch() + " was superseded; not writing " + path);
            }
            return Optional.empty();
        } catch (Exception e) {
            throw wrap("write " + path, e);
        }
    }

    /**
     * A controller's completion of reassignments: in one transaction, checks the controller epoch,
     * sets each partition's state conditional on its partition epoch, and sets the topic's assignment
     * conditional on the topic version it was read at.
     *
     * @param states partition → its new state (carrying the partition epoch it was read at)
     * @return whether it was written (false: a state or the topic changed meanwhile)
     * @throws ControllerFencedException when another controller has been elected since
     */
    public boolean writeReassignmentAsController(TopicRecord topic, Map<Integer, LeaderAndIsr> states, ControllerEpoch epoch) {
        try {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(curator.transactionOp().check().withVersion(epoch.zkVersion()).forPath(CONTROLLER_EPOCH));
            for (Map.Entry<Integer, LeaderAndIsr> e : states.entrySet()) {
                ops.add(curator.transactionOp().setData().withVersion(e.getValue().partitionEpoch())
                        .forPath(statePath(topic.name(), e.getKey()), stateJson(e.getValue())));
            }
            ops.add(curator.transactionOp().setData().withVersion(topic.version()).forPath(TOPICS + "/" + topic.name(),
                    topicJson(topic)));
            curator.transaction().forOperations(ops);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            Stat stat = new Stat();
            if (read(CONTROLLER_EPOCH, stat) == null || stat.getVersion() != epoch.zkVersion()) {
                throw new ControllerFencedException("Controller epoch " + epoch.epoch() + " was superseded; not completing "
                        + "the reassignment of " + topic.name());
            }
            return false;
        } catch (Exception e) {
            throw wrap("complete the reassignment of " + topic.name(), e);
        }
    }

    /**
     * A leader's write of its partition's ISR, conditional on the partition epoch it knows.
     *
     * @return the written state with its new partition epoch, or empty when the state changed meanwhile
     */
    public Optional<LeaderAndIsr> writeStateAsLeader(String topic, int partition, LeaderAndIsr state) {
        String path = statePath(topic, partition);
        try {
            Stat stat = curator.setData().withVersion(state.partitionEpoch()).forPath(path, stateJson(state));
            return Optional.of(state.withPartitionEpoch(stat.getVersion()));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw wrap("write " + path, e);
        }
    }

    /** The partition's state read now from ZooKeeper (not a cache). */
    public Optional<LeaderAndIsr> readState(String topic, int partition) {
        Stat stat = new Stat();
        byte[] data = read(statePath(topic, partition), stat);
        return data == null ? Optional.empty() : Optional.of(parseState(data, stat.getVersion()));
    }

    /**
     * Takes the next controller epoch: increments {@code /controller_epoch} conditionally on the
     * version read, then publishes {@code /controller} (ephemeral) naming this broker.
     */
    public ControllerEpoch becomeController(int brokerId) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Stat stat = new Stat();
                byte[] data = read(CONTROLLER_EPOCH, stat);
                ControllerEpoch won;
                if (data == null) {
                    try {
                        curator.create().forPath(CONTROLLER_EPOCH, toJson(Map.of("epoch", 1)));
                    } catch (KeeperException.NodeExistsException e) {
                        continue;
                    }
                    won = new ControllerEpoch(1, 0);
                } else {
                    int epoch = ((Number) fromJson(data, new TypeReference<Map<String, Object>>() { }).get("epoch")).intValue() + 1;
                    Stat after = curator.setData().withVersion(stat.getVersion()).forPath(CONTROLLER_EPOCH,
                            toJson(Map.of("epoch", epoch)));
                    won = new ControllerEpoch(epoch, after.getVersion());
                }
                try {
                    curator.delete().forPath(CONTROLLER);
                } catch (KeeperException.NoNodeException e) {
                    // the previous controller's session is gone
                }
                curator.create().withMode(CreateMode.EPHEMERAL).forPath(CONTROLLER,
                        toJson(Map.of("version", 1, "brokerid", brokerId, "epoch", won.epoch())));
                return won;
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
                // raced with another writer: read again
            } catch (Exception e) {
                throw wrap("take the controller epoch", e);
            }
        }
        throw new ZkException("Could not increment the controller epoch after 100 attempts");
    }

    /**
     * Removes a dead controller's claim so that the next candidate takes over at once instead of after
     * its session timeout: its LeaderLatch participant znodes and {@code /controller}. Called by a broker
     * that saw the controller's process die (connection reset, reconnect refused). Should the controller
     * be alive after all, it is fenced by the next controller epoch.
     */
    public void evictController(int controllerId) {
        try {
            for (String path : electionEntriesOf(controllerId)) {
                deleteQuietly(path);
                log.warn("Removed the controller election entry {} of broker {}, which is dead", path, controllerId);
            }
            Stat stat = new Stat();
            byte[] current = read(CONTROLLER, stat);
            if (current != null && parseControllerId(current) == controllerId) {
                try {
                    curator.delete().withVersion(stat.getVersion()).forPath(CONTROLLER);
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                    // someone else was quicker
                }
            }
        } catch (Exception e) {
            throw wrap("evict controller " + controllerId, e);
        }
    }

    /**
     * Before a broker joins the controller election: removes the entries an earlier run of it left
     * (a killed broker's entry stays until its session times out). Queued ahead of the other
     * standbys, such an entry would win the election when the controller dies, and the cluster would
     * have no controller until that session expired. Should that run still be alive after all (a long
     * pause), it is fenced by the next controller epoch.
     */
    public void removeElectionEntriesOfEarlierRuns(int brokerId) {
        for (String path : electionEntriesOf(brokerId)) {
            deleteIfHeldByAnotherSession(path).ifPresent(old ->
                    log.warn("Removed the controller election entry of an earlier run of broker {}: {}", brokerId, old));
        }
    }

    /** The controller election's (LeaderLatch's) participant znodes that carry broker {@code brokerId}'s id. */
    private List<String> electionEntriesOf(int brokerId) {
        List<String> out = new ArrayList<>();
        for (String child : children(CONTROLLER_LATCH)) {
            String path = CONTROLLER_LATCH + "/" + child;
            byte[] data = read(path, null);
            if (data != null && new String(data, StandardCharsets.UTF_8).equals(String.valueOf(brokerId))) {
                out.add(path);
            }
        }
        return out;
    }

    private void deleteQuietly(String path) throws Exception {
        try {
            curator.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // gone already
        }
    }

    /**
     * Announces a controlled shutdown of this broker: the controller moves its leaderships away and
     * takes it out of ISRs. Ephemeral, so it ends with the session.
     */
    public void announceShutdown(int brokerId) {
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(SHUTTING_DOWN + "/" + brokerId, new byte[] {'1'});
        } catch (KeeperException.NodeExistsException e) {
            // announced already
        } catch (Exception e) {
            throw wrap("announce the shutdown of broker " + brokerId, e);
        }
    }

    static byte[] stateJson(LeaderAndIsr state) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("leader", state.leader());
        json.put("leader_epoch", state.leaderEpoch());
        json.put("isr", state.isr());
        json.put("controller_epoch", state.controllerEpoch());
        return toJson(json);
    }

    @SuppressWarnings("unchecked")
    static LeaderAndIsr parseState(byte[] data, int version) {
        Map<String, Object> json = fromJson(data, new TypeReference<>() { });
        return new LeaderAndIsr(((Number) json.get("leader")).intValue(), ((Number) json.get("leader_epoch")).intValue(),
                (List<Integer>) json.get("isr"), ((Number) json.get("controller_epoch")).intValue(), version);
    }

    @SuppressWarnings("unchecked")
    static TopicRecord parseTopic(String name, byte[] data, int version, byte[] configData) {
        Map<String, Object> json = fromJson(data, new TypeReference<>() { });
        TreeMap<Integer, List<Integer>> assignment = partitionLists(json.get("partitions"));
        TreeMap<Integer, List<Integer>> adding = partitionLists(json.get("adding_replicas"));
        TreeMap<Integer, List<Integer>> removing = partitionLists(json.get("removing_replicas"));
        TreeMap<Integer, TopicRecord.Reassignment> reassignments = new TreeMap<>();
        for (Integer p : assignment.keySet()) {
            List<Integer> a = adding.getOrDefault(p, List.of());
            List<Integer> r = removing.getOrDefault(p, List.of());
            if (!a.isEmpty() || !r.isEmpty()) {
                reassignments.put(p, new TopicRecord.Reassignment(a, r));
            }
        }
        Map<String, String> configs = Map.of();
        if (configData != null) {
            Map<String, Object> cj = fromJson(configData, new TypeReference<>() { });
            configs = Map.copyOf((Map<String, String>) cj.get("config"));
        }
        return new TopicRecord(name, Uuid.fromString((String) json.get("topic_id")), assignment, reassignments, configs,
                version);
    }

    /** {"0":[1,2],…} (absent: empty) as partition → replicas. */
    @SuppressWarnings("unchecked")
    private static TreeMap<Integer, List<Integer>> partitionLists(Object json) {
        TreeMap<Integer, List<Integer>> out = new TreeMap<>();
        if (json != null) {
            ((Map<String, List<Integer>>) json).forEach((p, replicas) -> out.put(Integer.parseInt(p), List.copyOf(replicas)));
        }
        return out;
    }

    static BrokerRegistration parseBroker(int id, byte[] data) {
        Map<String, Object> json = fromJson(data, new TypeReference<>() { });
        Map<String, BrokerRegistration.Endpoint> endpoints = new LinkedHashMap<>();
        if (json.get("endpoints") instanceof List<?> list) {
            for (Object o : list) {
                String uri = String.valueOf(o);
                int sep = uri.indexOf("://");
                int colon = uri.lastIndexOf(':');
                if (sep > 0 && colon > sep + 2) {
                    try {
                        endpoints.put(uri.substring(0, sep), new BrokerRegistration.Endpoint(uri.substring(sep + 3, colon),
                                Integer.parseInt(uri.substring(colon + 1))));
                    } catch (NumberFormatException e) {
                        log.warn("Ignoring the malformed endpoint '{}' of broker {}", uri, id);
                    }
                }
            }
        }
        return new BrokerRegistration(id, (String) json.get("host"), ((Number) json.get("port")).intValue(),
                (String) json.get("rack"), endpoints);
    }

    static int parseControllerId(byte[] data) {
        Object id = fromJson(data, new TypeReference<Map<String, Object>>() { }).get("brokerid");
        return id == null ? -1 : ((Number) id).intValue();
    }

    CuratorFramework curator() {
        return curator;
    }

    /**
     * Fault injection: expires this client's session on the server, as a long network partition from
     * ZooKeeper would (a second client with the same session id closes it). The ephemeral znodes go at
     * once; Curator then opens a new session and re-creates the registration.
     */
    public void expireSession() {
        try {
            org.apache.zookeeper.ZooKeeper mine = curator.getZookeeperClient().getZooKeeper();
            java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
            org.apache.zookeeper.ZooKeeper twin = new org.apache.zookeeper.ZooKeeper(
                    curator.getZookeeperClient().getCurrentConnectionString(), 6000, event -> {
                        if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                            connected.countDown();
                        }
                    }, mine.getSessionId(), mine.getSessionPasswd());
            connected.await(10, TimeUnit.SECONDS);
            twin.close();
        } catch (Exception e) {
            throw wrap("expire the session", e);
        }
    }

    /**
     * Fault injection: drops the session without closing it, as a killed process does. The client
     * stops at once; the server keeps the session (and this broker's ephemeral registration) until the
     * session timeout.
     */
    public void abandon() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        try {
            curator.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        } catch (Exception e) {
            log.warn("Cannot drop the ZooKeeper session", e);
        }
        curator.close();
    }

    private List<String> children(String path) {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw wrap("list " + path, e);
        }
    }

    /** The node's data, or null when it does not exist. */
    private byte[] read(String path, Stat stat) {
        try {
            return stat == null ? curator.getData().forPath(path) : curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (Exception e) {
            throw wrap("read " + path, e);
        }
    }

    static byte[] topicJson(TopicRecord topic) {
        Map<String, Object> partitions = new LinkedHashMap<>();
        topic.assignment().forEach((p, replicas) -> partitions.put(String.valueOf(p), replicas));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", topic.reassignments().isEmpty() ? 1 : 2);
        json.put("topic_id", topic.topicId().toString());
        json.put("partitions", partitions);
        if (!topic.reassignments().isEmpty()) {
            Map<String, Object> adding = new LinkedHashMap<>();
            Map<String, Object> removing = new LinkedHashMap<>();
            topic.reassignments().forEach((p, r) -> {
                if (!r.adding().isEmpty()) {
                    adding.put(String.valueOf(p), r.adding());
                }
                if (!r.removing().isEmpty()) {
                    removing.put(String.valueOf(p), r.removing());
                }
            });
            json.put("adding_replicas", adding);
            json.put("removing_replicas", removing);
        }
        return toJson(json);
    }

    private static byte[] configJson(TopicRecord topic) {
        return toJson(Map.of("version", 1, "config", topic.configs()));
    }

    static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new ZkException("Cannot encode " + value + " as JSON", e);
        }
    }

    static <T> T fromJson(byte[] data, TypeReference<T> type) {
        try {
            return JSON.readValue(data, type);
        } catch (IOException e) {
            throw new ZkException("Malformed JSON in ZooKeeper: " + new String(data, StandardCharsets.UTF_8), e);
        }
    }

    private static RuntimeException wrap(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof RuntimeException re && !(e instanceof IllegalStateException)) {
            return re;
        }
        return new ZkException("Cannot " + what + " in ZooKeeper: " + e, e);
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        if (registration != null) {
            try {
                registration.close();
            } catch (IOException e) {
                log.warn("Cannot remove the broker registration", e);
            }
        }
        curator.close();
    }
}
