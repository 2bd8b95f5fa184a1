package io.weir.broker.server;

import io.weir.broker.api.BrokerServices;
import io.weir.broker.api.KafkaApis;
import io.weir.broker.auth.AclAuthorizer;
import io.weir.broker.auth.AclSnapshot;
import io.weir.broker.auth.AuthorizerSettings;
import io.weir.broker.zk.AclStore;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.GroupCoordinator;
import io.weir.broker.log.LogManager;
import io.weir.broker.network.SocketServer;
import io.weir.broker.replication.MetadataSync;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.replication.ReplicationQuota;
import io.weir.broker.controller.Controller;
import io.weir.broker.zk.ClusterWatch;
import io.weir.broker.txn.ProducerIdManager;
import io.weir.broker.txn.TransactionCoordinator;
import io.weir.broker.api.TxnMarkerAppender;
import io.weir.broker.log.AppendOrigin;
import io.weir.broker.zk.BrokerRegistration;
import io.weir.broker.zk.EmbeddedZooKeeper;
import io.weir.broker.zk.ZkStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
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
    private final java.util.List<SocketServer> socketServers = new java.util.ArrayList<>();
    private ZkStore zk;
    private volatile ReplicaManager replicaManager;
    private volatile io.weir.broker.api.FetchSessionCache fetchSessions;
    private volatile ClusterMetadata metadata;
    private GroupCoordinator groupCoordinator;
    private volatile TransactionCoordinator txnCoordinator;
    private volatile MetadataSync sync;
    private volatile Controller controller;
    private volatile ClusterWatch watch;
    private volatile boolean killed;

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
        AuthorizerSettings authorization = AuthorizerSettings.parse(config.originals()); // a bad setting stops startup here
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

        io.weir.broker.auth.ScramCredentialStore scram = started(new io.weir.broker.auth.ScramCredentialStore(new io.weir.broker.zk.ZkUserCredentials(zk)));
        scram.start();
        ScramSeeds.apply(config.originals(), scram);
        io.weir.broker.quota.ClientQuotas quotas = started(new io.weir.broker.quota.ClientQuotas(new io.weir.broker.zk.ZkClientQuotas(zk)));
        quotas.start();

        logManager = new LogManager(config.logManagerConfig(), time, scheduler);
        logManager.startup();
        started(logManager);

        metadata = new ClusterMetadata(zk.clusterId(), config.brokerId());
        metadata.setCurrency(zk::isConnected);
        TopicManager topics = new TopicManager(zk, metadata, config.logManagerConfig().logDefaults());
        replicaManager = new ReplicaManager(config.brokerId(), logManager, config.logManagerConfig().logDirs(), scheduler, time,
                config.replicationConfig(), (tp, state) -> zk.writeStateAsLeader(tp.topic(), tp.partition(), state));
        replicaManager.setSessionLiveness(zk::isConnected);
        started(() -> {
            if (!killed) {
                replicaManager.shutdown();
            }
        });
        sync = new MetadataSync(config.brokerId(), () -> watch.snapshot(), metadata, topics, replicaManager);
        started(sync);
        // coordinator origin: transactional offsets are checked by producer epoch only
        groupCoordinator = new GroupCoordinator(config.groupConfig(), new ClassicGroupConfigs(topics), (partition, records) -> replicaManager.appendRecords(
                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition), records, (short) -1, 1, 5_000,
                AppendOrigin.COORDINATOR), scheduler, time);
        io.weir.broker.share.ShareGroups share = shareGroups(topics, scheduler);
        ProducerIdManager producerIds = new ProducerIdManager(zk);
        TxnMarkerAppender markers = new TxnMarkerAppender(replicaManager, groupCoordinator, share.partitions(), time);
        txnCoordinator = started(new TransactionCoordinator(config.brokerId(), config.transactionConfig(), metadata,
                this::appendTransactionState, markers, producerIds::nextProducerId, scheduler, time));
        BrokerServices services = new BrokerServices(config.brokerId(), config.originals(), config.autoCreateTopics(),
                config.numPartitions(), config.defaultReplicationFactor(), config.minInsyncReplicas(),
                config.offsetsTopicReplicationFactor(), metadata, topics, replicaManager, sync, producerIds,
                groupCoordinator, time, () -> controller, txnCoordinator, share);
        AclAuthorizer authorizer = new AclAuthorizer(authorization);
        AclStore acls = null;
        if (authorizer.enabled()) {
            acls = started(new AclStore(zk, bindings -> authorizer.update(new AclSnapshot(bindings)), time::milliseconds));
            acls.start(config.zookeeperConnectionTimeoutMs());
            log.info("Authorization on: ACLs from ZooKeeper ({}), super users {}, allow.everyone.if.no.acl.found={}",
                    authorizer.acls(), authorization.superUsers(), authorization.allowEveryoneIfNoAclFound());
        }
        KafkaApis apis = started(new KafkaApis(services, config.numIoThreads(), markers, authorizer, acls, scram, quotas));
        fetchSessions = apis.fetchSessions();

        java.util.Map<String, BrokerRegistration.Endpoint> endpoints = new java.util.LinkedHashMap<>();
        for (io.weir.broker.network.Listener l : config.listeners()) {
            SocketServer server = new SocketServer(l, l.usesTls() ? io.weir.broker.network.TlsContexts.server(config.originals(), l.name()) : null,
                    l.usesSasl() ? io.weir.broker.auth.SaslSettings.of(config.originals(), l.name(), scram) : null, time,
                    config.socketRequestMaxBytes(), config.connectionsMaxIdleMs(), config.numNetworkThreads(), apis);
            server.start();
            started(server);
            socketServers.add(server);
        }
        for (io.weir.broker.network.Listener a : config.advertisedListeners()) {
            endpoints.put(a.name(), new BrokerRegistration.Endpoint(a.host(), a.port() == 0 ? boundPort(a.name()) : a.port()));
        }
        BrokerRegistration.Endpoint interBroker = endpoints.get(config.interBrokerListenerName());
        zk.registerBroker(new BrokerRegistration(config.brokerId(), interBroker.host(), interBroker.port(), null, endpoints));

        topics.loadAll();
        controller = new Controller(config.brokerId(), zk, () -> watch.snapshot(), config.uncleanLeaderElection(),
                config.autoLeaderRebalance(), config.leaderImbalanceCheckIntervalMs(), time);
        // the coordinator of a group is the leader of its offsets partition: it loads them on election. Set before the
        // cluster watch starts: a restarted broker may lead partitions from the watch's first snapshot on, and a
        // leadership applied before the listener was set was never loaded (its transactions then had no coordinator)
        replicaManager.setLeadershipListener(new ReplicaManager.LeadershipListener() {
            @Override
            public void onBecomeLeader(io.weir.broker.replication.Partition partition) {
                if (partition.topicPartition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                    groupCoordinator.loadOffsets(partition.log());
                } else if (partition.topicPartition().topic().equals(TransactionCoordinator.STATE_TOPIC)) {
                    txnCoordinator.load(partition.topicPartition().partition(), partition.leaderEpoch(), partition.log());
                }
                ShareWiring.onBecomeLeader(share, partition);
            }

            @Override
            public void onResign(TopicPartition tp) {
                if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                    groupCoordinator.unloadOffsets(tp.partition());
                } else if (tp.topic().equals(TransactionCoordinator.STATE_TOPIC)) {
                    txnCoordinator.unload(tp.partition());
                }
                ShareWiring.onResign(share, tp, metadata, groupCoordinator);
            }
        });
        watch = new ClusterWatch(zk, () -> {
            sync.onChange();
            controller.onClusterChange();
            applyDynamicConfig();
        });
        started(watch);
        replicaManager.leaderQuota().setThrottledPartitions(tp -> throttledHere(tp, ReplicationQuota.LEADER_REPLICAS));
        replicaManager.followerQuota().setThrottledPartitions(tp -> throttledHere(tp, ReplicationQuota.FOLLOWER_REPLICAS));
        watch.start(config.zookeeperConnectionTimeoutMs());
        topics.watchGroupConfigs(watch::groupConfig); // group configs without a ZooKeeper read per request
        applyDynamicConfig();
        started(controller);
        controller.start();
        sync.syncNow();
        warnAboutUnassignedLogs();
        scheduler.schedulePeriodic("offsets-compaction", this::compactGroupOffsets, config.offsetsRetentionCheckIntervalMs(),
                config.offsetsRetentionCheckIntervalMs());
        apis.markReady();
        log.info("Weir broker {} started: listeners {}, data in {}, ZooKeeper {}", config.brokerId(),
                endpoints, config.logManagerConfig().logDirs(), zkConnect);
    }

    /** Share groups: coordinator, state store, share-partitions and sessions, with their periodic chores. */
    private io.weir.broker.share.ShareGroups shareGroups(TopicManager topics, ThreadPoolScheduler scheduler) {
        io.weir.broker.share.ShareGroups share = ShareWiring.create(config, time, metadata, topics, replicaManager);
        started(share.persister());
        ShareWiring.schedule(share, scheduler, replicaManager);
        return share;
    }

    /**
     * Names in a warning the logs ZooKeeper does not assign to this broker: they are left untouched
     * (a wrong {@code zookeeper.connect} must not destroy data) and discarded only if a topic of the
     * same name is created again.
     */
    private void warnAboutUnassignedLogs() {
        Set<TopicPartition> assigned = new HashSet<>();
        for (TopicMetadata topic : metadata.topics()) {
            for (PartitionState p : topic.partitions().values()) {
                if (p.replicas().contains(config.brokerId())) {
                    assigned.add(new TopicPartition(topic.name(), p.partition()));
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

    private void compactGroupOffsets() {
        replicaManager.partitions().forEach((tp, partition) -> {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME) && partition.isLeader()) {
                groupCoordinator.maybeCompact(tp.partition(), partition.log());
            } else if (tp.topic().equals(TransactionCoordinator.STATE_TOPIC) && partition.isLeader()) {
                txnCoordinator.maybeCompact(tp.partition(), partition.log());
            }
        });
    }

    /** Writes to a {@code __transaction_state} partition: acks=all, at least {@code transaction.state.log.min.isr}. */
    private java.util.concurrent.CompletableFuture<?> appendTransactionState(int partition,
                                                                            org.apache.kafka.common.record.internal.MemoryRecords records) {
        TopicPartition tp = new TopicPartition(TransactionCoordinator.STATE_TOPIC, partition);
        int replicas = replicaManager.partition(tp).map(p -> p.replicas().size()).orElse(1);
        int minIsr = Math.max(1, Math.min(txnCoordinator.config().stateTopicMinIsr(), replicas));
        return replicaManager.appendRecords(tp, records, (short) -1, minIsr, 5_000, AppendOrigin.COORDINATOR);
    }

    /**
     * Before stopping, in a cluster: asks the controller to move this broker's leaderships away (and
     * out of the ISRs), and waits (up to {@code controlled.shutdown.timeout.ms}) until it leads
     * nothing, so that clients switch to the new leaders at once instead of after a failure. A
     * partition with no other in-sync replica goes offline until this broker returns.
     */
    private void controlledShutdown() {
        if (zk == null || replicaManager == null || sync == null || metadata == null || metadata.brokers().size() <= 1) {
            return;
        }
        try {
            zk.announceShutdown(config.brokerId());
            long deadline = time.milliseconds() + config.controlledShutdownTimeoutMs();
            while (replicaManager.partitions().values().stream().anyMatch(io.weir.broker.replication.Partition::isLeader)) {
                if (time.milliseconds() >= deadline) {
                    log.warn("Controlled shutdown of broker {}: still leading some partitions after {} ms; stopping anyway",
                            config.brokerId(), config.controlledShutdownTimeoutMs());
                    return;
                }
                time.sleep(20);
            }
            log.info("Controlled shutdown of broker {}: leadership moved away", config.brokerId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Controlled shutdown of broker {} failed; stopping anyway: {}", config.brokerId(), e.toString());
        }
    }

    private <T extends AutoCloseable> T started(T component) {
        toClose.push(component);
        return component;
    }

    public LogManager logManager() {
        return logManager;
    }

    /** The port the first listener (in {@code listeners} order) is bound to. */
    public int boundPort() {
        return socketServers.get(0).port();
    }

    /** The port listener {@code listenerName} is bound to. */
    public int boundPort(String listenerName) {
        return socketServers.stream().filter(s -> s.listenerName().equals(listenerName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No listener " + listenerName)).port();
    }

    public BrokerConfig config() {
        return config;
    }

    /**
     * Whether this broker's metadata holds topic {@code name} with {@code partitions} partitions, each with a leader: what
     * it answers to Metadata and DescribeTopics. A topic created through another broker reaches this one through
     * ZooKeeper a moment later, as in a Kafka cluster.
     */
    public boolean servesTopic(String name, int partitions) {
        ClusterMetadata m = metadata;
        return m != null && m.topic(name).map(t -> t.partitions().size() >= partitions
                && t.partitions().values().stream().allMatch(p -> p.leader() >= 0)).orElse(false);
    }

    /** Whether the broker has started and not yet stopped (or been killed). */
    public boolean isRunning() {
        return state.get() == State.STARTED;
    }

    /** Whether a topic's throttled-replicas setting {@code key} names this broker for the partition. */
    private boolean throttledHere(TopicPartition tp, String key) {
        ClusterMetadata m = metadata;
        return m != null && m.topic(tp.topic()).map(t -> ReplicationQuota.names(t.configs().get(key), tp.partition(),
                config.brokerId())).orElse(false);
    }

    /** Applies this broker's dynamic settings from ZooKeeper (the replication throttle rates). */
    private void applyDynamicConfig() {
        ClusterWatch w = watch;
        if (w == null || replicaManager == null) {
            return;
        }
        Map<String, String> dynamic;
        try {
            dynamic = w.dynamicBrokerConfig(config.brokerId());
        } catch (RuntimeException e) {
            log.warn("Cannot read the dynamic configuration of broker {}: {}", config.brokerId(), e.toString());
            return;
        }
        setRate(replicaManager.leaderQuota(), ReplicationQuota.LEADER_RATE, dynamic.get(ReplicationQuota.LEADER_RATE));
        setRate(replicaManager.followerQuota(), ReplicationQuota.FOLLOWER_RATE, dynamic.get(ReplicationQuota.FOLLOWER_RATE));
    }

    private void setRate(ReplicationQuota quota, String key, String value) {
        long rate = ReplicationQuota.UNLIMITED;
        if (value != null) {
            try {
                rate = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                log.warn("Ignoring {}={}: not a number of bytes per second", key, value);
            }
        }
        long next = rate <= 0 ? ReplicationQuota.UNLIMITED : rate;
        if (quota.rate() != next) {
            quota.setRate(next);
            log.info("Broker {}: {} {}", config.brokerId(), key, next == ReplicationQuota.UNLIMITED ? "unset" : next + " B/s");
        }
    }

    /** Whether this broker is the active controller. */
    public boolean isController() {
        Controller c = controller;
        return c != null && c.isActive();
    }

    /** The incremental fetch sessions (KIP-227) of this broker; null before startup. */
    public io.weir.broker.api.FetchSessionCache fetchSessions() {
        return fetchSessions;
    }

    public io.weir.broker.replication.ReplicaManager replicaManager() {
        return replicaManager;
    }

    /** Fault injection: expires this broker's ZooKeeper session (see {@link ZkStore#expireSession()}). */
    public void expireZkSession() {
        zk.expireSession();
    }

    /**
     * Fault injection: stops the broker as {@code kill -9} would, as far as the rest of the cluster can
     * tell: sockets closed at once (peers see resets), no controlled shutdown, the ZooKeeper session
     * dropped without closing (it lingers until its timeout), no high-watermark checkpoint and no
     * clean-shutdown marker.
     */
    public void kill() {
        if (state.get() != State.STARTED) {
            return;
        }
        killed = true;
        socketServers.forEach(SocketServer::close);
        if (replicaManager != null) {
            replicaManager.halt();
        }
        if (sync != null) {
            sync.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (zk != null) {
            zk.abandon();
        }
        if (logManager != null) {
            logManager.halt();
        }
        close();
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
            if (!killed) {
                controlledShutdown();
            }
            if (sync != null) {
                sync.close(); // before the ZooKeeper cache it reads from goes away
            }
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
