package io.weir.ra.outbound;

import jakarta.jms.ConnectionConsumer;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;
import jakarta.resource.ResourceException;

/**
 * The application's connection, as {@link WeirRaConnectionFactory} makes it: a light handle that gets its one
 * session from the server's pool ({@code ConnectionManager.allocateConnection}), which is also where the server
 * enlists it in a container transaction. As Jakarta Messaging section 12.2 says for the EE containers, a
 * connection has one session at a time, and {@code setClientID}, {@code setExceptionListener}, {@code stop} and
 * the connection consumers are refused with {@link IllegalStateException}.
 *
 * <p>Thread-safe.
 */
public class WeirRaConnection implements QueueConnection, TopicConnection {

    private final WeirRaConnectionFactory factory;
    private final String userName;
    private final String password;
    private WeirRaSession session; // guarded by this
    private boolean started; // guarded by this
    private volatile boolean closed;

    WeirRaConnection(WeirRaConnectionFactory factory, String userName, String password) {
        this.factory = factory;
        this.userName = userName;
        this.password = password;
    }

    private void checkClosed() throws IllegalStateException {
        if (closed) {
            throw new IllegalStateException("The connection is closed");
        }
    }

    private static IllegalStateException forbidden(String method) {
        return new IllegalStateException(method + " must not be used in a Jakarta EE web or EJB container "
                + "(Jakarta Messaging 3.1, section 12.2)");
    }

    // ------------------------------------------------------------------ sessions

    @Override
    public Session createSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return createSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode);
    }

    @Override
    public Session createSession() throws JMSException {
        return createSession(Session.AUTO_ACKNOWLEDGE);
    }

    /**
     * Allocates this connection's session. In a container transaction the mode is ignored (the session is part
     * of the transaction); outside one it is honoured.
     */
    @Override
    public synchronized Session createSession(int sessionMode) throws JMSException {
        checkClosed();
        if (session != null && !session.isClosed()) {
            throw new IllegalStateException("A connection has one session at a time in a Jakarta EE web or EJB container "
                    + "(Jakarta Messaging 3.1, section 12.2): close the first one or create another connection");
        }
        switch (sessionMode) {
            case Session.AUTO_ACKNOWLEDGE, Session.CLIENT_ACKNOWLEDGE, Session.DUPS_OK_ACKNOWLEDGE, Session.SESSION_TRANSACTED -> {
            }
            default -> throw new JMSException("Unknown session mode " + sessionMode);
        }
        WeirRaSession s = allocate(sessionMode);
        s.connectionHandle(this);
        session = s;
        if (started) {
            s.startConnection();
        }
        return s;
    }

    private WeirRaSession allocate(int sessionMode) throws JMSException {
        try {
            return (WeirRaSession) factory.connectionManager().allocateConnection(factory.managedConnectionFactory(),
                    new WeirConnectionRequestInfo(userName, password, sessionMode));
        } catch (jakarta.resource.spi.SecurityException e) {
            JMSSecurityException j = new JMSSecurityException(e.getMessage());
            j.setLinkedException(e);
            j.initCause(e);
            throw j;
        } catch (ResourceException e) {
            JMSException j = new JMSException("Weir: no connection from the pool: " + e.getMessage());
            j.setLinkedException(e);
            j.initCause(e);
            throw j;
        }
    }

    @Override
    public QueueSession createQueueSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return (QueueSession) createSession(transacted, acknowledgeMode);
    }

    @Override
    public TopicSession createTopicSession(boolean transacted, int acknowledgeMode) throws JMSException {
        return (TopicSession) createSession(transacted, acknowledgeMode);
    }

    synchronized void sessionClosed(WeirRaSession s) {
        if (session == s) {
            session = null;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public synchronized void start() throws JMSException {
        checkClosed();
        started = true;
        if (session != null && !session.isClosed()) {
            session.startConnection();
        }
    }

    @Override
    public void stop() throws JMSException {
        checkClosed();
        throw forbidden("Connection.stop");
    }

    @Override
    public void close() throws JMSException {
        WeirRaSession s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = session;
            session = null;
        }
        if (s != null) {
            s.close();
        }
    }

    // ------------------------------------------------------------------ properties

    @Override
    public String getClientID() throws JMSException {
        checkClosed();
        return factory.managedConnectionFactory().providerSettings().clientId();
    }

    @Override
    public void setClientID(String clientID) throws JMSException {
        checkClosed();
        throw forbidden("Connection.setClientID");
    }

    @Override
    public ConnectionMetaData getMetaData() throws JMSException {
        checkClosed();
        return io.weir.jms.WeirConnectionMetaData.INSTANCE;
    }

    @Override
    public ExceptionListener getExceptionListener() throws JMSException {
        checkClosed();
        return null;
    }

    @Override
    public void setExceptionListener(ExceptionListener listener) throws JMSException {
        checkClosed();
        throw forbidden("Connection.setExceptionListener");
    }

    // ------------------------------------------------------------------ connection consumers: forbidden in EE

    @Override
    public ConnectionConsumer createConnectionConsumer(Destination destination, String messageSelector,
                                                       ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        checkClosed();
        throw forbidden("Connection.createConnectionConsumer");
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
        checkClosed();
        throw forbidden("Connection.createSharedConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createDurableConnectionConsumer(Topic topic, String subscriptionName, String messageSelector,
                                                              ServerSessionPool sessionPool, int maxMessages) throws JMSException {
        checkClosed();
        throw forbidden("Connection.createDurableConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createSharedDurableConnectionConsumer(Topic topic, String subscriptionName,
                                                                    String messageSelector, ServerSessionPool sessionPool,
                                                                    int maxMessages) throws JMSException {
        checkClosed();
        throw forbidden("Connection.createSharedDurableConnectionConsumer");
    }
}
