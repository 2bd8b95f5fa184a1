package io.weir.jms;

import io.weir.jms.message.EncodedMessage;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirMessage;
import io.weir.jms.message.WeirMessages;
import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.Queue;
import jakarta.jms.QueueSender;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JMS producer. A PERSISTENT send returns once the broker acknowledged the record with acks=all; a
 * NON_PERSISTENT one goes through an acks=1 producer and does not wait; an asynchronous send calls its
 * {@link CompletionListener} on the session's completion thread, in send order. In a transacted session a
 * send goes into the session's transaction (see {@link io.weir.jms.client.TransactionEngine}) and is not
 * waited for: the commit waits for all of them, and rolls the transaction back if one failed.
 */
public class WeirMessageProducer implements QueueSender, TopicPublisher {

    private final WeirSession session;
    private final WeirDestination destination;
    private final String idPrefix = "ID:" + UUID.randomUUID() + ":";
    private final AtomicLong sequence = new AtomicLong();
    private final byte[] connectionHeader;
    private volatile boolean closed;
    private boolean disableMessageId;
    private boolean disableMessageTimestamp;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private int priority = Message.DEFAULT_PRIORITY;
    private long timeToLive = Message.DEFAULT_TIME_TO_LIVE;
    private long deliveryDelay = Message.DEFAULT_DELIVERY_DELAY;

    WeirMessageProducer(WeirSession session, WeirDestination destination) {
        this.session = session;
        this.destination = destination;
        this.connectionHeader = session.connection().connectionId().getBytes(StandardCharsets.UTF_8);
    }

    private void checkClosed() throws IllegalStateException {
        if (closed || session.isClosed()) {
            throw JmsExceptionSupport.closed("message producer");
        }
    }

    @Override
    public void setDisableMessageID(boolean value) throws JMSException {
        checkClosed();
        disableMessageId = value;
    }

    @Override
    public boolean getDisableMessageID() throws JMSException {
        checkClosed();
        return disableMessageId;
    }

    @Override
    public void setDisableMessageTimestamp(boolean value) throws JMSException {
        checkClosed();
        disableMessageTimestamp = value;
    }

    @Override
    public boolean getDisableMessageTimestamp() throws JMSException {
        checkClosed();
        return disableMessageTimestamp;
    }

    @Override
    public void setDeliveryMode(int deliveryMode) throws JMSException {
        checkClosed();
        checkDeliveryMode(deliveryMode);
        this.deliveryMode = deliveryMode;
    }

    static void checkDeliveryMode(int mode) throws JMSException {
        if (mode != DeliveryMode.PERSISTENT && mode != DeliveryMode.NON_PERSISTENT) {
            throw new JMSException("Delivery mode must be PERSISTENT or NON_PERSISTENT, not " + mode);
        }
    }

    static void checkPriority(int priority) throws JMSException {
        if (priority < 0 || priority > 9) {
            throw new JMSException("Priority must be 0 to 9, not " + priority);
        }
    }

    @Override
    public int getDeliveryMode() throws JMSException {
        checkClosed();
        return deliveryMode;
    }

    @Override
    public void setPriority(int priority) throws JMSException {
        checkClosed();
        checkPriority(priority);
        this.priority = priority;
    }

    @Override
    public int getPriority() throws JMSException {
        checkClosed();
        return priority;
    }

    @Override
    public void setTimeToLive(long timeToLive) throws JMSException {
        checkClosed();
        this.timeToLive = timeToLive;
    }

    @Override
    public long getTimeToLive() throws JMSException {
        checkClosed();
        return timeToLive;
    }

    @Override
    public void setDeliveryDelay(long deliveryDelay) throws JMSException {
        checkClosed();
        this.deliveryDelay = deliveryDelay;
    }

    @Override
    public long getDeliveryDelay() throws JMSException {
        checkClosed();
        return deliveryDelay;
    }

    @Override
    public Destination getDestination() throws JMSException {
        checkClosed();
        return destination;
    }

    @Override
    public Queue getQueue() throws JMSException {
        checkClosed();
        return destination instanceof Queue q ? q : null;
    }

    @Override
    public Topic getTopic() throws JMSException {
        checkClosed();
        return destination instanceof Topic t ? t : null;
    }

    // ------------------------------------------------------------------ send

    @Override
    public void send(Message message) throws JMSException {
        send(message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void send(Message message, int deliveryMode, int priority, long timeToLive) throws JMSException {
        sendChecked(fixedDestination(), message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(Destination destination, Message message) throws JMSException {
        send(destination, message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void send(Destination destination, Message message, int deliveryMode, int priority, long timeToLive) throws JMSException {
        sendChecked(explicitDestination(destination), message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(Message message, CompletionListener completionListener) throws JMSException {
        send(message, deliveryMode, priority, timeToLive, completionListener);
    }

    @Override
    public void send(Message message, int deliveryMode, int priority, long timeToLive, CompletionListener completionListener) throws JMSException {
        checkListener(completionListener);
        sendChecked(fixedDestination(), message, deliveryMode, priority, timeToLive, completionListener);
    }

    @Override
    public void send(Destination destination, Message message, CompletionListener completionListener) throws JMSException {
        send(destination, message, deliveryMode, priority, timeToLive, completionListener);
    }

    @Override
    public void send(Destination destination, Message message, int deliveryMode, int priority, long timeToLive,
                     CompletionListener completionListener) throws JMSException {
        checkListener(completionListener);
        sendChecked(explicitDestination(destination), message, deliveryMode, priority, timeToLive, completionListener);
    }

    @Override
    public void send(Queue queue, Message message) throws JMSException {
        send((Destination) queue, message);
    }

    @Override
    public void send(Queue queue, Message message, int deliveryMode, int priority, long timeToLive) throws JMSException {
        send((Destination) queue, message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void publish(Message message) throws JMSException {
        send(message);
    }

    @Override
    public void publish(Message message, int deliveryMode, int priority, long timeToLive) throws JMSException {
        send(message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void publish(Topic topic, Message message) throws JMSException {
        send((Destination) topic, message);
    }

    @Override
    public void publish(Topic topic, Message message, int deliveryMode, int priority, long timeToLive) throws JMSException {
        send((Destination) topic, message, deliveryMode, priority, timeToLive);
    }

    private static void checkListener(CompletionListener l) {
        if (l == null) {
            throw new IllegalArgumentException("The completion listener must not be null");
        }
    }

    private WeirDestination fixedDestination() throws JMSException {
        checkClosed();
        if (destination == null) {
            throw new UnsupportedOperationException("This producer has no destination: name one in send()");
        }
        return destination;
    }

    private WeirDestination explicitDestination(Destination d) throws JMSException {
        checkClosed();
        if (destination != null) {
            throw new UnsupportedOperationException("This producer has a destination (" + destination
                    + "); use send(Message)");
        }
        if (d == null) {
            throw new InvalidDestinationException("The destination must not be null");
        }
        WeirDestination wd = WeirSession.destination(d);
        session.connection().ensureTopic(wd);
        return wd;
    }

    private void sendChecked(WeirDestination to, Message message, int mode, int prio, long ttl,
                             CompletionListener listener) throws JMSException {
        if (message == null) {
            throw new MessageFormatException("The message must not be null");
        }
        checkDeliveryMode(mode);
        checkPriority(prio);
        boolean transacted = session.mode() == WeirSession.SESSION_TRANSACTED;
        if (deliveryDelay > 0 && !transacted) {
            awaitMetadata(to, session.connection().producer(mode == DeliveryMode.PERSISTENT));
        }
        ProducerRecord<byte[], byte[]> record = prepare(to, message, mode, prio, ttl);
        if (transacted) {
            // into the session's transaction; not waited for: the commit flushes, and a failed send rolls it back
            Future<RecordMetadata> f;
            try {
                f = session.sendTransactional(record, listener == null ? null : (md, ex) -> session.completions().execute(() -> {
                    if (ex == null) {
                        listener.onCompletion(message);
                    } else {
                        listener.onException(message, JmsExceptionSupport.create("Sending to " + to + " failed", ex));
                    }
                }));
            } catch (RuntimeException e) {
                throw JmsExceptionSupport.create("Sending to " + to + " in the transaction failed", e);
            }
            if (f.isDone()) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw JmsExceptionSupport.create("Sending to " + to + " in the transaction failed", e);
                }
            }
            return;
        }
        boolean persistent = mode == DeliveryMode.PERSISTENT;
        if (listener == null && deliveryDelay <= 0 && session.mayWriteDirectly(persistent)) {
            // written and answered on this thread; after an earlier send of the same mode that a producer still holds,
            // the producer takes this one too, so that they arrive in order
            io.weir.jms.client.DirectSends direct = session.connection().directSends();
            if (direct != null) {
                try {
                    if (direct.send(record.topic(), record.key(), record.value(), record.headers().toArray(),
                            record.timestamp(), persistent, session.connection().settings().sendTimeoutMs())) {
                        return;
                    }
                } catch (RuntimeException e) {
                    throw fail(to, e);
                }
            }
        }
        KafkaProducer<byte[], byte[]> producer = session.connection().producer(persistent);
        if (listener != null) {
            try {
                session.queued(persistent, producer.send(record, (md, ex) -> session.completions().execute(() -> {
                    if (ex == null) {
                        listener.onCompletion(message);
                    } else {
                        listener.onException(message, JmsExceptionSupport.create("Sending to " + to + " failed", ex));
                    }
                })));
            } catch (RuntimeException e) {
                throw fail(to, e);
            }
            return;
        }
        try {
            Future<RecordMetadata> f = producer.send(record);
            session.queued(persistent, f);
            if (persistent) {
                f.get(session.connection().settings().sendTimeoutMs(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw fail(to, e);
        }
    }

    /**
     * A delayed message's delivery time counts from its timestamp: a first send on a new connection must not spend
     * the delay fetching metadata after the timestamp was taken. Cached metadata answers at once.
     */
    private void awaitMetadata(WeirDestination to, KafkaProducer<byte[], byte[]> producer) throws JMSException {
        try {
            producer.partitionsFor(to.name());
        } catch (RuntimeException e) {
            throw fail(to, e);
        }
    }

    private JMSException fail(WeirDestination to, Exception e) {
        JMSException j = JmsExceptionSupport.create("Sending to " + to + " failed", e);
        session.connection().reportBrokerFailure(j);
        return j;
    }

    /** Sets the send-time headers on {@code message} (as the spec says) and encodes it. */
    private ProducerRecord<byte[], byte[]> prepare(WeirDestination to, Message message, int mode, int prio, long ttl)
            throws JMSException {
        long now = System.currentTimeMillis();
        message.setJMSDestination(to);
        message.setJMSDeliveryMode(mode);
        message.setJMSPriority(prio);
        message.setJMSExpiration(ttl > 0 ? now + ttl : 0);
        message.setJMSDeliveryTime(now + Math.max(0, deliveryDelay));
        message.setJMSTimestamp(disableMessageTimestamp ? 0 : now);
        message.setJMSMessageID(disableMessageId ? null : idPrefix + sequence.incrementAndGet());
        WeirMessage wm = message instanceof WeirMessage w ? w : WeirMessages.fromForeign(message);
        wm.prepareForSend();
        EncodedMessage e = MessageCodec.encode(wm);
        e.headers().add(WeirMessageConsumer.CONNECTION_HEADER, connectionHeader);
        long timestamp = disableMessageTimestamp ? now : now;
        return new ProducerRecord<>(to.name(), null, timestamp, e.key(), e.value(), e.headers());
    }

    @Override
    public void close() throws JMSException {
        if (session.isCompletionThread()) {
            throw new IllegalStateException("A completion listener must not close its own producer");
        }
        closeFromSession();
    }

    void closeFromSession() {
        if (closed) {
            return;
        }
        closed = true;
        session.producerClosed(this);
    }

    @Override
    public String toString() {
        return "WeirMessageProducer(" + destination + ")";
    }
}
