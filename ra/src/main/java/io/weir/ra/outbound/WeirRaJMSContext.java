package io.weir.ra.outbound;

import io.weir.jms.JmsExceptionSupport;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;

import java.io.Serializable;

import static io.weir.jms.JmsExceptionSupport.runtime;
import static io.weir.jms.JmsExceptionSupport.runtimeVoid;

/**
 * The simplified API over the adapter: a {@link WeirRaConnection} and its one session, allocated from the
 * server's pool when the context is made (so it is enlisted in the container transaction active then). Checked
 * JMS exceptions become their runtime forms. As Jakarta Messaging section 12.2 says for the EE containers,
 * {@code createContext(int)}, {@code setClientID}, {@code setExceptionListener}, {@code stop} and message
 * listeners are refused with {@link IllegalStateRuntimeException}. Used by one thread at a time.
 */
final class WeirRaJMSContext implements JMSContext {

    private final WeirRaConnection connection;
    private final Session session;
    private final int mode;
    private MessageProducer producer;
    private volatile Message lastReceived;
    private boolean autoStart = true;
    private volatile boolean closed;

    private WeirRaJMSContext(WeirRaConnection connection, Session session, int mode) {
        this.connection = connection;
        this.session = session;
        this.mode = mode;
    }

    static JMSContext open(WeirRaConnection connection, int sessionMode) {
        Session s;
        try {
            s = connection.createSession(sessionMode);
        } catch (JMSException e) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // the session's failure is the one to report
            }
            throw JmsExceptionSupport.toRuntime(e);
        }
        return new WeirRaJMSContext(connection, s, sessionMode);
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateRuntimeException("The JMSContext is closed");
        }
    }

    Session session() {
        checkClosed();
        return session;
    }

    MessageProducer producer() {
        checkClosed();
        if (producer == null) {
            producer = runtime(() -> session.createProducer(null));
        }
        return producer;
    }

    void received(Message m) {
        if (m != null) {
            lastReceived = m;
        }
    }

    private static IllegalStateRuntimeException forbidden(String method) {
        return new IllegalStateRuntimeException(method + " must not be used in a Jakarta EE web or EJB container "
                + "(Jakarta Messaging 3.1, section 12.2)");
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        checkClosed();
        throw forbidden("JMSContext.createContext");
    }

    @Override
    public JMSProducer createProducer() {
        checkClosed();
        return new WeirRaJMSProducer(this);
    }

    @Override
    public String getClientID() {
        checkClosed();
        return runtime(connection::getClientID);
    }

    @Override
    public void setClientID(String clientID) {
        checkClosed();
        throw forbidden("JMSContext.setClientID");
    }

    @Override
    public ConnectionMetaData getMetaData() {
        checkClosed();
        return runtime(connection::getMetaData);
    }

    @Override
    public ExceptionListener getExceptionListener() {
        checkClosed();
        return null;
    }

    @Override
    public void setExceptionListener(ExceptionListener listener) {
        checkClosed();
        throw forbidden("JMSContext.setExceptionListener");
    }

    @Override
    public void start() {
        checkClosed();
        runtimeVoid(connection::start);
    }

    @Override
    public void stop() {
        checkClosed();
        throw forbidden("JMSContext.stop");
    }

    @Override
    public void setAutoStart(boolean autoStart) {
        checkClosed();
        this.autoStart = autoStart;
    }

    @Override
    public boolean getAutoStart() {
        checkClosed();
        return autoStart;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        runtimeVoid(connection::close);
    }

    // ------------------------------------------------------------------ messages

    @Override
    public BytesMessage createBytesMessage() {
        return runtime(() -> session().createBytesMessage());
    }

    @Override
    public MapMessage createMapMessage() {
        return runtime(() -> session().createMapMessage());
    }

    @Override
    public Message createMessage() {
        return runtime(() -> session().createMessage());
    }

    @Override
    public ObjectMessage createObjectMessage() {
        return runtime(() -> session().createObjectMessage());
    }

    @Override
    public ObjectMessage createObjectMessage(Serializable object) {
        return runtime(() -> session().createObjectMessage(object));
    }

    @Override
    public StreamMessage createStreamMessage() {
        return runtime(() -> session().createStreamMessage());
    }

    @Override
    public TextMessage createTextMessage() {
        return runtime(() -> session().createTextMessage());
    }

    @Override
    public TextMessage createTextMessage(String text) {
        return runtime(() -> session().createTextMessage(text));
    }

    // ------------------------------------------------------------------ transactions and acknowledgement

    @Override
    public boolean getTransacted() {
        return runtime(() -> session().getTransacted());
    }

    @Override
    public int getSessionMode() {
        checkClosed();
        return mode;
    }

    @Override
    public void commit() {
        try {
            session().commit();
        } catch (TransactionInProgressException e) {
            throw new TransactionInProgressRuntimeException(e.getMessage(), e.getErrorCode(), e);
        } catch (JMSException e) {
            throw JmsExceptionSupport.toRuntime(e);
        }
    }

    @Override
    public void rollback() {
        try {
            session().rollback();
        } catch (TransactionInProgressException e) {
            throw new TransactionInProgressRuntimeException(e.getMessage(), e.getErrorCode(), e);
        } catch (JMSException e) {
            throw JmsExceptionSupport.toRuntime(e);
        }
    }

    @Override
    public void recover() {
        runtimeVoid(() -> session().recover());
    }

    /** Acknowledges everything the session consumed (CLIENT_ACKNOWLEDGE), through the last message received. */
    @Override
    public void acknowledge() {
        checkClosed();
        Message m = lastReceived;
        if (m != null) {
            runtimeVoid(m::acknowledge);
        }
    }

    // ------------------------------------------------------------------ consumers

    private JMSConsumer consumer(JmsExceptionSupport.JmsCall<MessageConsumer> create) {
        MessageConsumer c = runtime(create);
        if (autoStart) {
            runtimeVoid(connection::start);
        }
        return new WeirRaJMSConsumer(this, c);
    }

    @Override
    public JMSConsumer createConsumer(Destination destination) {
        return consumer(() -> session().createConsumer(destination));
    }

    @Override
    public JMSConsumer createConsumer(Destination destination, String messageSelector) {
        return consumer(() -> session().createConsumer(destination, messageSelector));
    }

    @Override
    public JMSConsumer createConsumer(Destination destination, String messageSelector, boolean noLocal) {
        return consumer(() -> session().createConsumer(destination, messageSelector, noLocal));
    }

    @Override
    public JMSConsumer createDurableConsumer(Topic topic, String name) {
        return consumer(() -> session().createDurableConsumer(topic, name));
    }

    @Override
    public JMSConsumer createDurableConsumer(Topic topic, String name, String messageSelector, boolean noLocal) {
        return consumer(() -> session().createDurableConsumer(topic, name, messageSelector, noLocal));
    }

    @Override
    public JMSConsumer createSharedDurableConsumer(Topic topic, String name) {
        return consumer(() -> session().createSharedDurableConsumer(topic, name));
    }

    @Override
    public JMSConsumer createSharedDurableConsumer(Topic topic, String name, String messageSelector) {
        return consumer(() -> session().createSharedDurableConsumer(topic, name, messageSelector));
    }

    @Override
    public JMSConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName) {
        return consumer(() -> session().createSharedConsumer(topic, sharedSubscriptionName));
    }

    @Override
    public JMSConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName, String messageSelector) {
        return consumer(() -> session().createSharedConsumer(topic, sharedSubscriptionName, messageSelector));
    }

    @Override
    public QueueBrowser createBrowser(Queue queue) {
        return runtime(() -> session().createBrowser(queue));
    }

    @Override
    public QueueBrowser createBrowser(Queue queue, String messageSelector) {
        return runtime(() -> session().createBrowser(queue, messageSelector));
    }

    @Override
    public Queue createQueue(String queueName) {
        return runtime(() -> session().createQueue(queueName));
    }

    @Override
    public Topic createTopic(String topicName) {
        return runtime(() -> session().createTopic(topicName));
    }

    @Override
    public TemporaryQueue createTemporaryQueue() {
        return runtime(() -> session().createTemporaryQueue());
    }

    @Override
    public TemporaryTopic createTemporaryTopic() {
        return runtime(() -> session().createTemporaryTopic());
    }

    @Override
    public void unsubscribe(String name) {
        runtimeVoid(() -> session().unsubscribe(name));
    }
}
