package io.weir.ra.outbound;

import io.weir.ra.ProviderClassLoader;
import io.weir.ra.ProviderXAResource;
import jakarta.jms.JMSException;
import jakarta.resource.ResourceException;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A managed connection's XAResource ({@code ManagedConnection.getXAResource}), over the provider's XA
 * ({@code jms-provider/TRANSACTIONS.md}, "XA"). {@code start}/{@code end} associate the connection's XA session with
 * the branch and move the connection's handles onto it (so what the application sends and receives is the
 * branch's) and back. {@code prepare}, {@code commit}, {@code rollback}, {@code recover} and {@code forget} go to a
 * second XA session of the same provider connection: any resource of one resource manager may complete a branch, and
 * the XA session the handles use stays free for the next branch. {@code isSameRM} is the provider's: true for every
 * XAResource of the adapter on the same brokers and {@code xaResourceId}, outbound or inbound, so a transaction
 * manager joins their work into one branch. Thread-safe.
 */
final class WeirRaXAResource implements ProviderXAResource {

    private final WeirManagedConnection connection;
    private volatile int timeoutSeconds;

    WeirRaXAResource(WeirManagedConnection connection) {
        this.connection = connection;
    }

    @FunctionalInterface
    private interface XaCall<T> {
        T call(XAResource r) throws XAException;
    }

    private XAResource work() throws XAException {
        try {
            return connection.xaWorkSession().getXAResource();
        } catch (JMSException | RuntimeException e) {
            throw xa(XAException.XAER_RMFAIL, "Weir: the connection's XA session is not available", e);
        }
    }

    @Override
    public XAResource provider() throws XAException {
        try {
            return connection.xaControlSession().getXAResource();
        } catch (JMSException | RuntimeException e) {
            throw xa(XAException.XAER_RMFAIL, "Weir: the connection's XA session is not available", e);
        }
    }

    /**
     * Where a branch is completed (two-phase commit, rollback, recover, forget): the connection's control session, or,
     * once the connection was destroyed, the adapter's recovery resource of the same resource manager. A transaction
     * manager may hold this XAResource past its connection's life: a server's recovery lists branches through it
     * and commits them at a later pass, after the server may have destroyed and replaced its recovery connection.
     */
    private XAResource completer() throws XAException {
        if (connection.isDestroyed()) {
            XAResource fallback = connection.factory().recoveryResource(connection.credentials());
            if (fallback != null) {
                return fallback;
            }
        }
        return provider();
    }

    /** Runs {@code c} with the adapter's context class loader (kafka-clients may load classes by name). */
    private static <T> T withAdapterLoader(XAResource r, XaCall<T> c) throws XAException {
        ClassLoader previous = ProviderClassLoader.enter();
        try {
            return c.call(r);
        } finally {
            ProviderClassLoader.exit(previous);
        }
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        XAResource r = work();
        r.setTransactionTimeout(timeoutSeconds);
        try {
            connection.xaAssociated(true);
        } catch (ResourceException e) {
            throw xa(XAException.XAER_PROTO, "Weir: " + e.getMessage(), null);
        }
        boolean started = false;
        try {
            withAdapterLoader(r, x -> {
                x.start(xid, flags);
                return null;
            });
            started = true;
        } finally {
            if (!started) {
                dissociate();
            }
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        try {
            withAdapterLoader(work(), x -> {
                x.end(xid, flags);
                return null;
            });
        } finally {
            dissociate();
        }
    }

    private void dissociate() {
        try {
            connection.xaAssociated(false);
        } catch (ResourceException e) {
            throw new IllegalStateException(e); // dissociating never fails
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return withAdapterLoader(provider(), x -> x.prepare(xid));
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        try {
            withAdapterLoader(onePhase ? provider() : completer(), x -> {
                x.commit(xid, onePhase);
                return null;
            });
        } finally {
            connection.closeDeferred();
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        try {
            withAdapterLoader(completer(), x -> {
                x.rollback(xid);
                return null;
            });
        } finally {
            connection.closeDeferred();
        }
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return withAdapterLoader(completer(), x -> x.recover(flag));
    }

    @Override
    public void forget(Xid xid) throws XAException {
        withAdapterLoader(completer(), x -> {
            x.forget(xid);
            return null;
        });
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return other == this || ProviderXAResource.sameRM(provider(), other);
    }

    @Override
    public int getTransactionTimeout() {
        return timeoutSeconds;
    }

    /** The time a branch started through this resource may take until it is prepared; 0 = no limit. */
    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds < 0) {
            throw xa(XAException.XAER_INVAL, "A transaction timeout must not be negative: " + seconds, null);
        }
        timeoutSeconds = seconds;
        return true;
    }

    private static XAException xa(int code, String message, Throwable cause) {
        XAException e = new XAException(message + (cause == null ? "" : ": " + cause.getMessage()));
        e.errorCode = code;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    @Override
    public String toString() {
        return "WeirRaXAResource(" + connection + ")";
    }
}
