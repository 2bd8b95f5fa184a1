package io.weir.ra.inflow;

import io.weir.ra.ProviderClassLoader;
import io.weir.ra.ProviderXAResource;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource a delivery session gives its message endpoint ({@code createEndpoint(xaResource)}): its XA session's,
 * which the container enlists in the transaction it begins in {@code beforeDelivery}. The message the session
 * received just before is held by the XA session for that branch, so it is consumed exactly when the container's
 * transaction commits. Records whether a branch was started since {@link #resetSeen}: a container that did not
 * enlist it leaves the held message to the delivery session. Thread-safe.
 */
final class DeliveryXAResource implements ProviderXAResource {

    private final XAResource delegate;
    private volatile boolean seen;

    DeliveryXAResource(XAResource delegate) {
        this.delegate = delegate;
    }

    void resetSeen() {
        seen = false;
    }

    /** True if a branch was started on this resource since {@link #resetSeen}. */
    boolean seen() {
        return seen;
    }

    @FunctionalInterface
    private interface XaCall<T> {
        T call() throws XAException;
    }

    private static <T> T withAdapterLoader(XaCall<T> c) throws XAException {
        ClassLoader previous = ProviderClassLoader.enter();
        try {
            return c.call();
        } finally {
            ProviderClassLoader.exit(previous);
        }
    }

    @Override
    public XAResource provider() {
        return delegate;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        seen = true;
        withAdapterLoader(() -> {
            delegate.start(xid, flags);
            return null;
        });
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        withAdapterLoader(() -> {
            delegate.end(xid, flags);
            return null;
        });
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return withAdapterLoader(() -> delegate.prepare(xid));
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        withAdapterLoader(() -> {
            delegate.commit(xid, onePhase);
            return null;
        });
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        withAdapterLoader(() -> {
            delegate.rollback(xid);
            return null;
        });
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return withAdapterLoader(() -> delegate.recover(flag));
    }

    @Override
    public void forget(Xid xid) throws XAException {
        withAdapterLoader(() -> {
            delegate.forget(xid);
            return null;
        });
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return other == this || ProviderXAResource.sameRM(delegate, other);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    @Override
    public String toString() {
        return "DeliveryXAResource(" + delegate + ")";
    }
}
