package io.weir.jms;

import io.weir.jms.client.ConsumerEngine;
import io.weir.jms.client.ReaderEngine;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirMessage;
import io.weir.jms.selector.MessageSelector;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.QueueReceiver;
import jakarta.jms.Topic;
import jakarta.jms.TopicSubscriber;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JMS consumer over one {@link ReaderEngine}: a {@link ConsumerEngine} (classic group or group-less reader) or,
 * for a queue in {@link QueueMode#SHARE}, a share-group reader of its own. It decides, per record, what JMS says: an expired message is
 * consumed and never delivered, a delayed one is parked until due, one the selector rejects is consumed on a
 * topic subscription but left for other consumers on a queue, a local one is dropped for a no-local subscriber.
 */
public class WeirMessageConsumer implements QueueReceiver, TopicSubscriber {

    private static final Logger log = LoggerFactory.getLogger(WeirMessageConsumer.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Record header carrying the sending connection's id, for no-local subscribers. */
    static final String CONNECTION_HEADER = "jms.connection-id";
    private static final int MAX_LISTENER_REDELIVERIES = 10;

    private final WeirSession session;
    private final WeirDestination destination;
    private final MessageSelector selector;
    private final boolean noLocal;
    private final boolean leaveUnmatched;
    private final String groupId;
    private final ReaderEngine engine;
    private final String engineKey;
    private final Runnable wakeSession;
    private final Runnable onClose;
    private volatile MessageListener listener;
    private volatile boolean closed;

    WeirMessageConsumer(WeirSession session, WeirDestination destination, MessageSelector selector, boolean noLocal,
                        String groupId, ConsumerEngine.Start start, boolean commitInitial, Runnable onClose,
                        boolean leaveUnmatched) throws JMSException {
        this.session = session;
        this.destination = destination;
        this.selector = selector;
        this.noLocal = noLocal;
        this.groupId = groupId;
        this.leaveUnmatched = leaveUnmatched;
        this.onClose = onClose;
        String name = session.connection().connectionId() + "-" + COUNTER.incrementAndGet();
        try {
            this.wakeSession = session::signal;
            if (groupId != null && destination.isQueue() && !destination.isTemporary()
                    && session.connection().queueMode() == QueueMode.SHARE) {
                // one share-group reader per consumer: the broker shares the queue among them, in any process
                this.engineKey = null;
                this.engine = session.connection().shareQueues().reader(destination, name, wakeSession, selector,
                        selector.expression() == null ? null : this::selects, session.getConsumerPrefetch());
            } else if (destination.isQueue() && destination.isTemporary()) {
                // read by its connection only: one group-less reader per temporary queue and connection, shared by its
                // consumers, its positions kept by the connection (no group join, no commits to the broker)
                String topic = destination.name();
                java.util.function.Function<Runnable, ConsumerEngine> create = onRecords -> {
                    ConsumerEngine e = new ConsumerEngine(name, session.connection().consumerBase(), topic, null,
                            ConsumerEngine.Start.EARLIEST, false, null, System::currentTimeMillis, onRecords);
                    e.keepPositionsIn(session.connection().temporaryPositions(topic));
                    return e;
                };
                this.engineKey = session.connection().settings().bootstrapServers() + "\u0000temporary\u0000"
                        + session.connection().connectionId() + "\u0000" + topic;
                this.engine = SharedEngines.acquire(engineKey, create, wakeSession);
                if (session.mode() == WeirSession.SESSION_TRANSACTED || session instanceof WeirXASession) {
                    ((ConsumerEngine) engine).offsetsInTransactions();
                }
            } else {
                String signature = groupId != null && commitInitial ? signature(selector, noLocal) : null;
                if (groupId != null && commitInitial) {
                    // a topic subscription's group: its first member must not wait out the broker's initial delay
                    session.connection().subscriptionGroups().prepare(groupId);
                }
                java.util.function.Function<Runnable, ConsumerEngine> create = onRecords -> new ConsumerEngine(name,
                        session.connection().consumerBase(), destination.name(), groupId, start, commitInitial, signature,
                        System::currentTimeMillis, onRecords);
                // the consumers of one queue or shared subscription in this JVM share one group member (SharedEngines)
                this.engineKey = groupId == null ? null : session.connection().settings().bootstrapServers() + "\u0000"
                        + groupId + "\u0000" + destination.name() + "\u0000" + signature;
                this.engine = engineKey == null ? create.apply(wakeSession)
                        : SharedEngines.acquire(engineKey, create, wakeSession);
                if (session.mode() == WeirSession.SESSION_TRANSACTED || session instanceof WeirXASession) {
                    // its offsets go through transactions: no commits of its own that could overtake them
                    ((ConsumerEngine) engine).offsetsInTransactions();
                }
            }
        } catch (RuntimeException e) {
            throw JmsExceptionSupport.create("Cannot create a consumer of " + destination, e);
        }
    }

    /** Whether this consumer's selector takes {@code r} (a record that cannot be decoded is left to the chooser). */
    private boolean selects(ConsumerRecord<byte[], byte[]> r) {
        try {
            WeirMessage m = MessageCodec.decode(r);
            if (m.getJMSDestination() == null) {
                m.setJMSDestination(destination);
            }
            return selector.matches(m);
        } catch (JMSException | RuntimeException e) {
            return true;
        }
    }

    /** A durable subscription's identity beyond its name: changing the selector or no-local makes a new one. */
    static String signature(MessageSelector selector, boolean noLocal) {
        String identity = (selector.expression() == null ? "" : selector.expression()) + "|" + noLocal;
        return java.util.UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
    }

    void start() throws JMSException {
        try {
            engine.start(session.connection().settings().connectTimeoutMs());
        } catch (Exception e) {
            if (onClose != null) {
                onClose.run();
            }
            releaseEngine();
            throw JmsExceptionSupport.create("Cannot start consuming " + destination, e);
        }
    }

    private void releaseEngine() {
        if (engineKey == null) {
            engine.close();
        } else if (SharedEngines.release(engineKey, wakeSession) && session.mode() != WeirSession.AUTO_ACKNOWLEDGE
                && session.mode() != WeirSession.DUPS_OK_ACKNOWLEDGE) {
            // the member lives on for other consumers: what this one was given and did not acknowledge comes back
            engine.rewind(session.deliveredBy(this));
        }
    }

    ReaderEngine engine() {
        return engine;
    }

    String groupId() {
        return groupId;
    }

    WeirDestination destination() {
        return destination;
    }

    MessageListener listener() {
        return listener;
    }

    boolean isClosed() {
        return closed || session.isClosed();
    }

    private void checkClosed() throws IllegalStateException {
        if (isClosed()) {
            throw JmsExceptionSupport.closed("message consumer");
        }
    }

    @Override
    public String getMessageSelector() throws JMSException {
        checkClosed();
        return selector.expression();
    }

    @Override
    public MessageListener getMessageListener() throws JMSException {
        checkClosed();
        return listener;
    }

    @Override
    public void setMessageListener(MessageListener listener) throws JMSException {
        checkClosed();
        this.listener = listener;
        session.listenerChanged();
    }

    @Override
    public Message receive() throws JMSException {
        return receive(-1);
    }

    @Override
    public Message receive(long timeout) throws JMSException {
        checkClosed();
        if (listener != null) {
            throw new IllegalStateException("receive() is not allowed on a consumer with a message listener");
        }
        long wait = timeout <= 0 ? -1 : timeout;
        return receiveSync(wait, null);
    }

    /**
     * For {@code JMSConsumer.receiveBody}: a message whose body is not assignable to {@code bodyType} is not
     * acknowledged; it stays to be delivered again (flagged redelivered) and {@link jakarta.jms.MessageFormatException}
     * is thrown.
     */
    <T> T receiveBody(Class<T> bodyType, long wait) throws JMSException {
        checkClosed();
        if (listener != null) {
            throw new IllegalStateException("receiveBody() is not allowed on a consumer with a message listener");
        }
        Message m = receiveSync(wait, bodyType);
        return m == null ? null : m.getBody(bodyType);
    }

    @Override
    public Message receiveNoWait() throws JMSException {
        checkClosed();
        if (listener != null) {
            throw new IllegalStateException("receiveNoWait() is not allowed on a consumer with a message listener");
        }
        return receiveSync(0, null);
    }

    /** wait: negative for ever, 0 no wait, else milliseconds. */
    private Message receiveSync(long wait, Class<?> bodyType) throws JMSException {
        long deadline = wait > 0 ? System.currentTimeMillis() + wait : Long.MAX_VALUE;
        boolean once = wait == 0;
        while (true) {
            if (isClosed()) {
                return null;
            }
            long remaining = wait < 0 ? 100 : Math.min(100, deadline - System.currentTimeMillis());
            if (!once && remaining <= 0) {
                return null;
            }
            if (session.connection().isStarted()) {
                Delivery d = next(once ? 0 : Math.max(1, remaining));
                if (d != null) {
                    if (bodyType != null && !d.message.isBodyAssignableTo(bodyType)
                            && session.mode() != WeirSession.CLIENT_ACKNOWLEDGE && session.mode() != WeirSession.SESSION_TRANSACTED) {
                        session.await(engine.rewind(java.util.List.of(d.record)), "Returning the message");
                        throw new jakarta.jms.MessageFormatException("The message body cannot be read as "
                                + bodyType.getName() + "; the message stays to be delivered again");
                    }
                    session.beforeDelivery(this, d.record, d.message);
                    session.afterDelivery(this, d.record);
                    return d.message;
                }
            } else if (!once) {
                sleepQuietly(Math.min(20, Math.max(1, remaining)));
            }
            if (once) {
                return null;
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Delivery(ConsumerRecord<byte[], byte[]> record, WeirMessage message) {
    }

    /**
     * Decides per record (under the engine's lock): expired → consumed; not yet due → parked; local to a no-local
     * subscriber → consumed; not matching the selector → consumed on a subscription, left for other consumers
     * on a queue; else taken. One per consumer; used by one thread at a time (receive or the session's listener
     * thread).
     */
    private final class Chooser implements ReaderEngine.Chooser {
        WeirMessage chosen;

        @Override
        public ReaderEngine.Choice choose(ConsumerRecord<byte[], byte[]> r) {
            if (noLocal && isLocal(r)) {
                return ReaderEngine.Choice.CONSUMED;
            }
            WeirMessage m;
            try {
                m = MessageCodec.decode(r);
            } catch (JMSException e) {
                log.warn("Skipping record {}-{}@{}: it cannot be read as a JMS message: {}", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
                return ReaderEngine.Choice.CONSUMED;
            }
            long now = System.currentTimeMillis();
            long expiration = m.getJMSExpiration();
            if (expiration != 0 && expiration <= now) {
                return ReaderEngine.Choice.CONSUMED;
            }
            long due = m.getJMSDeliveryTime();
            if (due > now) {
                engine.park(r, due);
                return ReaderEngine.Choice.PARKED;
            }
            if (m.getJMSDestination() == null) {
                m.setJMSDestination(destination);
            }
            if (!selector.matches(m)) {
                return leaveUnmatched ? ReaderEngine.Choice.SKIP : ReaderEngine.Choice.CONSUMED;
            }
            chosen = m;
            return ReaderEngine.Choice.TAKE;
        }
    }

    private final Chooser chooser = new Chooser();

    /** The next deliverable message, waiting up to {@code waitMs} (0: not at all). */
    private Delivery next(long waitMs) throws JMSException {
        ConsumerRecord<byte[], byte[]> r;
        WeirMessage m;
        synchronized (chooser) {
            try {
                r = engine.take(waitMs, chooser);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw JmsExceptionSupport.create("Receiving from " + destination, e);
            } catch (RuntimeException e) {
                JMSException j = JmsExceptionSupport.create("Receiving from " + destination + " failed", e);
                session.connection().reportBrokerFailure(j);
                throw j;
            }
            if (r == null) {
                return null;
            }
            m = chooser.chosen;
            chooser.chosen = null;
        }
        int count = engine.recordDelivery(r);
        if (log.isDebugEnabled()) {
            log.debug("{}: hands out {}-{}@{} (delivery {})", this, r.topic(), r.partition(), r.offset(), count);
        }
        m.setDeliveryCount(count);
        m.setJMSRedelivered(count > 1);
        m.markReadOnly();
        return new Delivery(r, m);
    }

    private boolean isLocal(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(CONNECTION_HEADER);
        return h != null && session.connection().connectionId().equals(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** On the session's dispatch thread, with delivery locked: delivers one message if one is ready. */
    boolean deliverToListener() {
        MessageListener l = listener;
        Delivery d;
        try {
            d = next(0);
        } catch (JMSException e) {
            session.connection().onAsyncFailure(e);
            return false;
        }
        if (d == null) {
            return false;
        }
        WeirMessage m = d.message;
        for (int attempt = 1; ; attempt++) {
            long generation = session.recoverGeneration();
            try {
                session.beforeDelivery(this, d.record, m);
                session.listenerRuns(this, d.record);
                try {
                    l.onMessage(m);
                } finally {
                    session.listenerReturned();
                }
                if (session.recoverGeneration() == generation) {
                    session.afterDelivery(this, d.record);
                }
                return true;
            } catch (RuntimeException e) {
                if (session.recoverGeneration() != generation) {
                    // the listener called recover() before it threw: the message is back in its reader already
                    log.warn("Message listener of {} threw on {} after recover()", destination, m, e);
                    return true;
                }
                int mode = session.mode();
                boolean redeliver = (mode == WeirSession.AUTO_ACKNOWLEDGE || mode == WeirSession.DUPS_OK_ACKNOWLEDGE)
                        && attempt < MAX_LISTENER_REDELIVERIES && !isClosed();
                log.warn("Message listener of {} threw on {} (attempt {}){}", destination, m, attempt,
                        redeliver ? "; delivering it again" : "", e);
                if (!redeliver) {
                    session.afterDelivery(this, d.record);
                    return true;
                }
                if (engine.giveBack(d.record)) {
                    return true; // back to the queue: the broker counts the attempt (and dead-letters at the limit)
                }
                int count = engine.recordDelivery(d.record);
                try {
                    m = MessageCodec.decode(d.record);
                    if (m.getJMSDestination() == null) {
                        m.setJMSDestination(destination);
                    }
                    m.setDeliveryCount(count);
                    m.setJMSRedelivered(true);
                    m.markReadOnly();
                } catch (JMSException ex) {
                    session.afterDelivery(this, d.record);
                    return true;
                }
            } catch (JMSException e) {
                session.connection().onAsyncFailure(e);
                return true;
            }
        }
    }

    @Override
    public void close() throws JMSException {
        if (closed) {
            return;
        }
        if (session.isCompletionThread()) {
            throw new IllegalStateException("A completion listener must not close a consumer of its own session");
        }
        if (!session.isListenerThread()) {
            session.awaitListenerIdle();
        }
        closeFromSession();
    }

    void closeFromSession() {
        if (closed) {
            return;
        }
        closed = true;
        if (!session.deferUntilTransactionEnds(this, this::releaseEngine)) {
            releaseEngine();
        }
        session.consumerClosed(this);
        if (onClose != null) {
            onClose.run();
        }
    }

    @Override
    public Queue getQueue() throws JMSException {
        checkClosed();
        if (!(destination instanceof Queue q)) {
            throw new IllegalStateException("This consumer is on a topic");
        }
        return q;
    }

    @Override
    public Topic getTopic() throws JMSException {
        checkClosed();
        if (!(destination instanceof Topic t)) {
            throw new IllegalStateException("This consumer is on a queue");
        }
        return t;
    }

    @Override
    public boolean getNoLocal() throws JMSException {
        checkClosed();
        return noLocal;
    }

    @Override
    public String toString() {
        return "WeirMessageConsumer(" + destination + (groupId == null ? "" : ", group " + groupId) + ")";
    }
}
