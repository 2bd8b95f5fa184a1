package io.weir.jms;

import io.weir.jms.client.KafkaClients;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;
import io.weir.jms.client.KafkaTransactionEngine;
import io.weir.jms.client.LocalTransactionEngine;
import io.weir.jms.client.TransactionEngine;
import io.weir.jms.client.TransactionalIds;
import io.weir.jms.client.SessionTransactionEngine;
import io.weir.jms.client.TwoPhaseClient;
import io.weir.jms.client.WireSecurity;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JMS connection: the kafka-clients producer(s) and admin client it shares among its sessions, its client
 * id, its sessions and temporary destinations. Thread-safe, as the spec requires of connections.
 *
 * <p>Client ids set with {@link #setClientID} are unique within this JVM (a registry of live connections);
 * uniqueness across processes is not enforced (no broker-side registry on the Kafka protocol).
 */
public class WeirConnection implements QueueConnection, TopicConnection, TemporaryDestinationOwner {

    private static final Logger log = LoggerFactory.getLogger(WeirConnection.class);
    private static final Set<String> CLIENT_IDS_IN_USE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger TEMP_COUNTER = new AtomicInteger();

    private final ConnectionSettings settings;
    private final String connectionId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final Admin admin;
    private final BrokerWatch brokerWatch;
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final Set<WeirDestination> temporaries = ConcurrentHashMap.newKeySet();
    private final List<WeirSession> sessions = new CopyOnWriteArrayList<>();
    private final ShareQueues shareQueues = new ShareQueues(this);
    private final SubscriptionGroups subscriptionGroups = SubscriptionGroups.of(this);
    private final ShareGroupFacts facts;
    private volatile QueueMode resolvedQueueMode;
    private final Object lifecycle = new Object();
    private final Object producerLock = new Object();
    private KafkaProducer<byte[], byte[]> durableProducer;
    private KafkaProducer<byte[], byte[]> fastProducer;
    private final java.util.Map<String, java.util.Map<org.apache.kafka.common.TopicPartition,
            org.apache.kafka.clients.consumer.OffsetAndMetadata>> temporaryPositions = new java.util.concurrent.ConcurrentHashMap<>();
    private io.weir.jms.client.DirectSends directSends; // guarded by producerLock
    private boolean directSendsRefused; // guarded by producerLock: the settings ask for what DirectSends does not do
    private volatile String clientId;
    private volatile boolean clientIdRegistered;
    private volatile ClientIdLease clientIdLease;
    private volatile boolean clientIdLocked;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile ExceptionListener exceptionListener;
    private final java.util.concurrent.atomic.AtomicBoolean brokerFailureReported = new java.util.concurrent.atomic.AtomicBoolean();

    WeirConnection(ConnectionSettings settings, Admin admin) {
        this(settings, admin, new ShareGroupFacts(System::currentTimeMillis));
    }

    WeirConnection(ConnectionSettings settings, Admin admin, ShareGroupFacts facts) {
        this.facts = facts;
        this.settings = settings;
        this.admin = admin;
        this.clientId = settings.clientId();
        this.brokerWatch = new BrokerWatch(admin, settings.bootstrapServers(), settings.brokerCheckIntervalMs(),
                this::onAsyncFailure);
    }

    static WeirConnection open(ConnectionSettings settings) throws JMSException {
        return new WeirConnection(settings, openAdmin(settings));
    }

    /** A connection that shares what it learns about the brokers' share groups with the factory's other connections. */
    static WeirConnection open(ConnectionSettings settings, ShareGroupFacts facts) throws JMSException {
        return new WeirConnection(settings, openAdmin(settings, facts), facts);
    }

    /** The connection's Admin client, once the brokers answered. */
    static Admin openAdmin(ConnectionSettings settings) throws JMSException {
        return openAdmin(settings, null);
    }

    /**
     * The connection's Admin client, once the brokers answered; what their answer says of the cluster goes to
     * {@code facts} (when not null): whether it has a single broker.
     */
    static Admin openAdmin(ConnectionSettings settings, ShareGroupFacts facts) throws JMSException {
        Admin admin;
        try {
            Properties p = ClientTimeouts.admin(settings.clientBase(), settings.connectTimeoutMs());
            admin = KafkaClients.create(() -> Admin.create(p));
        } catch (RuntimeException e) {
            throw JmsExceptionSupport.create("Cannot create a connection to " + settings.bootstrapServers(), e);
        }
        try {
            org.apache.kafka.clients.admin.DescribeClusterResult cluster = admin.describeCluster();
            cluster.clusterId().get(settings.connectTimeoutMs(), TimeUnit.MILLISECONDS);
            if (facts != null) {
                // the same answer: no round trip of its own
                var nodes = cluster.nodes().get(settings.connectTimeoutMs(), TimeUnit.MILLISECONDS);
                facts.singleBroker(settings.bootstrapServers(), nodes.size() != 1 ? null
                        : nodes.iterator().next().host() + ":" + nodes.iterator().next().port());
            }
        } catch (Exception e) {
            admin.close(Duration.ZERO);
            throw JmsExceptionSupport.create("Cannot connect to the brokers at " + settings.bootstrapServers()
                    + " within connectTimeoutMs=" + settings.connectTimeoutMs(), e);
        }
        return admin;
    }

    ConnectionSettings settings() {
        return settings;
    }

    String connectionId() {
        return connectionId;
    }

    boolean isStarted() {
        return started;
    }

    boolean isClosed() {
        return closed;
    }

    void checkClosed() throws IllegalStateException {
        if (closed) {
            throw JmsExceptionSupport.closed("connection");
        }
    }

    /** Any action but setClientID fixes the client id from here on. */
    void lockClientId() {
        clientIdLocked = true;
    }

    // ------------------------------------------------------------------ client id

    @Override
    public String getClientID() throws JMSException {
        checkClosed();
        return clientId;
    }

    @Override
    public void setClientID(String id) throws JMSException {
        checkClosed();
        synchronized (lifecycle) {
            if (clientId != null) {
                throw new IllegalStateException("The client id is already set to '" + clientId + "'");
            }
            if (clientIdLocked) {
                throw new IllegalStateException("The client id must be set before the connection is used");
            }
            if (id == null || id.isEmpty()) {
                throw new InvalidClientIDException("A client id must not be null or empty");
            }
            if (!CLIENT_IDS_IN_USE.add(id)) {
                throw new InvalidClientIDException("The client id '" + id + "' is in use by another connection");
            }
            try {
                clientIdLease = ClientIdLease.acquire(admin, settings.clientBase(), id, settings.connectTimeoutMs());
            } catch (JMSException e) {
                CLIENT_IDS_IN_USE.remove(id);
                throw e;
            }
            clientId = id;
            clientIdRegistered = true;
            clientIdLocked = true;
        }
    }

    // ------------------------------------------------------------------ sessions

    @Override
    public Session createSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return createSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode);
    }

    @Override
    public Session createSession(int sessionMode) throws JMSException {
        return newSession(sessionMode, WeirSession.Kind.GENERAL);
    }

    @Override
    public Session createSession() throws JMSException {
        return newSession(Session.AUTO_ACKNOWLEDGE, WeirSession.Kind.GENERAL);
    }

    WeirSession newSession(int mode) throws JMSException {
        return newSession(mode, WeirSession.Kind.GENERAL);
    }

    WeirSession newSession(int mode, WeirSession.Kind kind) throws JMSException {
        checkClosed();
        lockClientId();
        WeirSession.checkMode(mode);
        return register(new WeirSession(this, mode, kind));
    }

    /** Adds a new session to the connection (closed at once if the connection closed meanwhile). */
    <S extends WeirSession> S register(S s) throws JMSException {
        sessions.add(s);
        if (closed) {
            s.close();
            throw JmsExceptionSupport.closed("connection");
        }
        return s;
    }

    @Override
    public QueueSession createQueueSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return newSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode, WeirSession.Kind.QUEUE);
    }

    @Override
    public TopicSession createTopicSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return newSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode, WeirSession.Kind.TOPIC);
    }

    void sessionClosed(WeirSession s) {
        sessions.remove(s);
    }

    // ------------------------------------------------------------------ lifecycle

    /** {@link WeirSession#settleAcknowledgements} for every session of this connection. */
    void settleAcknowledgements(WeirDestination destination) throws JMSException {
        for (WeirSession s : sessions) {
            s.settleAcknowledgements(destination);
        }
    }

    @Override
    public void start() throws JMSException {
        checkClosed();
        lockClientId();
        synchronized (lifecycle) {
            started = true;
        }
        for (WeirSession s : sessions) {
            s.connectionStarted();
        }
    }

    @Override
    public void stop() throws JMSException {
        checkClosed();
        lockClientId();
        if (WeirSession.isListenerThreadOf(this)) {
            throw new IllegalStateException("A message listener must not stop its own connection");
        }
        synchronized (lifecycle) {
            started = false;
        }
        for (WeirSession s : sessions) {
            s.connectionStopped();
        }
    }

    @Override
    public void close() throws JMSException {
        if (WeirSession.isListenerThreadOf(this)) {
            throw new IllegalStateException("A message listener must not close its own connection");
        }
        if (WeirSession.isCompletionThreadOf(this)) {
            throw new IllegalStateException("A completion listener must not close its own connection");
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            started = false;
        }
        JMSException first = null;
        for (WeirSession s : sessions) {
            try {
                s.close();
            } catch (JMSException e) {
                first = first == null ? e : first;
            }
        }
        for (WeirDestination d : temporaries) {
            try {
                deleteTopic(d.name());
            } catch (JMSException e) {
                log.warn("Could not delete temporary destination {}: {}", d, e.getMessage());
            }
        }
        temporaries.clear();
        temporaryPositions.clear();
        synchronized (producerLock) {
            if (durableProducer != null) {
                durableProducer.close(Duration.ofSeconds(10));
            }
            if (fastProducer != null) {
                fastProducer.close(Duration.ofSeconds(10));
            }
            if (directSends != null) {
                directSends.close();
            }
        }
        brokerWatch.close();
        admin.close(Duration.ofSeconds(5));
        if (clientIdLease != null) {
            clientIdLease.close();
        }
        if (clientIdRegistered) {
            CLIENT_IDS_IN_USE.remove(clientId);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public ConnectionMetaData getMetaData() throws JMSException {
        checkClosed();
        lockClientId();
        return WeirConnectionMetaData.INSTANCE;
    }

    @Override
    public ExceptionListener getExceptionListener() throws JMSException {
        checkClosed();
        lockClientId();
        return exceptionListener;
    }

    @Override
    public void setExceptionListener(ExceptionListener listener) throws JMSException {
        checkClosed();
        lockClientId();
        this.exceptionListener = listener;
        if (listener != null) {
            brokerWatch.start();
        }
    }

    /** Tells the exception listener of a problem no call could report (a broker lost in the background). */
    void onAsyncFailure(JMSException e) {
        ExceptionListener l = exceptionListener;
        if (l != null && !closed) {
            try {
                l.onException(e);
            } catch (RuntimeException ex) {
                log.warn("The exception listener threw", ex);
            }
        } else {
            log.warn("Connection {}: {}", connectionId, e.getMessage());
        }
    }

    /** Reports a broker failure found by a call once to the exception listener, too. */
    void reportBrokerFailure(JMSException e) {
        if (brokerFailureReported.compareAndSet(false, true)) {
            onAsyncFailure(e);
        }
    }

    // ------------------------------------------------------------------ Kafka resources

    KafkaProducer<byte[], byte[]> producer(boolean durable) throws JMSException {
        synchronized (producerLock) {
            checkClosed();
            if (durable) {
                if (durableProducer == null) {
                    durableProducer = newProducer("all");
                }
                return durableProducer;
            }
            if (fastProducer == null) {
                fastProducer = newProducer("1");
            }
            return fastProducer;
        }
    }

    /**
     * Producer settings a user may give the factory ({@code kafka.*}) that {@link io.weir.jms.client.DirectSends} does not
     * honour: with any of them, every send goes through the kafka-clients producers.
     */
    private static final java.util.Set<String> PRODUCER_ONLY_SETTINGS = java.util.Set.of("acks", "compression.type",
            "partitioner.class", "interceptor.classes", "enable.idempotence", "max.request.size", "transactional.id",
            "partitioner.ignore.keys");

    /** {@code -Dweir.jms.directSends=false} sends everything through the kafka-clients producers (to compare the two). */
    private static final boolean DIRECT_SENDS = !"false".equalsIgnoreCase(System.getProperty("weir.jms.directSends"));

    /**
     * The synchronous sends the sending thread writes itself ({@link io.weir.jms.client.DirectSends}), or null when the
     * connection's settings ask for something they do not do (then the producers send everything).
     */
    io.weir.jms.client.DirectSends directSends() throws JMSException {
        synchronized (producerLock) {
            checkClosed();
            if (directSends == null && !directSendsRefused && DIRECT_SENDS) {
                if (settings.kafkaProperties().stringPropertyNames().stream().anyMatch(PRODUCER_ONLY_SETTINGS::contains)) {
                    directSendsRefused = true;
                    log.debug("Connection {}: producer settings given; sends go through kafka-clients' producers", connectionId);
                    return null;
                }
                try {
                    long readTimeout = Math.min(Integer.MAX_VALUE, settings.sendTimeoutMs() + 5_000);
                    directSends = new io.weir.jms.client.DirectSends(settings.clientBase(), "weir-jms-" + connectionId + "-d",
                            (int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMs()), (int) readTimeout);
                } catch (IllegalArgumentException e) {
                    directSendsRefused = true;
                    log.debug("Connection {}: {}; sends go through kafka-clients' producers", connectionId, e.getMessage());
                    return null;
                }
            }
            return directSends;
        }
    }

    /**
     * The producers' {@code batch.size} unless the factory sets one: 128 KiB, kafka-clients' 16 KiB times eight. With
     * {@code linger.ms=0} a batch grows only while the producer has five requests unanswered at its broker, and one
     * request carries one batch per partition: at 16 KiB that is about 75 messages of 1 KiB per round trip, which bounded
     * asynchronous sends (CompletionListener) to one queue at 24k msg/s, and at 9k with an fsync under each answer
     * ({@code log.flush.group.commit.enable}); 128 KiB gave 43k and 24k (bench/README-jms.md). Memory is taken per
     * partition with records waiting, from the producer's {@code buffer.memory} (32 MiB).
     */
    static final String PRODUCER_BATCH_BYTES = "131072";

    private KafkaProducer<byte[], byte[]> newProducer(String acks) throws JMSException {
        Properties p = settings.clientBase();
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.putIfAbsent("acks", acks);
        if ("1".equals(acks)) {
            p.put("enable.idempotence", "false");
            // NON_PERSISTENT: latency first; a linger.ms set for the throughput of persistent sends does not apply
            p.put("linger.ms", "0");
        }
        p.putIfAbsent("linger.ms", "0");
        p.putIfAbsent("batch.size", PRODUCER_BATCH_BYTES);
        p.put("client.id", "weir-jms-" + connectionId + "-" + ("all".equals(acks) ? "p" : "np"));
        try {
            ClientTimeouts.producer(p, settings.connectTimeoutMs(), settings.sendTimeoutMs());
            return KafkaClients.create(() -> new KafkaProducer<byte[], byte[]>(p));
        } catch (RuntimeException e) {
            throw JmsExceptionSupport.create("Cannot create a producer", e);
        }
    }

    /**
     * The engine of a new transacted session: a Kafka transaction per session ({@code transactional.id}
     * {@code <prefix>-<slot>}, see {@link TransactionalIds}) or, with {@code transactions=local}, the buffering one.
     */
    TransactionEngine newTransactionEngine() throws JMSException {
        if (settings.transactions() == ConnectionSettings.Transactions.LOCAL) {
            return new LocalTransactionEngine(() -> producer(true), settings.sendTimeoutMs());
        }
        String prefix = settings.transactionalIdPrefix() != null ? settings.transactionalIdPrefix() : "weir-jms-" + connectionId;
        TransactionalIds.Lease lease = TransactionalIds.acquire(prefix);
        try {
            if (queueMode() == QueueMode.SHARE) {
                TransactionEngine direct = sessionTransactionEngine(lease);
                if (direct != null) {
                    return direct;
                }
            }
        } catch (JMSException | RuntimeException e) {
            lease.close();
            throw e;
        }
        Properties p = settings.clientBase();
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.putIfAbsent("linger.ms", "0");
        p.putIfAbsent("batch.size", PRODUCER_BATCH_BYTES);
        try {
            ClientTimeouts.producer(p, settings.connectTimeoutMs(), settings.sendTimeoutMs());
        } catch (IllegalArgumentException e) {
            lease.close();
            throw JmsExceptionSupport.create("Cannot create a transactional producer", e);
        }
        p.put("client.id", "weir-jms-" + connectionId + "-tx" + lease.slot());
        p.put("transactional.id", lease.transactionalId());
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        KafkaTransactionEngine engine = new KafkaTransactionEngine(lease,
                () -> io.weir.jms.client.KafkaClients.create(() -> new KafkaProducer<>(p)),
                settings.sendTimeoutMs(), System::currentTimeMillis);
        return started(engine, engine::start, lease);
    }

    /** {@code engine} once {@code start} ran; closed (its lease given back) when it failed. */
    private static TransactionEngine started(TransactionEngine engine, Runnable start, TransactionalIds.Lease lease)
            throws JMSException {
        try {
            start.run();
        } catch (RuntimeException e) {
            engine.close();
            throw JmsExceptionSupport.create("Cannot start Kafka transactions for transactional id " + lease, e);
        }
        return engine;
    }

    /**
     * The engine of a transacted session in share queue mode when the brokers take share acknowledgements inside
     * transactions (Weir): the session's queue consumption then commits with its sends, exactly-once
     * ({@link SessionTransactionEngine}); null (the kafka-clients engine is used, share consumption at-least-once)
     * when they do not (Apache Kafka) or the connection's security cannot be spoken by the provider's own client.
     */
    private TransactionEngine sessionTransactionEngine(TransactionalIds.Lease lease) throws JMSException {
        Properties base = settings.clientBase();
        TwoPhaseClient client;
        int transactionTimeoutMs;
        try {
            transactionTimeoutMs = Integer.parseInt(base.getProperty("transaction.timeout.ms", "60000").trim());
            client = new TwoPhaseClient(settings.bootstrapServers(), "weir-jms-" + connectionId + "-tx" + lease.slot(),
                    settings.sendTimeoutMs(), System::currentTimeMillis, WireSecurity.of(base));
        } catch (IllegalArgumentException e) {
            log.debug("Transacted sessions use kafka-clients' transactions: {}", e.getMessage());
            return null;
        }
        if (!client.supportsTransactionalShareAcks()) {
            client.close();
            return null;
        }
        SessionTransactionEngine engine = new SessionTransactionEngine(lease, client, settings.sendTimeoutMs(), transactionTimeoutMs);
        return started(engine, engine::start, lease);
    }

    /**
     * Every consumer reads {@code read_committed} (unless the kafka property says otherwise): a rolled-back
     * transaction's sends must never arrive, and only committed data is below the last stable offset.
     */
    Properties consumerBase() {
        Properties p = settings.clientBase();
        p.putIfAbsent("isolation.level", "read_committed");
        p.putIfAbsent("fetch.max.wait.ms", "200");
        return ClientTimeouts.consumer(p, settings.connectTimeoutMs());
    }

    /** Creates the topic behind {@code d} unless it is known to exist. */
    void ensureTopic(WeirDestination d) throws JMSException {
        String name = d.name();
        if (knownTopics.contains(name)) {
            return;
        }
        if (d.isTemporary()) {
            if (!temporaries.contains(d) && !topicExists(name)) {
                throw new InvalidDestinationException("Temporary destination " + d + " no longer exists");
            }
            knownTopics.add(name);
            return;
        }
        if (!knownToExist(name)) {
            awaitTopic(d, createTopic(d));
        }
    }

    /** Whether this connection, or another of the factory recently, made or found the topic (then it is not asked for). */
    private boolean knownToExist(String name) {
        if (knownTopics.contains(name)) {
            return true;
        }
        if (facts.topicExists(settings.bootstrapServers(), name)) {
            knownTopics.add(name);
            return true;
        }
        return false;
    }

    /**
     * Starts creating the topic behind a queue {@code d} (not temporary) unless it is known to exist, without waiting:
     * a share-mode consumer's member joins meanwhile (it waits for its topic by itself). Pass the answer to
     * {@link #awaitTopic}, which throws what {@link #ensureTopic} would; null when nothing was asked.
     */
    CompletableFuture<Void> ensureQueueTopicLater(WeirDestination d) {
        return d.isTemporary() || knownToExist(d.name()) ? null : createTopic(d);
    }

    /**
     * A topic this connection created on a single-broker cluster is led there, every partition: its consumers' members
     * may fetch with their join ({@link io.weir.jms.client.TopicLayouts}).
     */
    private void learnLayout(String topic, org.apache.kafka.clients.admin.CreateTopicsResult created) {
        String broker = facts.singleBroker(settings.bootstrapServers());
        if (broker == null) {
            return;
        }
        try {
            int partitions = created.numPartitions(topic).getNow(0);
            java.util.Map<Integer, String> leaders = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                leaders.put(p, broker);
            }
            facts.layouts(settings.bootstrapServers()).put(topic, created.topicId(topic).getNow(null), leaders);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            log.debug("The answer creating {} did not say its id or partitions: {}", topic, e.toString());
        }
    }

    /** Waits for {@code creating} (of {@link #createTopic}; nothing when null); an existing topic is no error. */
    void awaitTopic(WeirDestination d, CompletableFuture<Void> creating) throws JMSException {
        if (creating == null) {
            return;
        }
        try {
            creating.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw JmsExceptionSupport.create("Cannot create the topic for " + d, e);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw JmsExceptionSupport.create("Cannot create the topic for " + d, e);
        }
        knownTopics.add(d.name());
        facts.topicExists(settings.bootstrapServers(), d.name(), true);
    }

    private CompletableFuture<Void> createTopic(WeirDestination d) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            var created = admin.createTopics(List.of(new NewTopic(d.name(), Optional.of(settings.topicPartitions()),
                    Optional.of(settings.topicReplicationFactor()))));
            created.all().whenComplete((v, e) -> {
                        if (e == null) {
                            learnLayout(d.name(), created);
                            done.complete(null);
                        } else {
                            done.completeExceptionally(e);
                        }
                    });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    boolean topicExists(String name) throws JMSException {
        try {
            return admin.listTopics().names().get(settings.connectTimeoutMs(), TimeUnit.MILLISECONDS).contains(name);
        } catch (Exception e) {
            throw JmsExceptionSupport.create("Cannot list topics", e);
        }
    }

    void deleteTopic(String name) throws JMSException {
        knownTopics.remove(name);
        facts.topicExists(settings.bootstrapServers(), name, false);
        try {
            admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw JmsExceptionSupport.create("Cannot delete topic " + name, e);
            }
        } catch (Exception e) {
            throw JmsExceptionSupport.create("Cannot delete topic " + name, e);
        }
    }

    /** Deletes a durable subscription's group. */
    void deleteGroup(String group, String subscription) throws JMSException {
        subscriptionGroups.forget(group);
        try {
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                throw new InvalidDestinationException("There is no durable subscription named '" + subscription + "'");
            }
            if (e.getCause() instanceof GroupNotEmptyException) {
                throw new IllegalStateException("The durable subscription '" + subscription + "' has an active consumer");
            }
            throw JmsExceptionSupport.create("Cannot delete the durable subscription '" + subscription + "'", e);
        } catch (Exception e) {
            throw JmsExceptionSupport.create("Cannot delete the durable subscription '" + subscription + "'", e);
        }
    }

    Admin admin() {
        return admin;
    }

    ShareGroupFacts shareGroupFacts() {
        return facts;
    }

    ShareQueues shareQueues() {
        return shareQueues;
    }

    SubscriptionGroups subscriptionGroups() {
        return subscriptionGroups;
    }

    /**
     * How this connection reads queues: the factory's {@code queueMode}, with {@link QueueMode#AUTO} decided on
     * first use (share groups when the brokers serve them) and kept for the connection's life; a connection of a
     * factory that resolved it for the same brokers recently takes the answer ({@link ShareGroupFacts}).
     */
    QueueMode queueMode() throws JMSException {
        QueueMode mode = resolvedQueueMode;
        if (mode != null) {
            return mode;
        }
        if (settings().queueMode() != QueueMode.AUTO) {
            return resolvedQueueMode = settings().queueMode();
        }
        synchronized (shareQueues) {
            if (resolvedQueueMode == null && (resolvedQueueMode = facts.mode(settings().bootstrapServers())) != null) {
                return resolvedQueueMode;
            }
            if (resolvedQueueMode == null) {
                try {
                    resolvedQueueMode = shareQueues.brokersServeShareGroups() ? QueueMode.SHARE : QueueMode.CLASSIC;
                    facts.mode(settings().bootstrapServers(), resolvedQueueMode);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    throw JmsExceptionSupport.create("Cannot tell whether the brokers serve share groups (queueMode=auto)", e);
                }
                log.info("Connection {} reads queues through {} (queueMode=auto)", connectionId(),
                        resolvedQueueMode == QueueMode.SHARE ? "share groups" : "consumer groups");
            }
            return resolvedQueueMode;
        }
    }

    // ------------------------------------------------------------------ temporary destinations

    WeirDestination createTemporary(boolean queue) throws JMSException {
        checkClosed();
        lockClientId();
        String name = "weir-tmp-" + connectionId + "-" + TEMP_COUNTER.incrementAndGet();
        WeirDestination d = queue ? new WeirTemporaryQueue(name, this) : new WeirTemporaryTopic(name, this);
        try {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.of(settings.topicReplicationFactor()))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw JmsExceptionSupport.create("Cannot create temporary destination " + name, e);
        }
        temporaries.add(d);
        knownTopics.add(name);
        return d;
    }

    boolean ownsTemporary(WeirDestination d) {
        return temporaries.contains(d);
    }

    @Override
    public void deleteTemporary(WeirDestination d) throws JMSException {
        checkClosed();
        if (!temporaries.contains(d)) {
            throw new InvalidDestinationException("Temporary destination " + d + " does not exist or is not this connection's");
        }
        for (WeirSession s : sessions) {
            if (s.hasConsumerOn(d)) {
                throw new IllegalStateException("Temporary destination " + d + " still has a consumer");
            }
        }
        temporaries.remove(d);
        temporaryPositions.remove(d.name());
        deleteTopic(d.name());
    }

    /**
     * Where the consumers of temporary queue {@code topic} keep their consumed positions: only this connection reads
     * it, and it goes when the connection does, so the positions live here rather than in a consumer group.
     */
    java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> temporaryPositions(
            String topic) {
        return temporaryPositions.computeIfAbsent(topic, t -> new java.util.concurrent.ConcurrentHashMap<>());
    }

    // ------------------------------------------------------------------ unsupported application-server facilities

    @Override
    public ConnectionConsumer createConnectionConsumer(Destination destination, String messageSelector,
                                                       ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        checkClosed();
        throw new JMSException("Connection consumers (an optional application-server facility) are not supported");
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(Queue queue, String messageSelector, ServerSessionPool sessionPool,
                                                       int maxMessages) throws JMSException {
        return createConnectionConsumer((Destination) queue, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(Topic topic, String messageSelector, ServerSessionPool sessionPool,
                                                       int maxMessages) throws JMSException {
        return createConnectionConsumer((Destination) topic, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createSharedConnectionConsumer(Topic topic, String subscriptionName, String messageSelector,
                                                             ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        return createConnectionConsumer((Destination) topic, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createDurableConnectionConsumer(Topic topic, String subscriptionName, String messageSelector,
                                                              ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        return createConnectionConsumer((Destination) topic, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createSharedDurableConnectionConsumer(Topic topic, String subscriptionName, String messageSelector,
                                                                    ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        return createConnectionConsumer((Destination) topic, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public String toString() {
        return "WeirConnection(" + connectionId + ", " + settings.bootstrapServers()
                + (clientId == null ? "" : ", clientId=" + clientId) + ")";
    }
}
