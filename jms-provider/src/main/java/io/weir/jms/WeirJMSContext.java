package io.weir.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

import static io.weir.jms.JmsExceptionSupport.runtime;
import static io.weir.jms.JmsExceptionSupport.runtimeVoid;

/**
 * The simplified API: a connection (shared by the contexts made with {@link #createContext(int)}, closed
 * with the last of them) and one session, created on first use so that {@link #setClientID} still works
 * right after the context was made. Checked JMS exceptions become their runtime forms.
 */
public class WeirJMSContext implements JMSContext {

    /** A connection shared by several contexts; closed when the last one releases it. */
    static final class SharedConnection {
        private final WeirConnection connection;
        private final AtomicInteger references = new AtomicInteger(1);

        SharedConnection(WeirConnection connection) {
            this.connection = connection;
        }

        void retain() {
            references.incrementAndGet();
        }

        void release() throws JMSException {
            if (references.decrementAndGet() == 0) {
                connection.close();
            }
        }
    }

    private final SharedConnection shared;
    private final WeirConnection connection;
    private final int mode;
    private final Object lock = new Object();
    private volatile WeirSession session;
    private volatile WeirMessageProducer producer;
    private volatile boolean autoStart = true;
    private volatile boolean closed;

    WeirJMSContext(SharedConnection shared, int mode) {
        this.shared = shared;
        this.connection = shared.connection;
        this.mode = mode;
    }

    static void checkMode(int mode) {
        try {
            WeirSession.checkMode(mode);
        } catch (JMSException e) {
            throw new JMSRuntimeException(e.getMessage(), null, e);
        }
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateRuntimeException("The JMSContext is closed");
        }
    }

    WeirConnection connection() {
        return connection;
    }

    /** Makes the context's session on first use. */
    WeirSession openSession() throws JMSException {
        return connection.newSession(mode);
    }

    WeirSession session() {
        checkClosed();
        WeirSession s = session;
        if (s == null) {
            synchronized (lock) {
                if (session == null) {
                    session = runtime(this::openSession);
                }
                s = session;
            }
        }
        return s;
    }

    WeirMessageProducer anonymousProducer() {
        WeirMessageProducer p = producer;
        if (p == null) {
            synchronized (lock) {
                if (producer == null) {
                    producer = (WeirMessageProducer) runtime(() -> session().createProducer(null));
                }
                p = producer;
            }
        }
        return p;
    }

    private void autoStart() {
        if (autoStart) {
            runtimeVoid(connection::start);
        }
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        checkClosed();
        checkMode(sessionMode);
        shared.retain();
        return new WeirJMSContext(shared, sessionMode);
    }

    @Override
    public JMSProducer createProducer() {
        checkClosed();
        return new WeirJMSProducer(this);
    }

    @Override
    public String getClientID() {
        checkClosed();
        return runtime(connection::getClientID);
    }

    @Override
    public void setClientID(String clientID) {
        checkClosed();
        runtimeVoid(() -> connection.setClientID(clientID));
    }

    @Override
    public ConnectionMetaData getMetaData() {
        checkClosed();
        return runtime(connection::getMetaData);
    }

    @Override
    public ExceptionListener getExceptionListener() {
        checkClosed();
        return runtime(connection::getExceptionListener);
    }

    @Override
    public void setExceptionListener(ExceptionListener listener) {
        checkClosed();
        runtimeVoid(() -> connection.setExceptionListener(listener));
    }

    @Override
    public void start() {
        checkClosed();
        runtimeVoid(connection::start);
    }

    @Override
    public void stop() {
        checkClosed();
        runtimeVoid(connection::stop);
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
        if (WeirSession.isListenerThreadOf(connection)) {
            throw new IllegalStateRuntimeException("A message listener must not close its own JMSContext");
        }
        if (WeirSession.isCompletionThreadOf(connection)) {
            throw new IllegalStateRuntimeException("A completion listener must not close its own JMSContext");
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        runtimeVoid(() -> {
            WeirSession s = session;
            if (s != null) {
                s.close();
            }
            shared.release();
        });
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
        runtimeVoid(() -> session().commit());
    }

    @Override
    public void rollback() {
        runtimeVoid(() -> session().rollback());
    }

    @Override
    public void recover() {
        runtimeVoid(() -> session().recover());
    }

    @Override
    public void acknowledge() {
        WeirSession s = session();
        runtimeVoid(s::acknowledge);
    }

    // ------------------------------------------------------------------ consumers

    private JMSConsumer consumer(JmsExceptionSupport.JmsCall<jakarta.jms.MessageConsumer> create) {
        WeirMessageConsumer c = (WeirMessageConsumer) runtime(create);
        autoStart();
        return new WeirJMSConsumer(c);
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
