package io.weir.ra.testing;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's transactions as the adapter sees them: one transaction per thread, begun and completed by the
 * test's endpoint (as a container's beforeDelivery/afterDelivery would) and by tests that play the container for
 * outbound work, with interposed synchronizations told the outcome.
 */
public final class FakeTransactions implements TransactionSynchronizationRegistry {

    /** One container transaction. */
    public static final class Tx {
        private final List<Synchronization> synchronizations = new ArrayList<>();
        private final Map<Object, Object> resources = new HashMap<>();
        private boolean rollbackOnly;
    }

    private final ThreadLocal<Tx> current = new ThreadLocal<>();

    public void begin() {
        if (current.get() != null) {
            throw new IllegalStateException("a transaction is active");
        }
        current.set(new Tx());
    }

    /** Completes the thread's transaction: commits unless {@code commit} is false or it was marked rollback-only. */
    public boolean complete(boolean commit) {
        Tx tx = current.get();
        current.remove();
        if (tx == null) {
            throw new IllegalStateException("no transaction");
        }
        boolean committed = commit && !tx.rollbackOnly;
        for (Synchronization s : tx.synchronizations) {
            s.beforeCompletion();
        }
        for (Synchronization s : tx.synchronizations) {
            s.afterCompletion(committed ? Status.STATUS_COMMITTED : Status.STATUS_ROLLEDBACK);
        }
        return committed;
    }

    public boolean active() {
        return current.get() != null;
    }

    private Tx tx() {
        Tx tx = current.get();
        if (tx == null) {
            throw new IllegalStateException("no transaction");
        }
        return tx;
    }

    @Override
    public Object getTransactionKey() {
        return current.get();
    }

    @Override
    public void putResource(Object key, Object value) {
        tx().resources.put(key, value);
    }

    @Override
    public Object getResource(Object key) {
        return tx().resources.get(key);
    }

    @Override
    public void registerInterposedSynchronization(Synchronization sync) {
        tx().synchronizations.add(sync);
    }

    @Override
    public int getTransactionStatus() {
        Tx tx = current.get();
        if (tx == null) {
            return Status.STATUS_NO_TRANSACTION;
        }
        return tx.rollbackOnly ? Status.STATUS_MARKED_ROLLBACK : Status.STATUS_ACTIVE;
    }

    @Override
    public void setRollbackOnly() {
        tx().rollbackOnly = true;
    }

    @Override
    public boolean getRollbackOnly() {
        return tx().rollbackOnly;
    }
}
