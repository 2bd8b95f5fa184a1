package io.weir.ra.outbound;

import io.weir.ra.ProviderClassLoader;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
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
import jakarta.jms.TransactionInProgressException;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The application's session: a handle on a {@link WeirManagedConnection} ({@code connection-impl-class} in
 * ra.xml). It works on the managed connection's transacted session while a container transaction is active
 * (where {@code commit}/{@code rollback} are refused with {@link TransactionInProgressException}) and on a
 * session of the requested mode otherwise. Closing it closes the producers, consumers and browsers made through
 * it and gives the managed connection back to the server. As Jakarta Messaging section 12.2 says for the EE
 * containers, {@code setMessageListener}, {@code getMessageListener} and {@code run} are refused (also on its
 * consumers). A session is used by one thread at a time.
 */
public class WeirRaSession implements Session, QueueSession, TopicSession {

    private final int mode;
    private final List<AutoCloseable> children = new CopyOnWriteArrayList<>();
    private volatile WeirManagedConnection managedConnection;
    private volatile WeirRaConnection connectionHandle;
    private volatile boolean closed;

    WeirRaSession(WeirManagedConnection managedConnection, int mode) {
        this.managedConnection = managedConnection;
        this.mode = mode;
    }

    void connectionHandle(WeirRaConnection c) {
        this.connectionHandle = c;
    }

    /** Moves this handle to another managed connection (connection sharing, {@code associateConnection}). */
    void associate(WeirManagedConnection target) {
        WeirManagedConnection old = managedConnection;
        if (old != null && old != target) {
            old.detach(this);
        }
        managedConnection = target;
        target.attach(this);
    }

    /**
     * The server cleaned the managed connection up: this handle is dead. What was made through it is closed (the
     * connection's XA session outlives the handle; its plain sessions are closed by the cleanup anyway).
     */
    void invalidate() {
        closed = true;
        for (AutoCloseable c : children) {
            try {
                c.close();
            } catch (Exception e) {
                // the cleanup closes the sessions next; nothing of the handle is used again
            }
        }
        children.clear();
    }

    boolean isClosed() {
        return closed;
    }

    WeirManagedConnection managedConnection() throws IllegalStateException {
        WeirManagedConnection mc = managedConnection;
        if (closed || mc == null) {
            throw new IllegalStateException("The session is closed");
        }
        return mc;
    }

    /** The provider session this handle works on now. */
    Session physical() throws JMSException {
        try {
            return managedConnection().session(mode);
        } catch (IllegalStateException e) {
            throw e;
        } catch (JMSException e) {
            managedConnection.connectionFailed(e);
            throw e;
        }
    }

    /** Closes a provider consumer now, or at the end of the transaction it received in. */
    void closeConsumer(MessageConsumer c) throws JMSException {
        WeirManagedConnection mc = managedConnection;
        if (mc != null && mc.closeAtTransactionEnd(c, mode)) {
            return;
        }
        c.close();
    }

    @FunctionalInterface
    private interface SessionCall<T> {
        T call(Session s) throws JMSException;
    }

    @FunctionalInterface
    private interface SessionRun {
        void run(Session s) throws JMSException;
    }

    /** Runs {@code c} on the provider session, with the adapter's context class loader (see ProviderClassLoader). */
    private <T> T call(SessionCall<T> c) throws JMSException {
        ClassLoader previous = ProviderClassLoader.enter();
        try {
            return c.call(physical());
        } finally {
            ProviderClassLoader.exit(previous);
        }
    }

    private void run(SessionRun r) throws JMSException {
        call(s -> {
            r.run(s);
            return null;
        });
    }

    void startConnection() throws JMSException {
        managedConnection().start();
    }

    private <T extends AutoCloseable> T track(T child) {
        children.add(child);
        return child;
    }

    private MessageConsumer consumer(MessageConsumer c) {
        return track(new WeirRaMessageConsumer(c, this));
    }

    private static IllegalStateException forbidden(String method) {
        return new IllegalStateException(method + " must not be used in a Jakarta EE web or EJB container "
                + "(Jakarta Messaging 3.1, section 12.2)");
    }

    // ------------------------------------------------------------------ messages

    @Override
    public BytesMessage createBytesMessage() throws JMSException {
        return call(s -> s.createBytesMessage());
    }

    @Override
    public MapMessage createMapMessage() throws JMSException {
        return call(s -> s.createMapMessage());
    }

    @Override
    public Message createMessage() throws JMSException {
        return call(s -> s.createMessage());
    }

    @Override
    public ObjectMessage createObjectMessage() throws JMSException {
        return call(s -> s.createObjectMessage());
    }

    @Override
    public ObjectMessage createObjectMessage(Serializable object) throws JMSException {
        return call(s -> s.createObjectMessage(object));
    }

    @Override
    public StreamMessage createStreamMessage() throws JMSException {
        return call(s -> s.createStreamMessage());
    }

    @Override
    public TextMessage createTextMessage() throws JMSException {
        return call(s -> s.createTextMessage());
    }

    @Override
    public TextMessage createTextMessage(String text) throws JMSException {
        return call(s -> s.createTextMessage(text));
    }

    // ------------------------------------------------------------------ transactions

    @Override
    public boolean getTransacted() throws JMSException {
        return managedConnection().inManagedTransaction() || call(Session::getTransacted);
    }

    @Override
    public int getAcknowledgeMode() throws JMSException {
        return call(s -> s.getAcknowledgeMode());
    }

    @Override
    public void commit() throws JMSException {
        if (managedConnection().inManagedTransaction()) {
            throw new TransactionInProgressException("The session is in a container transaction: the container commits it");
        }
        run(s -> s.commit());
        managedConnection().closeDeferred();
    }

    @Override
    public void rollback() throws JMSException {
        if (managedConnection().inManagedTransaction()) {
            throw new TransactionInProgressException("The session is in a container transaction: the container rolls it back");
        }
        run(s -> s.rollback());
        managedConnection().closeDeferred();
    }

    @Override
    public void recover() throws JMSException {
        run(s -> s.recover());
    }

    // ------------------------------------------------------------------ forbidden in EE

    @Override
    public MessageListener getMessageListener() throws JMSException {
        managedConnection();
        throw forbidden("Session.getMessageListener");
    }

    @Override
    public void setMessageListener(MessageListener listener) throws JMSException {
        managedConnection();
        throw forbidden("Session.setMessageListener");
    }

    @Override
    public void run() {
        throw new java.lang.IllegalStateException("Session.run must not be used in a Jakarta EE web or EJB container");
    }

    // ------------------------------------------------------------------ producers, consumers, browsers

    @Override
    public MessageProducer createProducer(Destination destination) throws JMSException {
        return track(new WeirRaMessageProducer(call(s -> s.createProducer(destination))));
    }

    @Override
    public QueueSender createSender(Queue queue) throws JMSException {
        return track(new WeirRaMessageProducer(call(s -> ((QueueSession) s).createSender(queue))));
    }

    @Override
    public TopicPublisher createPublisher(Topic topic) throws JMSException {
        return track(new WeirRaMessageProducer(call(s -> ((TopicSession) s).createPublisher(topic))));
    }

    @Override
    public MessageConsumer createConsumer(Destination destination) throws JMSException {
        return consumer(call(s -> s.createConsumer(destination)));
    }

    @Override
    public MessageConsumer createConsumer(Destination destination, String messageSelector) throws JMSException {
        return consumer(call(s -> s.createConsumer(destination, messageSelector)));
    }

    @Override
    public MessageConsumer createConsumer(Destination destination, String messageSelector, boolean noLocal) throws JMSException {
        return consumer(call(s -> s.createConsumer(destination, messageSelector, noLocal)));
    }

    @Override
    public QueueReceiver createReceiver(Queue queue) throws JMSException {
        return (QueueReceiver) consumer(call(s -> s.createConsumer(queue)));
    }

    @Override
    public QueueReceiver createReceiver(Queue queue, String messageSelector) throws JMSException {
        return (QueueReceiver) consumer(call(s -> s.createConsumer(queue, messageSelector)));
    }

    @Override
    public TopicSubscriber createSubscriber(Topic topic) throws JMSException {
        return (TopicSubscriber) consumer(call(s -> s.createConsumer(topic)));
    }

    @Override
    public TopicSubscriber createSubscriber(Topic topic, String messageSelector, boolean noLocal) throws JMSException {
        return (TopicSubscriber) consumer(call(s -> s.createConsumer(topic, messageSelector, noLocal)));
    }

    @Override
    public TopicSubscriber createDurableSubscriber(Topic topic, String name) throws JMSException {
        return (TopicSubscriber) consumer(call(s -> s.createDurableSubscriber(topic, name)));
    }

    @Override
    public TopicSubscriber createDurableSubscriber(Topic topic, String name, String messageSelector, boolean noLocal)
            throws JMSException {
        return (TopicSubscriber) consumer(call(s -> s.createDurableSubscriber(topic, name, messageSelector, noLocal)));
    }

    @Override
    public MessageConsumer createDurableConsumer(Topic topic, String name) throws JMSException {
        return consumer(call(s -> s.createDurableConsumer(topic, name)));
    }

    @Override
    public MessageConsumer createDurableConsumer(Topic topic, String name, String messageSelector, boolean noLocal)
            throws JMSException {
        return consumer(call(s -> s.createDurableConsumer(topic, name, messageSelector, noLocal)));
    }

    @Override
    public MessageConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName) throws JMSException {
        return consumer(call(s -> s.createSharedConsumer(topic, sharedSubscriptionName)));
    }

    @Override
    public MessageConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName, String messageSelector)
            throws JMSException {
        return consumer(call(s -> s.createSharedConsumer(topic, sharedSubscriptionName, messageSelector)));
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(Topic topic, String name) throws JMSException {
        return consumer(call(s -> s.createSharedDurableConsumer(topic, name)));
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(Topic topic, String name, String messageSelector) throws JMSException {
        return consumer(call(s -> s.createSharedDurableConsumer(topic, name, messageSelector)));
    }

    @Override
    public QueueBrowser createBrowser(Queue queue) throws JMSException {
        return track(new WeirRaQueueBrowser(call(s -> s.createBrowser(queue))));
    }

    @Override
    public QueueBrowser createBrowser(Queue queue, String messageSelector) throws JMSException {
        return track(new WeirRaQueueBrowser(call(s -> s.createBrowser(queue, messageSelector))));
    }

    // ------------------------------------------------------------------ destinations

    @Override
    public Queue createQueue(String queueName) throws JMSException {
        return call(s -> s.createQueue(queueName));
    }

    @Override
    public Topic createTopic(String topicName) throws JMSException {
        return call(s -> s.createTopic(topicName));
    }

    @Override
    public TemporaryQueue createTemporaryQueue() throws JMSException {
        return call(s -> s.createTemporaryQueue());
    }

    @Override
    public TemporaryTopic createTemporaryTopic() throws JMSException {
        return call(s -> s.createTemporaryTopic());
    }

    @Override
    public void unsubscribe(String name) throws JMSException {
        run(s -> s.unsubscribe(name));
    }

    /**
     * Whether this handle and its managed connection are still usable (open, not cleaned up, not destroyed). The
     * server's recovery calls it: IronJacamar's default recovery plugin checks the handle it opens on the recovery
     * connection through an {@code isValid(int)} method and, when there is none or it answers false, destroys that
     * managed connection at every recovery scan, killing the XAResource it gave the transaction manager before the
     * manager could commit or roll back what that XAResource's {@code recover} listed.
     *
     * @param timeoutSeconds ignored: the answer is local
     */
    public boolean isValid(int timeoutSeconds) {
        WeirManagedConnection mc = managedConnection;
        return !closed && mc != null && !mc.isDestroyed();
    }

    // ------------------------------------------------------------------ close

    /** Closes what was made through this handle and gives the managed connection back to the server. */
    @Override
    public void close() throws JMSException {
        if (closed) {
            return;
        }
        closed = true;
        JMSException first = null;
        for (AutoCloseable c : children) {
            try {
                c.close();
            } catch (JMSException e) {
                first = first == null ? e : first;
            } catch (Exception e) {
                first = first == null ? new JMSException(e.getMessage()) : first;
            }
        }
        children.clear();
        WeirRaConnection c = connectionHandle;
        if (c != null) {
            c.sessionClosed(this);
        }
        WeirManagedConnection mc = managedConnection;
        if (mc != null) {
            mc.handleClosed(this);
        }
        if (first != null) {
            throw first;
        }
    }
}
