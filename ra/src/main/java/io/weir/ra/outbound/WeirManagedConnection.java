package io.weir.ra.outbound;

import io.weir.jms.WeirConnection;
import io.weir.ra.ProviderClassLoader;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import jakarta.resource.spi.SecurityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pooled physical connection: one provider XA connection and the sessions its handles use, one per session mode,
 * made on first use. While the server runs a container transaction on it, every handle works on the session of
 * that transaction, so the transaction's sends and receives commit or roll back with it: the XA session while an
 * XA branch is associated ({@link WeirRaXAResource}, {@code XATransaction} in ra.xml), the transacted session while
 * a {@link WeirLocalTransaction} is begun (servers or pools configured for {@code LocalTransaction}). Otherwise a
 * handle works on the session of the mode the application asked for.
 *
 * <p>Handles ({@link WeirRaSession}) report their close ({@code CONNECTION_CLOSED}); a broker outage seen by the
 * provider's connection check reports {@code CONNECTION_ERROR_OCCURRED}, so the server drops the connection.
 * {@link #cleanup} closes the sessions (and with them whatever the application left open) and keeps the
 * provider connection for the next user.
 *
 * <p>Thread-safety: the server calls the lifecycle methods; a handle is used by one thread at a time, as JMS
 * sessions are. Shared state is guarded by {@code this}.
 */
public class WeirManagedConnection implements ManagedConnection {

    private static final Logger log = LoggerFactory.getLogger(WeirManagedConnection.class);

    private final WeirManagedConnectionFactory factory;
    private final WeirConnection connection;
    private final WeirManagedConnectionFactory.Credentials credentials;
    private final List<WeirRaSession> handles = new CopyOnWriteArrayList<>();
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, Session> sessions = new HashMap<>(); // guarded by this
    private final List<MessageConsumer> closeAtEnd = new ArrayList<>(); // guarded by this
    private volatile boolean inManagedTransaction;
    private XASession xaWork; // guarded by this: the session handles work on while a branch is associated
    private XASession xaControl; // guarded by this: prepares, commits and recovers (any session of the RM may)
    private WeirRaXAResource xaResource; // guarded by this
    private volatile boolean inXaBranch;
    private volatile boolean destroyed;
    private volatile PrintWriter logWriter;

    WeirManagedConnection(WeirManagedConnectionFactory factory, WeirConnection connection,
                          WeirManagedConnectionFactory.Credentials credentials) throws ResourceException {
        this.factory = factory;
        this.connection = connection;
        this.credentials = credentials;
        try {
            ProviderClassLoader.run(() -> connection.setExceptionListener(this::brokerFailed));
        } catch (JMSException e) {
            throw new ResourceException("Weir: cannot watch the connection's brokers", e);
        }
    }

    WeirManagedConnectionFactory factory() {
        return factory;
    }

    WeirManagedConnectionFactory.Credentials credentials() {
        return credentials;
    }

    boolean isDestroyed() {
        return destroyed;
    }

    /** True while a container transaction (local, or an associated XA branch) runs on this connection. */
    boolean inManagedTransaction() {
        return inManagedTransaction || inXaBranch;
    }

    // ------------------------------------------------------------------ handles

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo cri) throws ResourceException {
        checkNotDestroyed();
        WeirManagedConnectionFactory.Credentials wanted = factory.credentials(subject, cri);
        if (!wanted.equals(credentials)) {
            throw new SecurityException("Weir: re-authentication is not supported (connection of "
                    + credentials.userName() + ", asked for " + wanted.userName() + ")");
        }
        int mode = cri instanceof WeirConnectionRequestInfo w ? w.sessionMode() : WeirManagedConnectionFactory.defaultSessionMode();
        WeirRaSession handle = new WeirRaSession(this, mode);
        handles.add(handle);
        return handle;
    }

    @Override
    public void associateConnection(Object handle) throws ResourceException {
        checkNotDestroyed();
        if (!(handle instanceof WeirRaSession s)) {
            throw new ResourceException("Not a Weir session handle: " + handle);
        }
        s.associate(this);
    }

    void attach(WeirRaSession handle) {
        handles.add(handle);
    }

    void detach(WeirRaSession handle) {
        handles.remove(handle);
    }

    /** A handle was closed by the application: tell the server, which returns this connection to its pool. */
    void handleClosed(WeirRaSession handle) {
        handles.remove(handle);
        ConnectionEvent e = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        e.setConnectionHandle(handle);
        for (ConnectionEventListener l : listeners) {
            l.connectionClosed(e);
        }
    }

    /** A handle's call failed in a way that makes this connection unusable. */
    void connectionFailed(Exception cause) {
        ConnectionEvent e = new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, cause);
        for (ConnectionEventListener l : listeners) {
            l.connectionErrorOccurred(e);
        }
    }

    private void brokerFailed(JMSException e) {
        if (!destroyed) {
            log.warn("Weir pooled connection {}: the brokers do not answer, the pool drops it: {}", connection, e.getMessage());
            connectionFailed(e);
        }
    }

    // ------------------------------------------------------------------ what handles work on

    /** The provider session a handle of {@code mode} works on now. */
    synchronized Session session(int mode) throws JMSException {
        if (destroyed) {
            throw new jakarta.jms.IllegalStateException("The connection was destroyed");
        }
        if (inXaBranch) {
            return xaWorkSession();
        }
        int effective = inManagedTransaction ? Session.SESSION_TRANSACTED : mode;
        Session s = sessions.get(effective);
        if (s == null) {
            s = connection.createSession(effective);
            sessions.put(effective, s);
        }
        return s;
    }

    /**
     * Defers closing {@code c} to the end of the transaction when a transaction is open on it: the provider
     * commits a transacted session's receipts through its consumers, so they must outlive the transaction.
     *
     * @return true if the close was deferred
     */
    synchronized boolean closeAtTransactionEnd(MessageConsumer c, int handleMode) {
        if (!inManagedTransaction() && handleMode != Session.SESSION_TRANSACTED) {
            return false;
        }
        closeAtEnd.add(c);
        return true;
    }

    /** Closes the consumers whose close waited for the end of a transaction. */
    void closeDeferred() {
        List<MessageConsumer> due;
        synchronized (this) {
            due = new ArrayList<>(closeAtEnd);
            closeAtEnd.clear();
        }
        for (MessageConsumer c : due) {
            try {
                c.close();
            } catch (JMSException e) {
                log.debug("Closing a consumer at the end of its transaction: {}", e.getMessage());
            }
        }
    }

    void start() throws JMSException {
        ProviderClassLoader.run(connection::start);
    }

    WeirConnection physicalConnection() {
        return connection;
    }

    // ------------------------------------------------------------------ transactions

    void beginManaged() throws ResourceException {
        if (inManagedTransaction) {
            throw new jakarta.resource.spi.LocalTransactionException("Weir: a local transaction is already active");
        }
        synchronized (this) {
            Session s = sessions.get(Session.SESSION_TRANSACTED);
            if (s != null) {
                // work done outside the container transaction on a transacted handle is not part of it
                try {
                    s.rollback();
                } catch (JMSException e) {
                    throw local("begin", e);
                }
            }
        }
        inManagedTransaction = true;
    }

    void endManaged(boolean commit) throws ResourceException {
        if (!inManagedTransaction) {
            throw new jakarta.resource.spi.LocalTransactionException("Weir: no local transaction is active");
        }
        Session s;
        synchronized (this) {
            s = sessions.get(Session.SESSION_TRANSACTED);
        }
        try {
            if (s != null) {
                if (commit) {
                    s.commit();
                } else {
                    s.rollback();
                }
            }
        } catch (JMSException e) {
            throw local(commit ? "commit" : "rollback", e);
        } finally {
            inManagedTransaction = false;
            closeDeferred();
        }
    }

    private static jakarta.resource.spi.LocalTransactionException local(String what, JMSException e) {
        var lte = new jakarta.resource.spi.LocalTransactionException("Weir: local transaction " + what + " failed: "
                + e.getMessage(), e.getErrorCode());
        lte.initCause(e);
        return lte;
    }

    @Override
    public LocalTransaction getLocalTransaction() {
        return new WeirLocalTransaction(this);
    }

    /**
     * The connection's XAResource, the same instance for its whole life. Between {@code start} and {@code end} the
     * handles work on the connection's XA session, whose sends and receipts are the branch's; the resource manager's
     * other calls go to a second XA session of the same provider connection (see {@link WeirRaXAResource}).
     */
    @Override
    public synchronized XAResource getXAResource() throws ResourceException {
        checkNotDestroyed();
        if (xaResource == null) {
            xaResource = new WeirRaXAResource(this);
        }
        return xaResource;
    }

    /** The XA session handles work on in a branch, made on first use; kept until the connection is destroyed. */
    synchronized XASession xaWorkSession() throws JMSException {
        if (destroyed) {
            throw new jakarta.jms.IllegalStateException("The connection was destroyed");
        }
        if (xaWork == null) {
            xaWork = ProviderClassLoader.call(() -> ((XAConnection) connection).createXASession());
        }
        return xaWork;
    }

    /** The XA session whose XAResource prepares, commits, rolls back and recovers, made on first use. */
    synchronized XASession xaControlSession() throws JMSException {
        if (destroyed) {
            throw new jakarta.jms.IllegalStateException("The connection was destroyed");
        }
        if (xaControl == null) {
            xaControl = ProviderClassLoader.call(() -> ((XAConnection) connection).createXASession());
        }
        return xaControl;
    }

    /** A branch was associated ({@code true}) or dissociated with the XA session: handles follow it. */
    void xaAssociated(boolean associated) throws jakarta.resource.spi.LocalTransactionException {
        if (associated && inManagedTransaction) {
            throw new jakarta.resource.spi.LocalTransactionException("Weir: a local transaction is active on this connection");
        }
        inXaBranch = associated;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Invalidates the handles and closes the sessions; the provider connection stays for the next user. */
    @Override
    public void cleanup() throws ResourceException {
        for (WeirRaSession h : handles) {
            h.invalidate();
        }
        handles.clear();
        inXaBranch = false;
        closeDeferred(); // the XA session stays open: close what the handles left on it
        List<Session> open;
        synchronized (this) {
            open = new ArrayList<>(sessions.values());
            sessions.clear();
        }
        inManagedTransaction = false;
        for (Session s : open) {
            try {
                s.close();
            } catch (JMSException e) {
                log.debug("Closing a session of {} in cleanup: {}", connection, e.getMessage());
            }
        }
        try {
            if (!destroyed) {
                connection.stop();
            }
        } catch (JMSException e) {
            log.debug("Stopping {} in cleanup: {}", connection, e.getMessage());
        }
    }

    @Override
    public void destroy() throws ResourceException {
        if (destroyed) {
            return;
        }
        cleanup();
        List<Session> xa = new ArrayList<>();
        synchronized (this) {
            destroyed = true;
            if (xaWork != null) {
                xa.add(xaWork);
            }
            if (xaControl != null) {
                xa.add(xaControl);
            }
            xaWork = null;
            xaControl = null;
        }
        for (Session s : xa) {
            try {
                s.close();
            } catch (JMSException e) {
                log.debug("Closing an XA session of {}: {}", connection, e.getMessage());
            }
        }
        try {
            connection.close();
        } catch (JMSException e) {
            log.debug("Closing {}: {}", connection, e.getMessage());
        }
    }

    private void checkNotDestroyed() throws ResourceException {
        if (destroyed) {
            throw new jakarta.resource.spi.IllegalStateException("Weir: the managed connection was destroyed");
        }
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "Weir";
            }

            @Override
            public String getEISProductVersion() {
                return io.weir.jms.WeirConnectionMetaData.INSTANCE.getProviderVersion();
            }

            @Override
            public int getMaxConnections() {
                return 0;
            }

            @Override
            public String getUserName() {
                return credentials.userName();
            }
        };
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public String toString() {
        return "WeirManagedConnection(" + connection + ")";
    }
}
