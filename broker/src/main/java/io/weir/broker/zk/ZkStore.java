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
 * /brokers/ids/&lt;id&gt;          ephemeral: {"version":1,"host":…,"port":…,"rack":…}
 * /brokers/topics/&lt;topic&gt;    {"version":1,"topic_id":…,"partitions":{"0":[0,1],…}}
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
    static final String PRODUCER_ID_BLOCK = "/weir/producer_id_block";
    static final String CLUSTER_ID = "/cluster/id";

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

    private void onConnectionState(ConnectionState newState) {
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
        json.put("version", 1);
        json.put("host", broker.host());
        json.put("port", broker.port());
        json.put("rack", broker.rack());
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
            Map<String, Object> json = fromJson(data, new TypeReference<>() { });
            out.add(new BrokerRegistration(Integer.parseInt(child), (String) json.get("host"),
                    ((Number) json.get("port")).intValue(), (String) json.get("rack")));
        }
        return out;
    }

    public List<String> topicNames() {
        return children(TOPICS);
    }

    public Optional<TopicRecord> topic(String name) {
        Stat stat = new Stat();
        byte[] data = read(TOPICS + "/" + name, stat);
        if (data == null) {
            return Optional.empty();
        }
        Map<String, Object> json = fromJson(data, new TypeReference<>() { });
        @SuppressWarnings("unchecked")
        Map<String, List<Integer>> partitions = (Map<String, List<Integer>>) json.get("partitions");
        TreeMap<Integer, List<Integer>> assignment = new TreeMap<>();
        partitions.forEach((p, replicas) -> assignment.put(Integer.parseInt(p), List.copyOf(replicas)));
        byte[] configData = read(TOPIC_CONFIGS + "/" + name, null);
        Map<String, String> configs = Map.of();
        if (configData != null) {
            Map<String, Object> cj = fromJson(configData, new TypeReference<>() { });
            @SuppressWarnings("unchecked")
            Map<String, String> c = (Map<String, String>) cj.get("config");
            configs = Map.copyOf(c);
        }
        return Optional.of(new TopicRecord(name, Uuid.fromString((String) json.get("topic_id")), assignment, configs,
                stat.getVersion()));
    }

    /**
     * Creates a topic: its assignment and configuration in one transaction.
     *
     * @throws TopicExistsException when it exists already
     */
    public void createTopic(TopicRecord topic) {
        try {
            CuratorOp config = curator.transactionOp().create().forPath(TOPIC_CONFIGS + "/" + topic.name(), configJson(topic));
            CuratorOp assignment = curator.transactionOp().create().forPath(TOPICS + "/" + topic.name(), topicJson(topic));
            curator.transaction().forOperations(config, assignment);
        } catch (KeeperException.NodeExistsException e) {
            throw new TopicExistsException("Topic '" + topic.name() + "' already exists.");
        } catch (Exception e) {
            throw wrap("create topic " + topic.name(), e);
        }
    }

    /**
     * Replaces a topic's assignment (more partitions), conditional on the version it was read at.
     *
     * @return false when the topic changed meanwhile (the caller re-reads and retries)
     */
    public boolean updateAssignment(TopicRecord topic) {
        try {
            curator.setData().withVersion(topic.version()).forPath(TOPICS + "/" + topic.name(), topicJson(topic));
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
     * Deletes a topic's znodes.
     *
     * @throws UnknownTopicOrPartitionException when it does not exist
     */
    public void deleteTopic(String name) {
        try {
            CuratorOp assignment = curator.transactionOp().delete().forPath(TOPICS + "/" + name);
            CuratorOp config = curator.transactionOp().delete().forPath(TOPIC_CONFIGS + "/" + name);
            curator.transaction().forOperations(assignment, config);
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

    private static byte[] topicJson(TopicRecord topic) {
        Map<String, Object> partitions = new LinkedHashMap<>();
        topic.assignment().forEach((p, replicas) -> partitions.put(String.valueOf(p), replicas));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("topic_id", topic.topicId().toString());
        json.put("partitions", partitions);
        return toJson(json);
    }

    private static byte[] configJson(TopicRecord topic) {
        return toJson(Map.of("version", 1, "config", topic.configs()));
    }

    private static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new ZkException("Cannot encode " + value + " as JSON", e);
        }
    }

    private static <T> T fromJson(byte[] data, TypeReference<T> type) {
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
