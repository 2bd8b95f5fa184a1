package io.weir.broker.server;

import io.weir.broker.log.LogManagerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import io.weir.broker.network.Listener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The broker's configuration, with Kafka's property names. Parsing validates every known key and
 * fails with a {@link ConfigException} naming the key, so a broken file stops startup with a clear
 * message. Immutable.
 */
public final class BrokerConfig {
    public static final String BROKER_ID = "broker.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String EMBEDDED_ZOOKEEPER_DIR = "zookeeper.embedded.data.dir";
    public static final String EMBEDDED_ZOOKEEPER_PORT = "zookeeper.embedded.port";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS = "auto.create.topics.enable";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "controlled.shutdown.timeout.ms";
    public static final String AUTO_LEADER_REBALANCE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
    public static final String HW_CHECKPOINT_INTERVAL_MS = "replica.high.watermark.checkpoint.interval.ms";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_TOPIC_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(BROKER_ID, Type.INT, 0, Range.atLeast(0), Importance.HIGH, "This broker's id in the cluster.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://localhost:9092", Importance.HIGH, "Where clients connect.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH, "What clients are told to connect to.")
            .define(ZOOKEEPER_CONNECT, Type.STRING, null, Importance.HIGH,
                    "ZooKeeper ensemble; when unset, an embedded ZooKeeper server is started.")
            .define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, 18_000, Range.atLeast(1000), Importance.HIGH, "ZooKeeper session timeout.")
            .define(ZOOKEEPER_CONNECTION_TIMEOUT_MS, Type.INT, 18_000, Range.atLeast(100), Importance.MEDIUM,
                    "How long to wait for ZooKeeper at startup.")
            .define(EMBEDDED_ZOOKEEPER_DIR, Type.STRING, null, Importance.MEDIUM,
                    "Data directory of the embedded ZooKeeper (default: beside the first log directory).")
            .define(EMBEDDED_ZOOKEEPER_PORT, Type.INT, 0, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the embedded ZooKeeper on loopback (0: any free port).")
            .define(NUM_PARTITIONS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, "Partitions of auto-created topics.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM,
                    "Replication factor of auto-created topics.")
            .define(AUTO_CREATE_TOPICS, Type.BOOLEAN, true, Importance.MEDIUM, "Create unknown topics on Metadata and Produce.")
            .define(MIN_INSYNC_REPLICAS, Type.INT, 1, Range.atLeast(1), Importance.HIGH, "Smallest ISR that acks=all accepts.")
            .define(UNCLEAN_LEADER_ELECTION, Type.BOOLEAN, false, Importance.HIGH,
                    "Whether a replica outside the ISR may become leader when no ISR member is alive (acknowledged records may be lost).")
            .define(AUTO_LEADER_REBALANCE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether the controller periodically moves leadership back to each partition's preferred replica.")
            .define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, Type.LONG, 300L, Range.atLeast(1), Importance.MEDIUM,
                    "How often the controller looks for partitions not led by their preferred replica.")
            .define(CONTROLLED_SHUTDOWN_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.MEDIUM,
                    "How long a stopping broker waits for the controller to move its leaderships away.")
            .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.HIGH,
                    "A follower not caught up with the leader for this long leaves the ISR.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, Range.atLeast(0), Importance.MEDIUM,
                    "How long a follower's fetch waits at the leader for new records.")
            .define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.MEDIUM,
                    "How long a follower waits for its leader to connect or answer before it drops the connection and"
                            + " connects again; at least replica.fetch.wait.max.ms.")
            .define(HW_CHECKPOINT_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often high watermarks are written to replication-offset-checkpoint.")
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 100 * 1024 * 1024, Range.atLeast(1024), Importance.HIGH,
                    "Largest request accepted.")
            .define(NUM_IO_THREADS, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM, "Request handler threads.")
            .define(NUM_NETWORK_THREADS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM, "Network (event loop) threads.")
            .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Idle connections are closed after this.")
            .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6_000, Range.atLeast(1), Importance.MEDIUM,
                    "Smallest session timeout a group member may ask for.")
            .define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1_800_000, Range.atLeast(1), Importance.MEDIUM,
                    "Largest session timeout a group member may ask for.")
            .define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3_000, Range.atLeast(0), Importance.MEDIUM,
                    "How long the first rebalance of an empty group waits for more members.")
            .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM, "Most members in a group.")
            .define(OFFSETS_TOPIC_PARTITIONS, Type.INT, 50, Range.between(1, 1000), Importance.HIGH,
                    "Partitions of __consumer_offsets (fixed once the topic exists).")
            .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.atLeast(1), Importance.HIGH,
                    "Replication factor of __consumer_offsets (capped by the live brokers).")
            .define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Segment size of __consumer_offsets; a partition is compacted past twice this.")
            .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.MEDIUM,
                    "Longest metadata string of a committed offset.")
            .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often the size of __consumer_offsets partitions is checked.")
            .define(io.weir.broker.api.FetchSessions.CACHE_SLOTS, Type.INT, io.weir.broker.api.FetchSessions.DEFAULT_CACHE_SLOTS,
                    Range.atLeast(0), Importance.MEDIUM, "Most incremental fetch sessions kept (0: none).")
            .define(io.weir.broker.api.FetchSessions.EVICTION_MS, Type.LONG, io.weir.broker.api.FetchSessions.DEFAULT_EVICTION_MS,
                    Range.atLeast(0), Importance.MEDIUM,
                    "How long a fetch session is kept before a new one may evict it, and how long an unused one is kept.");

    /** A host and port. */
    public record Endpoint(String host, int port) {
    }

    private final Map<String, String> originals;
    private final AbstractConfig parsed;
    private final LogManagerConfig logManagerConfig;
    private final List<Listener> listeners;
    private final List<Listener> advertisedListeners;
    private final String interBrokerListenerName;
    private final io.weir.broker.network.InterBrokerSecurity interBrokerSecurity;

    public BrokerConfig(Map<String, String> props) {
        this.originals = Map.copyOf(props);
        this.parsed = new AbstractConfig(DEF, props, false);
        this.logManagerConfig = LogManagerConfig.fromProperties(props);
        Map<String, SecurityProtocol> protocols = ListenerConfigs.protocolMap(props.get(ListenerConfigs.PROTOCOL_MAP));
        this.listeners = ListenerConfigs.parse(LISTENERS, parsed.getString(LISTENERS), protocols);
        String adv = parsed.getString(ADVERTISED_LISTENERS);
        this.advertisedListeners = adv == null ? listeners : ListenerConfigs.parse(ADVERTISED_LISTENERS, adv, protocols);
        for (Listener a : advertisedListeners) {
            if (listeners.stream().noneMatch(l -> l.name().equals(a.name()))) {
                throw new ConfigException(ADVERTISED_LISTENERS, adv, "listener " + a.name() + " is not in listeners");
            }
            if (a.host().isEmpty() || a.host().equals("0.0.0.0")) {
                throw new ConfigException(ADVERTISED_LISTENERS, adv == null ? parsed.getString(LISTENERS) : adv,
                        "clients need a host name to connect to; set advertised.listeners when listening on all interfaces");
            }
        }
        this.interBrokerListenerName = ListenerConfigs.interBrokerListener(props, listeners);
        if (advertisedListeners.stream().noneMatch(l -> l.name().equals(interBrokerListenerName))) {
            throw new ConfigException(ADVERTISED_LISTENERS, adv, "the inter-broker listener " + interBrokerListenerName
                    + " must be advertised");
        }
        this.interBrokerSecurity = io.weir.broker.auth.InterBrokerSecurities.of(originals, interBrokerListenerName,
                listener(interBrokerListenerName).protocol());
        groupConfig();
        transactionConfig();
        if (parsed.getInt(REPLICA_SOCKET_TIMEOUT_MS) < parsed.getInt(REPLICA_FETCH_WAIT_MAX_MS)) {
            throw new ConfigException(REPLICA_SOCKET_TIMEOUT_MS, parsed.getInt(REPLICA_SOCKET_TIMEOUT_MS),
                    "must be at least replica.fetch.wait.max.ms (" + parsed.getInt(REPLICA_FETCH_WAIT_MAX_MS) + ")");
        }
        if (socketRequestMaxBytes() < logManagerConfig.logDefaults().maxMessageBytes()) {
            throw new ConfigException(SOCKET_REQUEST_MAX_BYTES, socketRequestMaxBytes(),
                    "must be at least message.max.bytes (" + logManagerConfig.logDefaults().maxMessageBytes() + ")");
        }
    }

    /**
     * Reads a properties file, then applies {@code overrides} ({@code key=value}) on top.
     *
     * @throws ConfigException when the file is missing or unreadable, or a value is invalid
     */
    public static BrokerConfig load(Path file, Map<String, String> overrides) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Configuration file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> props = new HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k).trim()));
        props.putAll(overrides);
        return new BrokerConfig(props);
    }

    public int brokerId() {
        return parsed.getInt(BROKER_ID);
    }

    public LogManagerConfig logManagerConfig() {
        return logManagerConfig;
    }

    public Map<String, String> originals() {
        return originals;
    }

    /** The inter-broker listener's bind address. */
    public Endpoint listener() {
        Listener l = listener(interBrokerListenerName);
        return new Endpoint(l.host(), l.port());
    }

    /** The inter-broker listener's advertised address. */
    public Endpoint advertisedListener() {
        Listener l = advertisedListeners.stream().filter(a -> a.name().equals(interBrokerListenerName)).findFirst().orElseThrow();
        return new Endpoint(l.host(), l.port());
    }

    /** Every listener to bind, in the order of {@code listeners}. */
    public List<Listener> listeners() {
        return listeners;
    }

    /** What each listener advertises (by name). */
    public List<Listener> advertisedListeners() {
        return advertisedListeners;
    }

    public String interBrokerListenerName() {
        return interBrokerListenerName;
    }

    private Listener listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /** The external ensemble, or null to run the embedded one. */
    public String zookeeperConnect() {
        return parsed.getString(ZOOKEEPER_CONNECT);
    }

    public int zookeeperSessionTimeoutMs() {
        return parsed.getInt(ZOOKEEPER_SESSION_TIMEOUT_MS);
    }

    public int zookeeperConnectionTimeoutMs() {
        return parsed.getInt(ZOOKEEPER_CONNECTION_TIMEOUT_MS);
    }

    public Path embeddedZooKeeperDir() {
        String dir = parsed.getString(EMBEDDED_ZOOKEEPER_DIR);
        if (dir != null) {
            return Path.of(dir).toAbsolutePath();
        }
        Path first = logManagerConfig.logDirs().get(0);
        return first.resolveSibling(first.getFileName() + "-zookeeper");
    }

    public int embeddedZooKeeperPort() {
        return parsed.getInt(EMBEDDED_ZOOKEEPER_PORT);
    }

    public int numPartitions() {
        return parsed.getInt(NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return parsed.getShort(DEFAULT_REPLICATION_FACTOR);
    }

    public boolean autoCreateTopics() {
        return parsed.getBoolean(AUTO_CREATE_TOPICS);
    }

    public boolean autoLeaderRebalance() {
        return parsed.getBoolean(AUTO_LEADER_REBALANCE);
    }

    public long leaderImbalanceCheckIntervalMs() {
        return parsed.getLong(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS) * 1000;
    }

    public long controlledShutdownTimeoutMs() {
        return parsed.getLong(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    public boolean uncleanLeaderElection() {
        return parsed.getBoolean(UNCLEAN_LEADER_ELECTION);
    }

    public io.weir.broker.replication.ReplicationConfig replicationConfig() {
        return new io.weir.broker.replication.ReplicationConfig(parsed.getLong(REPLICA_LAG_TIME_MAX_MS),
                parsed.getInt(REPLICA_FETCH_WAIT_MAX_MS), parsed.getLong(HW_CHECKPOINT_INTERVAL_MS),
                parsed.getInt(REPLICA_SOCKET_TIMEOUT_MS), interBrokerSecurity);
    }

    public int minInsyncReplicas() {
        return parsed.getInt(MIN_INSYNC_REPLICAS);
    }

    public int socketRequestMaxBytes() {
        return parsed.getInt(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numIoThreads() {
        return parsed.getInt(NUM_IO_THREADS);
    }

    public int numNetworkThreads() {
        return parsed.getInt(NUM_NETWORK_THREADS);
    }

    public long connectionsMaxIdleMs() {
        return parsed.getLong(CONNECTIONS_MAX_IDLE_MS);
    }

    public io.weir.broker.group.GroupConfig groupConfig() {
        if (parsed.getInt(GROUP_MIN_SESSION_TIMEOUT_MS) > parsed.getInt(GROUP_MAX_SESSION_TIMEOUT_MS)) {
            throw new ConfigException(GROUP_MIN_SESSION_TIMEOUT_MS, parsed.getInt(GROUP_MIN_SESSION_TIMEOUT_MS),
                    "must not exceed " + GROUP_MAX_SESSION_TIMEOUT_MS);
        }
        return new io.weir.broker.group.GroupConfig(parsed.getInt(GROUP_MIN_SESSION_TIMEOUT_MS),
                parsed.getInt(GROUP_MAX_SESSION_TIMEOUT_MS), parsed.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS),
                parsed.getInt(GROUP_MAX_SIZE), parsed.getInt(OFFSETS_TOPIC_PARTITIONS), parsed.getInt(OFFSETS_TOPIC_SEGMENT_BYTES),
                parsed.getInt(OFFSET_METADATA_MAX_BYTES));
    }

    /** The transaction coordinator's settings ({@code transaction.*}). */
    public io.weir.broker.txn.TransactionConfig transactionConfig() {
        io.weir.broker.txn.TransactionConfig c = TransactionSettings.parse(originals, parsed.getInt(REPLICA_SOCKET_TIMEOUT_MS));
        return interBrokerSecurity == null ? c : c.withSecurity(interBrokerSecurity);
    }

    public short offsetsTopicReplicationFactor() {
        return parsed.getShort(OFFSETS_TOPIC_REPLICATION_FACTOR);
    }

    public long offsetsRetentionCheckIntervalMs() {
        return parsed.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    // share groups (KIP-932), with Kafka's names
    public static final String SHARE_RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
    public static final String SHARE_DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
    public static final String SHARE_PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
    public static final String SHARE_SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
    public static final String SHARE_HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
    public static final String SHARE_MAX_SIZE = "group.share.max.size";
    public static final String SHARE_STATE_TOPIC_PARTITIONS = "share.coordinator.state.topic.num.partitions";
    public static final String SHARE_STATE_TOPIC_REPLICATION_FACTOR = "share.coordinator.state.topic.replication.factor";

    static {
        io.weir.broker.share.ShareConfig d = io.weir.broker.share.ShareConfig.defaults();
        DEF.define(SHARE_RECORD_LOCK_DURATION_MS, Type.INT, d.recordLockDurationMs(), Range.between(100, 3_600_000), Importance.MEDIUM,
                        "How long a record acquired by a share consumer stays locked to it.")
                .define(SHARE_DELIVERY_COUNT_LIMIT, Type.INT, d.deliveryCountLimit(), Range.between(2, 100), Importance.MEDIUM,
                        "Deliveries of a record to share consumers after which it is archived.")
                .define(SHARE_PARTITION_MAX_RECORD_LOCKS, Type.INT, d.maxRecordLocks(), Range.between(100, 100_000), Importance.MEDIUM,
                        "Most records in flight (acquired or awaiting the start offset) per share-partition.")
                .define(SHARE_SESSION_TIMEOUT_MS, Type.INT, d.sessionTimeoutMs(), Range.atLeast(1000), Importance.MEDIUM,
                        "A share group member without a heartbeat for this long leaves its group.")
                .define(SHARE_HEARTBEAT_INTERVAL_MS, Type.INT, d.heartbeatIntervalMs(), Range.atLeast(100), Importance.MEDIUM,
                        "How often share group members are told to heartbeat.")
                .define(SHARE_MAX_SIZE, Type.INT, d.maxGroupSize(), Range.between(1, 10_000), Importance.MEDIUM,
                        "Most members in one share group.")
                .define(SHARE_STATE_TOPIC_PARTITIONS, Type.INT, d.stateTopicPartitions(), Range.between(1, 1000), Importance.HIGH,
                        "Partitions of __share_group_state (fixed once the topic exists).")
                .define(SHARE_STATE_TOPIC_REPLICATION_FACTOR, Type.SHORT, d.stateTopicReplicationFactor(), Range.atLeast(1),
                        Importance.HIGH, "Replication factor of __share_group_state (capped by the live brokers).");
    }

    public io.weir.broker.share.ShareConfig shareConfig() {
        return new io.weir.broker.share.ShareConfig(parsed.getInt(SHARE_RECORD_LOCK_DURATION_MS), parsed.getInt(SHARE_DELIVERY_COUNT_LIMIT),
                parsed.getInt(SHARE_PARTITION_MAX_RECORD_LOCKS), parsed.getInt(SHARE_SESSION_TIMEOUT_MS),
                parsed.getInt(SHARE_HEARTBEAT_INTERVAL_MS), parsed.getInt(SHARE_MAX_SIZE), parsed.getInt(SHARE_STATE_TOPIC_PARTITIONS),
                parsed.getShort(SHARE_STATE_TOPIC_REPLICATION_FACTOR));
    }
}
