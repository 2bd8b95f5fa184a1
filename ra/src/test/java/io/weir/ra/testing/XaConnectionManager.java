package io.weir.ra.testing;

import io.weir.ra.ProviderXAResource;
import io.weir.ra.outbound.ConnectionEndListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server's connection manager for {@code XATransaction}, small and without a pool: each allocation makes a managed
 * connection, enlists its XAResource (wrapped in a {@link Recording} one) in the calling thread's JTA transaction, and
 * cleans it up and destroys it once the handle is closed and the transaction completed, as a server keeps a
 * connection with its transaction until the end.
 */
public final class XaConnectionManager implements ConnectionManager, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient TransactionManager tm;
    private final transient List<Recording> enlisted = new CopyOnWriteArrayList<>();
    private final transient Set<ManagedConnection> open = ConcurrentHashMap.newKeySet();

    public XaConnectionManager(TransactionManager tm) {
        this.tm = tm;
    }

    /** The XAResources enlisted so far, in order, with the calls the transaction manager made on them. */
    public List<Recording> enlisted() {
        return enlisted;
    }

    @Override
    public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo cri) throws ResourceException {
        ManagedConnection mc = mcf.createManagedConnection(null, cri);
        open.add(mc);
        boolean[] inTransaction = {false};
        try {
            Transaction tx = tm.getTransaction();
            if (tx != null && tx.getStatus() == Status.STATUS_ACTIVE) {
                Recording r = new Recording(mc.getXAResource());
                enlisted.add(r);
                if (!tx.enlistResource(r)) {
                    throw new ResourceException("The transaction manager refused the XAResource");
                }
                inTransaction[0] = true;
                tx.registerSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        inTransaction[0] = false;
                        destroy(mc);
                    }
                });
            }
        } catch (ResourceException e) {
            throw e;
        } catch (Exception e) {
            throw new ResourceException("Enlisting failed", e);
        }
        mc.addConnectionEventListener(new ConnectionEndListener(closed -> {
            if (!inTransaction[0]) {
                destroy(mc);
            }
        }, failed -> destroy(mc)));
        return mc.getConnection(null, cri);
    }

    private void destroy(ManagedConnection mc) {
        if (!open.remove(mc)) {
            return;
        }
        try {
            mc.cleanup();
            mc.destroy();
        } catch (ResourceException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        open.forEach(this::destroy);
    }

    /** An XAResource that records the calls made on it, and still looks through to the adapter's for isSameRM. */
    public static final class Recording implements ProviderXAResource {
        private final XAResource delegate;
        private final List<String> calls = new CopyOnWriteArrayList<>();

        Recording(XAResource delegate) {
            this.delegate = delegate;
        }

        public List<String> calls() {
            return calls;
        }

        @Override
        public XAResource provider() throws XAException {
            return delegate instanceof ProviderXAResource p ? p.provider() : delegate;
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            calls.add("start(" + flags + ")");
            delegate.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            calls.add("end(" + flags + ")");
            delegate.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            int vote = delegate.prepare(xid);
            calls.add("prepare=" + vote);
            return vote;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            calls.add("commit(" + onePhase + ")");
            delegate.commit(xid, onePhase);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            calls.add("rollback");
            delegate.rollback(xid);
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            return delegate.recover(flag);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            delegate.forget(xid);
        }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            XAResource o = other instanceof Recording r ? r.delegate : other;
            return delegate.isSameRM(o);
        }

        @Override
        public int getTransactionTimeout() throws XAException {
            return delegate.getTransactionTimeout();
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return delegate.setTransactionTimeout(seconds);
        }
    }
}
