package io.weir.broker.server;

import io.weir.broker.api.BrokerServices;
import io.weir.broker.api.KafkaApis;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.GroupCoordinator;
import io.weir.broker.log.LogManager;
import io.weir.broker.network.SocketServer;
import io.weir.broker.replication.DelayedFetchPurgatory;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.txn.ProducerIdManager;
import io.weir.broker.zk.BrokerRegistration;
import io.weir.broker.zk.EmbeddedZooKeeper;
import io.weir.broker.zk.ZkStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Weir broker: wires the layers together and owns their lifecycle.
 *
 * <p>Startup: scheduler → ZooKeeper (embedded when {@code zookeeper.connect} is unset) → log manager
 * (loads and, after a crash, recovers every log) → listener bound → broker registered → topics read
 * from ZooKeeper and the partitions this broker leads opened → requests answered. Requests that
 * arrive before the last step wait for it. {@link #close()} stops everything in reverse order and is
 * safe from a shutdown hook.
 *
 * <p>Lifecycle: {@code LATENT → STARTED → CLOSED}. Thread-safe.
 */
public final class WeirServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WeirServer.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final BrokerConfig config;
    private final Time time;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private LogManager logManager;
    private SocketServer socketServer;
    private ZkStore zk;
    private ReplicaManager replicaManager;
    private ClusterMetadata metadata;
    private GroupCoordinator groupCoordinator;

    public WeirServer(BrokerConfig config, Time time) {
        this.config = config;
        this.time = time;
    }

    public void startup() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Broker already started or closed");
        }
        try {
            doStartup();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void doStartup() {
        ThreadPoolScheduler scheduler = started(new ThreadPoolScheduler("weir-scheduler", 2));
        String zkConnect = config.zookeeperConnect();
        if (zkConnect == null) {
            EmbeddedZooKeeper embedded = new EmbeddedZooKeeper(config.embeddedZooKeeperDir(), config.embeddedZooKeeperPort(), 2000);
            embedded.start();
            started(embedded);
            zkConnect = embedded.connectString();
        }
        zk = new ZkStore(zkConnect, config.zookeeperSessionTimeoutMs(), config.zookeeperConnectionTimeoutMs());
        started(zk);
        zk.start(config.zookeeperConnectionTimeoutMs());

        logManager = new LogManager(config.logManagerConfig(), time, scheduler);
        logManager.startup();
        started(logManager);

        metadata = new ClusterMetadata(zk.clusterId(), config.brokerId());
        TopicManager topics = new TopicManager(zk, metadata, config.logManagerConfig().logDefaults());
        replicaManager = new ReplicaManager(config.brokerId(), logManager, new DelayedFetchPurgatory(scheduler));
        started(replicaManager::shutdown);
        groupCoordinator = new GroupCoordinator(config.groupConfig(), (partition, records) -> replicaManager.appendRecords(
                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition), records, (short) -1, 1), scheduler, time);
        BrokerServices services = new BrokerServices(config.brokerId(), config.originals(), config.autoCreateTopics(),
                config.numPartitions(), config.defaultReplicationFactor(), config.minInsyncReplicas(),
                config.offsetsTopicReplicationFactor(), metadata, topics, replicaManager, new ProducerIdManager(zk),
                groupCoordinator, time);
        KafkaApis apis = started(new KafkaApis(services, config.numIoThreads()));

        socketServer = new SocketServer(config.listener().host(), config.listener().port(), config.socketRequestMaxBytes(),
                config.connectionsMaxIdleMs(), config.numNetworkThreads(), apis);
        socketServer.start();
        started(socketServer);
        int advertisedPort = config.advertisedListener().port() == 0 ? socketServer.port() : config.advertisedListener().port();
        zk.registerBroker(new BrokerRegistration(config.brokerId(), config.advertisedListener().host(), advertisedPort, null));

        topics.loadAll();
        openLocalPartitions(topics);
        loadGroupOffsets();
        scheduler.schedulePeriodic("offsets-compaction", this::compactGroupOffsets, config.offsetsRetentionCheckIntervalMs(),
                config.offsetsRetentionCheckIntervalMs());
        apis.markReady();
        log.info("Weir broker {} started: listening on {}:{}, data in {}, ZooKeeper {}", config.brokerId(),
                config.listener().host(), socketServer.port(), config.logManagerConfig().logDirs(), zkConnect);
    }

    /**
     * Opens the logs of the partitions this broker leads. Logs of partitions ZooKeeper does not assign
     * here are left untouched (a wrong {@code zookeeper.connect} must not destroy data) and named in a
     * warning; they are discarded only if a topic of the same name is created again.
     */
    private void openLocalPartitions(TopicManager topics) {
        Set<TopicPartition> assigned = new HashSet<>();
        for (TopicMetadata topic : metadata.topics()) {
            for (PartitionState p : topic.partitions().values()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                if (p.replicas().contains(config.brokerId())) {
                    assigned.add(tp);
                }
                if (p.leader() == config.brokerId()) {
                    replicaManager.becomeLeader(tp, topic.topicId(), topics.logConfig(topic), p.leaderEpoch(), p.replicas(), p.isr());
                }
            }
        }
        for (TopicPartition tp : logManager.allLogs().keySet()) {
            if (!assigned.contains(tp)) {
                log.warn("Log of {} in {} is not assigned to broker {} in ZooKeeper; leaving it unused", tp,
                        logManager.getLog(tp).map(l -> l.dir().toString()).orElse("?"), config.brokerId());
            }
        }
    }

    /** Replays the committed offsets of the {@code __consumer_offsets} partitions this broker leads. */
    private void loadGroupOffsets() {
        replicaManager.partitions().forEach((tp, partition) -> {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                groupCoordinator.loadOffsets(partition.log());
            }
        });
    }

    private void compactGroupOffsets() {
        replicaManager.partitions().forEach((tp, partition) -> {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                groupCoordinator.maybeCompact(tp.partition(), partition.log());
            }
        });
    }

    private <T extends AutoCloseable> T started(T component) {
        toClose.push(component);
        return component;
    }

    public LogManager logManager() {
        return logManager;
    }

    /** The port the listener is bound to. */
    public int boundPort() {
        return socketServer.port();
    }

    public BrokerConfig config() {
        return config;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitShutdown() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        try {
            while (!toClose.isEmpty()) {
                AutoCloseable c = toClose.pop();
                try {
                    c.close();
                } catch (Exception e) {
                    log.error("Error while stopping {}", c, e);
                }
            }
            log.info("Weir broker {} stopped", config.brokerId());
        } finally {
            closed.countDown();
        }
    }
}
