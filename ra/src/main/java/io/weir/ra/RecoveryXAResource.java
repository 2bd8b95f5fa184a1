package io.weir.ra;

import io.weir.jms.WeirXAConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource the adapter gives the server's recovery manager ({@code ResourceAdapter.getXAResources}): one per
 * resource manager (brokers and {@code xaResourceId}). {@code recover} lists the branches the brokers keep under the
 * id (prepared, or left open by a crashed instance); {@code commit}/{@code rollback} end them through a new instance of
 * their transactional id ({@code jms-provider/TRANSACTIONS.md}, "XA"). It opens its provider XA connection on first
 * use and again after the brokers could not be reached; {@link #close} (adapter stop) closes it. It never starts a
 * branch. Thread-safe.
 */
public final class RecoveryXAResource implements ProviderXAResource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RecoveryXAResource.class);

    private final WeirXAConnectionFactory factory;
    private final String userName;
    private final String password;
    private XAConnection connection; // guarded by this
    private XAResource resource; // guarded by this
    private boolean closed; // guarded by this

    public RecoveryXAResource(WeirXAConnectionFactory factory, String userName, String password) {
        this.factory = factory;
        this.userName = userName;
        this.password = password;
    }

    public String resourceId() {
        return factory.getXaResourceId();
    }

    private synchronized XAResource resource() throws XAException {
        if (closed) {
            throw xa(XAException.XAER_RMFAIL, "The Weir resource adapter was stopped", null);
        }
        if (resource == null) {
            try {
                XAConnection c = ProviderClassLoader.call(() -> factory.createXAConnection(userName, password));
                try {
                    XASession s = c.createXASession();
                    resource = s.getXAResource();
                    connection = c;
                } catch (JMSException | RuntimeException e) {
                    c.close();
                    throw e;
                }
            } catch (JMSException | RuntimeException e) {
                throw xa(XAException.XAER_RMFAIL, "Weir recovery: cannot connect to " + factory.getBootstrapServers(), e);
            }
        }
        return resource;
    }

    /** The brokers could not be reached: the next call opens a new connection. */
    private XAException failed(XAException e) {
        if (e.errorCode == XAException.XAER_RMFAIL) {
            reset();
        }
        return e;
    }

    private synchronized void reset() {
        XAConnection c = connection;
        connection = null;
        resource = null;
        if (c != null) {
            try {
                c.close();
            } catch (JMSException | RuntimeException e) {
                log.debug("Closing the recovery connection of {}: {}", resourceId(), e.getMessage());
            }
        }
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        try {
            Xid[] found = resource().recover(flag);
            if (found.length > 0) {
                log.info("Weir recovery ({}): {} branch(es) to complete", resourceId(), found.length);
            }
            return found;
        } catch (XAException e) {
            throw failed(e);
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        try {
            resource().commit(xid, onePhase);
        } catch (XAException e) {
            throw failed(e);
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        try {
            resource().rollback(xid);
        } catch (XAException e) {
            throw failed(e);
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        resource().forget(xid);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return resource().prepare(xid);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        throw xa(XAException.XAER_PROTO, "The Weir recovery XAResource does not start branches", null);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        throw xa(XAException.XAER_PROTO, "The Weir recovery XAResource has no branch to end", null);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return other == this || ProviderXAResource.sameRM(resource(), other);
    }

    @Override
    public XAResource provider() throws XAException {
        return resource();
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }

    @Override
    public synchronized void close() {
        closed = true;
        reset();
    }

    static XAException xa(int code, String message, Throwable cause) {
        XAException e = new XAException(message + (cause == null ? "" : ": " + cause.getMessage()));
        e.errorCode = code;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    @Override
    public String toString() {
        return "RecoveryXAResource(" + resourceId() + ", " + factory.getBootstrapServers() + ")";
    }
}
