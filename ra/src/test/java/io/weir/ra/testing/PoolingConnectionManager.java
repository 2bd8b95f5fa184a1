package io.weir.ra.testing;

import io.weir.ra.outbound.ConnectionEndListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;

import javax.security.auth.Subject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server's connection manager, small: a pool of managed connections matched with
 * {@code matchManagedConnections}, returned on {@code CONNECTION_CLOSED} after {@code cleanup}, destroyed on
 * {@code CONNECTION_ERROR_OCCURRED}; and container transactions per thread ({@link #begin}, {@link #commit},
 * {@link #rollback}) that enlist each connection allocated meanwhile through its {@link LocalTransaction} and
 * give it back to the pool only when the transaction ends, as a server does.
 */
public final class PoolingConnectionManager implements ConnectionManager, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient Deque<ManagedConnection> idle = new ArrayDeque<>();
    private final transient Set<ManagedConnection> all = new HashSet<>();
    private final transient ThreadLocal<Map<ManagedConnection, LocalTransaction>> transaction = new ThreadLocal<>();
    private final transient Set<ManagedConnection> closedInTransaction = new HashSet<>();
    private final transient AtomicInteger created = new AtomicInteger();
    private final transient AtomicInteger errors = new AtomicInteger();
    private transient Subject subject;

    /** Container-managed sign-on: the Subject given to the factory from now on. */
    public void subject(Subject subject) {
        this.subject = subject;
    }

    public int created() {
        return created.get();
    }

    public int errors() {
        return errors.get();
    }

    public synchronized int idle() {
        return idle.size();
    }

    @Override
    public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo cri) throws ResourceException {
        ManagedConnection mc;
        synchronized (this) {
            mc = idle.isEmpty() ? null : mcf.matchManagedConnections(new HashSet<>(idle), subject, cri);
            if (mc != null) {
                idle.remove(mc);
            }
        }
        if (mc == null) {
            mc = mcf.createManagedConnection(subject, cri);
            created.incrementAndGet();
            mc.addConnectionEventListener(new ConnectionEndListener(this::closed, this::failed));
            synchronized (this) {
                all.add(mc);
            }
        }
        Map<ManagedConnection, LocalTransaction> tx = transaction.get();
        if (tx != null && !tx.containsKey(mc)) {
            LocalTransaction lt = mc.getLocalTransaction();
            lt.begin();
            tx.put(mc, lt);
        }
        return mc.getConnection(subject, cri);
    }

    public void begin() {
        if (transaction.get() != null) {
            throw new IllegalStateException("a transaction is active");
        }
        transaction.set(new LinkedHashMap<>());
    }

    public void commit() throws ResourceException {
        end(true);
    }

    public void rollback() throws ResourceException {
        end(false);
    }

    private void end(boolean commit) throws ResourceException {
        Map<ManagedConnection, LocalTransaction> tx = transaction.get();
        transaction.remove();
        ResourceException failure = null;
        for (Map.Entry<ManagedConnection, LocalTransaction> e : tx.entrySet()) {
            try {
                if (commit) {
                    e.getValue().commit();
                } else {
                    e.getValue().rollback();
                }
            } catch (ResourceException ex) {
                failure = failure == null ? ex : failure;
            }
        }
        for (ManagedConnection mc : tx.keySet()) {
            boolean closed;
            synchronized (this) {
                closed = closedInTransaction.remove(mc);
            }
            if (closed) {
                release(mc);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean enlisted(ManagedConnection mc) {
        Map<ManagedConnection, LocalTransaction> tx = transaction.get();
        return tx != null && tx.containsKey(mc);
    }

    private void release(ManagedConnection mc) {
        try {
            mc.cleanup();
            synchronized (this) {
                if (all.contains(mc)) {
                    idle.add(mc);
                }
            }
        } catch (ResourceException e) {
            destroy(mc);
        }
    }

    private void destroy(ManagedConnection mc) {
        synchronized (this) {
            all.remove(mc);
            idle.remove(mc);
        }
        try {
            mc.destroy();
        } catch (ResourceException e) {
            // being dropped anyway
        }
    }

    /** A handle closed in a transaction keeps its connection out of the pool until the transaction ends. */
    private void closed(ConnectionEvent event) {
        ManagedConnection mc = (ManagedConnection) event.getSource();
        if (enlisted(mc)) {
            synchronized (this) {
                closedInTransaction.add(mc);
            }
        } else {
            release(mc);
        }
    }

    private void failed(ConnectionEvent event) {
        errors.incrementAndGet();
        destroy((ManagedConnection) event.getSource());
    }

    @Override
    public void close() {
        Set<ManagedConnection> copy;
        synchronized (this) {
            copy = new HashSet<>(all);
        }
        for (ManagedConnection mc : copy) {
            destroy(mc);
        }
    }
}
