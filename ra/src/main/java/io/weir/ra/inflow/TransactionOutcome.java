package io.weir.ra.inflow;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * What became of the container transaction a transacted delivery ran in, learned through an interposed
 * {@link Synchronization} registered between {@code beforeDelivery} and {@code onMessage}. Without XA this is
 * how the adapter knows whether to commit the consumed message: {@code afterDelivery} alone does not say.
 * The outcome is {@link #known()} once the transaction completed; callbacks may come from any thread.
 */
final class TransactionOutcome implements Synchronization {

    private volatile int status = Status.STATUS_UNKNOWN;
    private volatile boolean completed;

    /**
     * Registers a new outcome with the transaction on this thread.
     *
     * @return the outcome, or null when there is no registry or no active transaction
     */
    static TransactionOutcome register(TransactionSynchronizationRegistry registry) {
        if (registry == null) {
            return null;
        }
        try {
            if (registry.getTransactionKey() == null) {
                return null;
            }
            TransactionOutcome o = new TransactionOutcome();
            registry.registerInterposedSynchronization(o);
            return o;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void beforeCompletion() {
    }

    @Override
    public void afterCompletion(int status) {
        this.status = status;
        this.completed = true;
    }

    /** True once the transaction completed (committed or rolled back). */
    boolean known() {
        return completed;
    }

    /** True if the transaction committed. */
    boolean committed() {
        return completed && status == Status.STATUS_COMMITTED;
    }
}
