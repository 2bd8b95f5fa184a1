package io.weir.jms;

import io.weir.jms.client.ConsumerEngine;
import io.weir.jms.client.ReaderEngine;
import io.weir.jms.client.KafkaTransactionEngine;
import io.weir.jms.client.TransactionEngine;
import io.weir.jms.message.WeirBytesMessage;
import io.weir.jms.message.WeirMapMessage;
import io.weir.jms.message.WeirMessage;
import io.weir.jms.message.WeirMessages;
import io.weir.jms.message.WeirObjectMessage;
import io.weir.jms.message.WeirStreamMessage;
import io.weir.jms.message.WeirTextMessage;
import io.weir.jms.selector.MessageSelector;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueReceiver;
import jakarta.jms.QueueSender;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;
import jakarta.jms.TopicSession;
import jakarta.jms.TopicSubscriber;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A JMS session: the acknowledgement (or transaction) scope of its consumers and the thread that runs their
 * message listeners one at a time.
 *
 * <p>Acknowledgement maps to consumer-group offsets (ARCHITECTURE.md, "JMS mapping"): AUTO commits
 * asynchronously once a message was delivered; DUPS_OK commits lazily, every
 * {@code dupsOkBatchSize} messages or {@code dupsOkIntervalMs}; CLIENT commits, synchronously, everything the
 * session delivered when a message is acknowledged; {@link #AT_MOST_ONCE_ACKNOWLEDGE} commits synchronously
 * before delivery. A transacted session hands its sends and what its consumers delivered to a
 * {@link TransactionEngine} (a Kafka transaction per session by default, see {@code TRANSACTIONS.md}); the
 * session keeps the JMS side: what was delivered, redelivery after rollback, and closing.
 *
 * <p>Thread-safety: as the spec says, a session is for one thread of control; close, and connection
 * start/stop, may come from other threads.
 */
public class WeirSession implements Session, QueueSession, TopicSession {

    /** A provider acknowledgement mode: the offset is committed before the message is delivered (at-most-once). */
    public static final int AT_MOST_ONCE_ACKNOWLEDGE = 257;

    private static final Logger log = LoggerFactory.getLogger(WeirSession.class);
    private static final ThreadLocal<WeirSession> LISTENER_SESSION = new ThreadLocal<>();
    private static final ThreadLocal<WeirSession> COMPLETION_SESSION = new ThreadLocal<>();

    /** Which API the session was made through: a QueueSession refuses topic methods and the reverse. */
    enum Kind { GENERAL, QUEUE, TOPIC }

    private final WeirConnection connection;
    private final int mode;
    private final Kind kind;
    private final List<WeirMessageConsumer> consumers = new CopyOnWriteArrayList<>();
    private final List<WeirMessageProducer> producers = new CopyOnWriteArrayList<>();
    private final List<WeirQueueBrowser> browsers = new CopyOnWriteArrayList<>();
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private final Object signal = new Object();
    private final List<Delivered> unacked = new ArrayList<>();
    private final TransactionEngine transaction;
    private final List<Runnable> afterTransaction = new ArrayList<>();
    private volatile boolean closed;
    private volatile Thread dispatcher;
    private volatile ExecutorService completions;
    private volatile MessageListener sessionListener;
    private int dupsOkCount;
    private long dupsOkLastCommit;
    private volatile long recoverGeneration;
    /**
     * The message whose onMessage runs now in AUTO_ACKNOWLEDGE or DUPS_OK_ACKNOWLEDGE mode, else null. It is
     * acknowledged only when onMessage returns, so a recover() called from onMessage gives it back with the rest
     * (the listener then gets it again, JMSRedelivered set). Written on the dispatch thread.
     */
    private volatile Delivered inListener;
    private boolean signalled; // guarded by signal: set when records arrived since the listener thread last looked
    private volatile int consumerPrefetch; // 0: the connection's (see setConsumerPrefetch)

    record Delivered(WeirMessageConsumer consumer, ConsumerRecord<byte[], byte[]> record) {
    }

    WeirSession(WeirConnection connection, int mode, Kind kind) throws JMSException {
        this(connection, mode, kind, mode == SESSION_TRANSACTED ? connection.newTransactionEngine() : null);
    }

    /** A session whose transactions go to {@code transaction} (an XA session's engine). */
    WeirSession(WeirConnection connection, int mode, Kind kind, TransactionEngine transaction) {
        this.connection = connection;
        this.mode = mode;
        this.kind = kind;
        this.dupsOkLastCommit = System.currentTimeMillis();
        this.transaction = transaction;
    }

    /**
     * The most messages a share-mode queue consumer created on this session afterwards acquires from the broker at a
     * time (each fetch's {@code max.poll.records}); 0, the default, leaves the connection's lane sizes. A consumer that
     * delivers one message at a time and holds it for long (a resource adapter's delivery session, a slow worker among
     * several) should take 1: what it acquired and has not delivered waits for it, while other consumers of the queue
     * may be idle. Consumers on topics and classic-mode queues are not affected.
     *
     * @throws jakarta.jms.IllegalStateException if the session is closed
     * @throws JMSException if {@code records} is negative
     */
    public void setConsumerPrefetch(int records) throws JMSException {
        checkClosed();
        if (records < 0) {
            throw new JMSException("consumer prefetch " + records + ": expected 0 (the connection's) or more");
        }
        consumerPrefetch = records;
    }

    /** See {@link #setConsumerPrefetch}. */
    public int getConsumerPrefetch() {
        return consumerPrefetch;
    }

    static void checkMode(int mode) throws JMSException {
        switch (mode) {
            case SESSION_TRANSACTED, AUTO_ACKNOWLEDGE, CLIENT_ACKNOWLEDGE, DUPS_OK_ACKNOWLEDGE, AT_MOST_ONCE_ACKNOWLEDGE -> {
            }
            default -> throw new JMSException("Unknown session mode " + mode);
        }
    }

    static boolean isListenerThreadOf(WeirConnection c) {
        WeirSession s = LISTENER_SESSION.get();
        return s != null && s.connection == c;
    }

    static boolean isCompletionThreadOf(WeirConnection c) {
        WeirSession s = COMPLETION_SESSION.get();
        return s != null && s.connection == c;
    }

    boolean isListenerThread() {
        return LISTENER_SESSION.get() == this;
    }

    boolean isCompletionThread() {
        return COMPLETION_SESSION.get() == this;
    }

    WeirConnection connection() {
        return connection;
    }

    /** The acknowledgement mode in force now (an XA session's depends on whether a branch is associated). */
    int mode() {
        return mode;
    }

    void checkClosed() throws IllegalStateException {
        if (closed || connection.isClosed()) {
            throw JmsExceptionSupport.closed("session");
        }
    }

    boolean isClosed() {
        return closed || connection.isClosed();
    }

    private void notFor(Kind forbidden, String method) throws IllegalStateException {
        if (kind == forbidden) {
            throw new IllegalStateException(method + " is not allowed on a " + (kind == Kind.QUEUE ? "QueueSession" : "TopicSession"));
        }
    }

    // ------------------------------------------------------------------ messages

    @Override
    public BytesMessage createBytesMessage() throws JMSException {
        checkClosed();
        return new WeirBytesMessage();
    }

    @Override
    public MapMessage createMapMessage() throws JMSException {
        checkClosed();
        return new WeirMapMessage();
    }

    @Override
    public Message createMessage() throws JMSException {
        checkClosed();
        return WeirMessage.create();
    }

    @Override
    public ObjectMessage createObjectMessage() throws JMSException {
        checkClosed();
        return new WeirObjectMessage();
    }

    @Override
    public ObjectMessage createObjectMessage(Serializable object) throws JMSException {
        checkClosed();
        WeirObjectMessage m = new WeirObjectMessage();
        m.setObject(object);
        return m;
    }

    @Override
    public StreamMessage createStreamMessage() throws JMSException {
        checkClosed();
        return new WeirStreamMessage();
    }

    @Override
    public TextMessage createTextMessage() throws JMSException {
        checkClosed();
        return new WeirTextMessage();
    }

    @Override
    public TextMessage createTextMessage(String text) throws JMSException {
        checkClosed();
        WeirTextMessage m = new WeirTextMessage();
        m.setText(text);
        return m;
    }

    // ------------------------------------------------------------------ destinations

    @Override
    public Queue createQueue(String queueName) throws JMSException {
        checkClosed();
        notFor(Kind.TOPIC, "createQueue");
        checkClosed();
        return new WeirQueue(DestinationNames.validate(queueName));
    }

    @Override
    public Topic createTopic(String topicName) throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "createTopic");
        checkClosed();
        return new WeirTopic(DestinationNames.validate(topicName));
    }

    @Override
    public TemporaryQueue createTemporaryQueue() throws JMSException {
        checkClosed();
        notFor(Kind.TOPIC, "createTemporaryQueue");
        checkClosed();
        return (TemporaryQueue) connection.createTemporary(true);
    }

    @Override
    public TemporaryTopic createTemporaryTopic() throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "createTemporaryTopic");
        checkClosed();
        return (TemporaryTopic) connection.createTemporary(false);
    }

    static WeirDestination destination(Destination d) throws JMSException {
        if (d == null) {
            throw new InvalidDestinationException("The destination must not be null");
        }
        return WeirMessages.toWeirDestination(d);
    }

    // ------------------------------------------------------------------ producers and consumers

    @Override
    public MessageProducer createProducer(Destination destination) throws JMSException {
        checkClosed();
        WeirDestination d = destination == null ? null : destination(destination);
        if (d != null) {
            connection.ensureTopic(d);
        }
        WeirMessageProducer p = new WeirMessageProducer(this, d);
        producers.add(p);
        return p;
    }

    @Override
    public QueueSender createSender(Queue queue) throws JMSException {
        return (QueueSender) createProducer(queue);
    }

    @Override
    public TopicPublisher createPublisher(Topic topic) throws JMSException {
        return (TopicPublisher) createProducer(topic);
    }

    void producerClosed(WeirMessageProducer p) {
        producers.remove(p);
    }

    @Override
    public MessageConsumer createConsumer(Destination destination) throws JMSException {
        return createConsumer(destination, null, false);
    }

    @Override
    public MessageConsumer createConsumer(Destination destination, String messageSelector) throws JMSException {
        return createConsumer(destination, messageSelector, false);
    }

    @Override
    public MessageConsumer createConsumer(Destination destination, String messageSelector, boolean noLocal) throws JMSException {
        checkClosed();
        WeirDestination d = destination(destination);
        MessageSelector selector = MessageSelector.compile(messageSelector);
        checkTemporaryOwner(d);
        java.util.concurrent.CompletableFuture<Void> topic = null;
        if (d.isQueue() && !d.isTemporary() && connection.queueMode() == QueueMode.SHARE) {
            // the queue's topic is made (or found to exist) while the consumer's share-group member joins: a member
            // waits for its topic by itself, and a new consumer does not pay the two one after the other
            topic = connection.ensureQueueTopicLater(d);
        } else {
            connection.ensureTopic(d);
        }
        WeirMessageConsumer c = d.isQueue()
                ? new WeirMessageConsumer(this, d, selector, false, d.name(), ConsumerEngine.Start.EARLIEST, false, null, true)
                : new WeirMessageConsumer(this, d, selector, noLocal, null, ConsumerEngine.Start.LATEST, false, null, false);
        try {
            connection.awaitTopic(d, topic);
        } catch (JMSException e) {
            c.close();
            throw e;
        }
        return register(c);
    }

    private void checkTemporaryOwner(WeirDestination d) throws JMSException {
        if (d.isTemporary() && !connection.ownsTemporary(d)) {
            throw new InvalidDestinationException("Temporary destination " + d
                    + " can only be consumed by the connection that created it");
        }
    }

    private WeirMessageConsumer register(WeirMessageConsumer c) throws JMSException {
        consumers.add(c);
        try {
            c.start();
        } catch (JMSException e) {
            consumers.remove(c);
            throw e;
        }
        if (closed) {
            c.close();
            throw JmsExceptionSupport.closed("session");
        }
        return c;
    }

    void consumerClosed(WeirMessageConsumer c) {
        consumers.remove(c);
    }

    boolean hasConsumerOn(WeirDestination d) {
        for (WeirMessageConsumer c : consumers) {
            if (c.destination().equals(d)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public QueueReceiver createReceiver(Queue queue) throws JMSException {
        return (QueueReceiver) createConsumer(queue);
    }

    @Override
    public QueueReceiver createReceiver(Queue queue, String messageSelector) throws JMSException {
        return (QueueReceiver) createConsumer(queue, messageSelector);
    }

    @Override
    public TopicSubscriber createSubscriber(Topic topic) throws JMSException {
        return (TopicSubscriber) createConsumer(topic);
    }

    @Override
    public TopicSubscriber createSubscriber(Topic topic, String messageSelector, boolean noLocal) throws JMSException {
        return (TopicSubscriber) createConsumer(topic, messageSelector, noLocal);
    }

    private WeirDestination topicOnly(Topic topic) throws JMSException {
        WeirDestination d = destination(topic);
        if (d.isQueue()) {
            throw new InvalidDestinationException("A subscription needs a topic, not " + d);
        }
        return d;
    }

    private static String checkSubscriptionName(String name) throws JMSException {
        if (name == null || name.isEmpty()) {
            throw new JMSException("A subscription name must not be null or empty");
        }
        return name;
    }

    @Override
    public TopicSubscriber createDurableSubscriber(Topic topic, String name) throws JMSException {
        return createDurableSubscriber(topic, name, null, false);
    }

    @Override
    public TopicSubscriber createDurableSubscriber(Topic topic, String name, String messageSelector, boolean noLocal) throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "createDurableSubscriber");
        checkClosed();
        WeirDestination d = topicOnly(topic);
        checkSubscriptionName(name);
        MessageSelector selector = MessageSelector.compile(messageSelector);
        String clientId = connection.getClientID();
        if (clientId == null) {
            throw new IllegalStateException("A durable subscription needs a client id on its connection");
        }
        checkTemporaryOwner(d);
        connection.ensureTopic(d);
        String group = Subscriptions.durableGroup(clientId, name);
        Subscriptions.acquireUnshared(group, name);
        try {
            return register(new WeirMessageConsumer(this, d, selector, noLocal, group, ConsumerEngine.Start.LATEST, true,
                    () -> Subscriptions.releaseUnshared(group), false));
        } catch (JMSException | RuntimeException e) {
            Subscriptions.releaseUnshared(group);
            throw e;
        }
    }

    @Override
    public MessageConsumer createDurableConsumer(Topic topic, String name) throws JMSException {
        return createDurableSubscriber(topic, name, null, false);
    }

    @Override
    public MessageConsumer createDurableConsumer(Topic topic, String name, String messageSelector, boolean noLocal) throws JMSException {
        return createDurableSubscriber(topic, name, messageSelector, noLocal);
    }

    @Override
    public MessageConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName) throws JMSException {
        return createSharedConsumer(topic, sharedSubscriptionName, null);
    }

    @Override
    public MessageConsumer createSharedConsumer(Topic topic, String name, String messageSelector) throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "createSharedConsumer");
        checkClosed();
        WeirDestination d = topicOnly(topic);
        checkSubscriptionName(name);
        MessageSelector selector = MessageSelector.compile(messageSelector);
        checkTemporaryOwner(d);
        connection.ensureTopic(d);
        String group = Subscriptions.sharedGroup(connection.getClientID(), name);
        Subscriptions.acquireShared(group, name, Subscriptions.shape(d, selector.expression()));
        WeirConnection conn = connection;
        try {
            return register(new WeirMessageConsumer(this, d, selector, false, group, ConsumerEngine.Start.LATEST, true,
                    () -> {
                        if (Subscriptions.releaseShared(group)) {
                            try {
                                conn.deleteGroup(group, name);
                            } catch (JMSException e) {
                                log.debug("Could not delete the group of shared subscription {}: {}", name, e.getMessage());
                            }
                        }
                    }, false));
        } catch (JMSException | RuntimeException e) {
            Subscriptions.releaseShared(group);
            throw e;
        }
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(Topic topic, String name) throws JMSException {
        return createSharedDurableConsumer(topic, name, null);
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(Topic topic, String name, String messageSelector) throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "createSharedDurableConsumer");
        checkClosed();
        WeirDestination d = topicOnly(topic);
        checkSubscriptionName(name);
        MessageSelector selector = MessageSelector.compile(messageSelector);
        checkTemporaryOwner(d);
        connection.ensureTopic(d);
        String group = Subscriptions.durableGroup(connection.getClientID(), name);
        if (Subscriptions.isUnsharedActive(group)) {
            throw new IllegalStateException("Durable subscription '" + name + "' is in use by an unshared consumer");
        }
        Subscriptions.acquireShared(group, name, Subscriptions.shape(d, selector.expression()));
        try {
            return register(new WeirMessageConsumer(this, d, selector, false, group, ConsumerEngine.Start.LATEST, true,
                    () -> Subscriptions.releaseShared(group), false));
        } catch (JMSException | RuntimeException e) {
            Subscriptions.releaseShared(group);
            throw e;
        }
    }

    @Override
    public void unsubscribe(String name) throws JMSException {
        checkClosed();
        notFor(Kind.QUEUE, "unsubscribe");
        checkClosed();
        checkSubscriptionName(name);
        String group = Subscriptions.durableGroup(connection.getClientID(), name);
        if (Subscriptions.isActive(group)) {
            throw new IllegalStateException("Durable subscription '" + name + "' has an active consumer");
        }
        synchronized (unacked) {
            for (Delivered d : unacked) {
                if (group.equals(d.consumer().groupId())) {
                    throw new IllegalStateException("Durable subscription '" + name
                            + "' has messages not yet acknowledged or committed in this session");
                }
            }
        }
        connection.deleteGroup(group, name);
    }

    @Override
    public QueueBrowser createBrowser(Queue queue) throws JMSException {
        return createBrowser(queue, null);
    }

    @Override
    public QueueBrowser createBrowser(Queue queue, String messageSelector) throws JMSException {
        checkClosed();
        notFor(Kind.TOPIC, "createBrowser");
        checkClosed();
        WeirDestination d = destination(queue);
        MessageSelector selector = MessageSelector.compile(messageSelector);
        connection.ensureTopic(d);
        WeirQueueBrowser b = new WeirQueueBrowser(this, d, selector);
        browsers.add(b);
        return b;
    }

    void browserClosed(WeirQueueBrowser b) {
        browsers.remove(b);
    }

    // ------------------------------------------------------------------ delivery

    /** Called after a consumer handed out a message (receive returned or about to call the listener). */
    void beforeDelivery(WeirMessageConsumer c, ConsumerRecord<byte[], byte[]> r, WeirMessage m) throws JMSException {
        if (mode() == AT_MOST_ONCE_ACKNOWLEDGE) {
            await(c.engine().consumedAndCommit(List.of(r), true), "Committing before delivery");
        } else if (mode() == CLIENT_ACKNOWLEDGE || mode() == SESSION_TRANSACTED) {
            synchronized (unacked) {
                unacked.add(new Delivered(c, r));
            }
            if (mode() == CLIENT_ACKNOWLEDGE) {
                m.setAcknowledger(this::acknowledge);
            }
        }
    }

    /** A listener of this session is about to get {@code r} ({@link #listenerReturned} follows). */
    void listenerRuns(WeirMessageConsumer c, ConsumerRecord<byte[], byte[]> r) {
        int mode = mode();
        inListener = mode == AUTO_ACKNOWLEDGE || mode == DUPS_OK_ACKNOWLEDGE ? new Delivered(c, r) : null;
    }

    void listenerReturned() {
        inListener = null;
    }

    /** Called once a message counts as delivered: receive returned, or onMessage returned normally. */
    void afterDelivery(WeirMessageConsumer c, ConsumerRecord<byte[], byte[]> r) {
        if (mode() == AUTO_ACKNOWLEDGE) {
            c.engine().consumed(r);
            c.engine().commit(false);
        } else if (mode() == DUPS_OK_ACKNOWLEDGE) {
            c.engine().consumed(r);
            dupsOkCount++;
            long now = System.currentTimeMillis();
            if (dupsOkCount >= connection.settings().dupsOkBatchSize()
                    || now - dupsOkLastCommit >= connection.settings().dupsOkIntervalMs()) {
                dupsOkCount = 0;
                dupsOkLastCommit = now;
                for (WeirMessageConsumer each : consumers) {
                    each.engine().commit(false);
                }
            }
        }
    }

    void signal() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    void listenerChanged() {
        if (dispatcher == null) {
            synchronized (this) {
                if (dispatcher == null && !closed) {
                    Thread t = new Thread(this::dispatchLoop, "weir-jms-session-" + System.identityHashCode(this));
                    t.setDaemon(true);
                    dispatcher = t;
                    t.start();
                }
            }
        }
        signal();
    }

    private void dispatchLoop() {
        LISTENER_SESSION.set(this);
        try {
            while (!isClosed()) {
                boolean delivered = false;
                long nextDue = Long.MAX_VALUE;
                if (connection.isStarted()) {
                    for (WeirMessageConsumer c : consumers) {
                        MessageListener l = c.listener();
                        if (l == null || c.isClosed()) {
                            continue;
                        }
                        deliveryLock.lock();
                        try {
                            if (!connection.isStarted() || isClosed() || c.isClosed() || c.listener() == null) {
                                continue;
                            }
                            delivered |= c.deliverToListener();
                        } finally {
                            deliveryLock.unlock();
                        }
                        nextDue = Math.min(nextDue, c.engine().nextDueAt());
                    }
                }
                if (!delivered) {
                    synchronized (signal) {
                        long wait = 100;
                        if (nextDue != Long.MAX_VALUE) {
                            wait = Math.max(1, Math.min(wait, nextDue - System.currentTimeMillis()));
                        }
                        if (!signalled) {
                            signal.wait(wait);
                        }
                        signalled = false;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LISTENER_SESSION.remove();
        }
    }

    long recoverGeneration() {
        return recoverGeneration;
    }

    void connectionStarted() {
        signal();
    }

    /** Waits for a running onMessage to return. */
    void awaitListenerIdle() {
        if (!deliveryLock.isHeldByCurrentThread()) {
            deliveryLock.lock();
            deliveryLock.unlock();
        }
    }

    /** Blocks until a listener that is running returns (unless called from it). */
    void connectionStopped() {
        for (WeirMessageConsumer c : consumers) {
            c.engine().interruptTakers();
        }
        if (!deliveryLock.isHeldByCurrentThread()) {
            deliveryLock.lock();
            deliveryLock.unlock();
        }
    }

    // ------------------------------------------------------------------ acknowledgement and transactions

    @Override
    public boolean getTransacted() throws JMSException {
        checkClosed();
        return mode() == SESSION_TRANSACTED;
    }

    @Override
    public int getAcknowledgeMode() throws JMSException {
        checkClosed();
        return mode();
    }

    /**
     * Waits until the broker answered every acknowledgement this session sent for {@code destination}: what this
     * session received and acknowledged is gone from a browser opened afterwards, although acknowledgements do
     * not wait for the broker.
     */
    void settleAcknowledgements(WeirDestination destination) throws JMSException {
        for (WeirMessageConsumer c : consumers) {
            if (!c.isClosed() && !c.engine().isClosed() && c.destination().name().equals(destination.name())) {
                await(c.engine().commit(true), "Settling the acknowledgements of " + destination);
            }
        }
    }

    /** Message.acknowledge(): acknowledges everything this session delivered (CLIENT_ACKNOWLEDGE). */
    void acknowledge() throws JMSException {
        checkClosed();
        if (mode() != CLIENT_ACKNOWLEDGE) {
            return;
        }
        commitDelivered("Acknowledging", connection.settings().blockOnAcknowledge());
    }

    /** Marks what this session delivered consumed and commits it: waiting for the broker when {@code sync}. */
    private void commitDelivered(String what, boolean sync) throws JMSException {
        List<Delivered> done;
        synchronized (unacked) {
            done = new ArrayList<>(unacked);
            unacked.clear();
        }
        Map<WeirMessageConsumer, List<ConsumerRecord<byte[], byte[]>>> byConsumer = new LinkedHashMap<>();
        for (Delivered d : done) {
            byConsumer.computeIfAbsent(d.consumer(), k -> new ArrayList<>()).add(d.record());
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (Map.Entry<WeirMessageConsumer, List<ConsumerRecord<byte[], byte[]>>> e : byConsumer.entrySet()) {
            WeirMessageConsumer c = e.getKey();
            if (c.engine().isClosed() && !c.isClosed()) {
                e.getValue().forEach(c.engine()::consumed);
            } else {
                // one step: a synchronous commit waits for exactly these acknowledgements (ReaderEngine#consumedAndCommit)
                commits.add(c.engine().consumedAndCommit(e.getValue(), sync));
            }
        }
        JMSException failure = null;
        for (CompletableFuture<Void> committed : sync ? commits : List.<CompletableFuture<Void>>of()) {
            try {
                await(committed, what);
            } catch (JMSException ex) {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void commit() throws JMSException {
        checkClosed();
        if (mode() != SESSION_TRANSACTED) {
            throw new IllegalStateException("commit() needs a transacted session");
        }
        if (isCompletionThread()) {
            throw new IllegalStateException("A completion listener must not commit its own session");
        }
        Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed = new LinkedHashMap<>();
        List<Delivered> taken;
        synchronized (unacked) {
            for (Delivered d : unacked) {
                consumed.computeIfAbsent(d.consumer().engine(), e -> new ArrayList<>()).add(d.record());
            }
            taken = new ArrayList<>(unacked);
            unacked.clear();
        }
        try {
            transaction.commit(consumed);
        } catch (TransactionEngine.RolledBackException e) {
            rollbackConsumed(taken); // what this commit took is delivered again, with anything delivered since
            throw JmsExceptionSupport.rolledBack("The transaction was rolled back", e);
        } catch (KafkaTransactionEngine.OutcomeUnknownException e) {
            rollbackConsumed(taken);
            throw JmsExceptionSupport.create("Committing the transaction failed", e);
        } catch (RuntimeException e) {
            throw JmsExceptionSupport.create("Committing the transaction failed", e);
        } finally {
            runAfterTransaction();
        }
    }

    @Override
    public void rollback() throws JMSException {
        checkClosed();
        if (mode() != SESSION_TRANSACTED) {
            throw new IllegalStateException("rollback() needs a transacted session");
        }
        if (isCompletionThread()) {
            throw new IllegalStateException("A completion listener must not roll back its own session");
        }
        try {
            transaction.rollback();
            rollbackConsumed();
        } finally {
            runAfterTransaction();
        }
    }

    /**
     * A consumer closed while the session's transaction holds messages it delivered keeps its engine until the
     * transaction ends (so the commit can carry their positions); true when {@code release} was deferred.
     */
    boolean deferUntilTransactionEnds(WeirMessageConsumer c, Runnable release) {
        if (mode() != SESSION_TRANSACTED || closed) {
            return false;
        }
        synchronized (unacked) {
            for (Delivered d : unacked) {
                if (d.consumer() == c) {
                    afterTransaction.add(release);
                    return true;
                }
            }
        }
        return false;
    }

    /** The records {@code c} delivered in this session that are not acknowledged yet. */
    List<ConsumerRecord<byte[], byte[]>> deliveredBy(WeirMessageConsumer c) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        synchronized (unacked) {
            for (Delivered d : unacked) {
                if (d.consumer() == c) {
                    records.add(d.record());
                }
            }
        }
        return records;
    }

    private void runAfterTransaction() {
        List<Runnable> todo;
        synchronized (unacked) {
            todo = new ArrayList<>(afterTransaction);
            afterTransaction.clear();
        }
        todo.forEach(Runnable::run);
    }

    void rollbackConsumed() throws JMSException {
        rollbackConsumed(List.of());
    }

    /** Delivers again {@code taken} (the messages of a commit that rolled back) and what was delivered since. */
    private void rollbackConsumed(List<Delivered> taken) throws JMSException {
        List<Delivered> delivered = new ArrayList<>(taken);
        synchronized (unacked) {
            delivered.addAll(unacked);
            unacked.clear();
        }
        rewindAll(delivered);
    }

    @Override
    public void recover() throws JMSException {
        checkClosed();
        if (mode() == SESSION_TRANSACTED) {
            throw new IllegalStateException("recover() is not allowed in a transacted session");
        }
        List<Delivered> delivered;
        synchronized (unacked) {
            delivered = new ArrayList<>(unacked);
            unacked.clear();
        }
        Delivered current = inListener;
        if (current != null) {
            inListener = null;
            delivered.add(current);
        }
        rewindAll(delivered);
    }

    /** What this session's consumers delivered and did not consume ({@code delivered}) is delivered again. */
    private void rewindAll(List<Delivered> delivered) throws JMSException {
        recoverGeneration++;
        Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> byEngine = new LinkedHashMap<>();
        for (WeirMessageConsumer c : consumers) {
            byEngine.computeIfAbsent(c.engine(), e -> new ArrayList<>());
        }
        for (Delivered d : delivered) {
            byEngine.computeIfAbsent(d.consumer().engine(), e -> new ArrayList<>()).add(d.record());
        }
        List<java.util.concurrent.CompletableFuture<Void>> fs = new ArrayList<>();
        for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : byEngine.entrySet()) {
            fs.add(e.getKey().rewind(e.getValue()));
        }
        for (var f : fs) {
            await(f, "Rewinding to redeliver");
        }
        signal();
    }

    /** What the session's consumers delivered since the last commit or rollback, taken out of the session (XA end). */
    Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> takeDelivered() {
        Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed = new LinkedHashMap<>();
        synchronized (unacked) {
            for (Delivered d : unacked) {
                consumed.computeIfAbsent(d.consumer().engine(), e -> new ArrayList<>()).add(d.record());
            }
            unacked.clear();
        }
        return consumed;
    }

    /**
     * An XA branch this session worked in has ended: after a rollback (the branch gave its records back to their
     * readers) its consumers deliver again; consumers whose close waited for the transaction are released.
     */
    void afterBranch(boolean committed) {
        try {
            if (!committed && !isClosed()) {
                recoverGeneration++;
                signal();
            }
        } finally {
            runAfterTransaction();
        }
    }

    /**
     * The last send of each delivery mode (0 non-persistent, 1 persistent) handed to a kafka-clients producer: until
     * it is answered, later sends of that mode go through the producer too (they keep their order there); JMS orders
     * a session's sends within a delivery mode.
     */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Future<?>> queuedSends =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(2);

    /** Whether a non-transacted send of this mode may be written directly (no earlier one of its mode is pending). */
    boolean mayWriteDirectly(boolean persistent) {
        Future<?> f = queuedSends.get(persistent ? 1 : 0);
        return f == null || f.isDone();
    }

    /** A send of this mode was handed to a producer. */
    void queued(boolean persistent, Future<?> f) {
        queuedSends.set(persistent ? 1 : 0, f);
    }

    /** A send of a transacted session: into the current transaction. */
    Future<RecordMetadata> sendTransactional(ProducerRecord<byte[], byte[]> r, Callback callback) {
        return transaction.send(r, callback);
    }

    void await(java.util.concurrent.CompletableFuture<?> f, String what) throws JMSException {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw JmsExceptionSupport.create(what + " failed", e);
        }
    }

    // ------------------------------------------------------------------ completion listeners

    ExecutorService completions() {
        ExecutorService e = completions;
        if (e == null) {
            synchronized (this) {
                if (completions == null) {
                    completions = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(() -> {
                            COMPLETION_SESSION.set(this);
                            r.run();
                        }, "weir-jms-completion-" + System.identityHashCode(this));
                        t.setDaemon(true);
                        return t;
                    });
                }
                e = completions;
            }
        }
        return e;
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() throws JMSException {
        if (closed) {
            return;
        }
        if (isListenerThread()) {
            throw new IllegalStateException("A message listener must not close its own session");
        }
        if (isCompletionThread()) {
            throw new IllegalStateException("A completion listener must not close its own session");
        }
        deliveryLock.lock();
        try {
            closed = true;
        } finally {
            deliveryLock.unlock();
        }
        signal();
        for (WeirMessageConsumer c : consumers) {
            c.closeFromSession();
        }
        for (WeirMessageProducer p : producers) {
            p.closeFromSession();
        }
        for (WeirQueueBrowser b : browsers) {
            b.closeFromSession();
        }
        if (transaction != null) {
            transaction.close(); // rolls back what is open
        }
        synchronized (unacked) {
            unacked.clear();
        }
        runAfterTransaction();
        ExecutorService e = completions;
        if (e != null) {
            e.shutdown();
            try {
                e.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        Thread t = dispatcher;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        connection.sessionClosed(this);
    }

    // ------------------------------------------------------------------ session listener (application-server facility)

    @Override
    public MessageListener getMessageListener() throws JMSException {
        checkClosed();
        return sessionListener;
    }

    @Override
    public void setMessageListener(MessageListener listener) throws JMSException {
        checkClosed();
        this.sessionListener = listener;
    }

    @Override
    public void run() {
        throw new UnsupportedOperationException("Session.run() is an application-server facility Weir does not offer");
    }

}
