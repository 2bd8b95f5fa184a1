package io.weir.broker.txn;

/**
 * A transactional id at its coordinator: its acknowledged state and whether a write of a newer state
 * is in flight (then every other request for it is answered CONCURRENT_TRANSACTIONS).
 *
 * <p>Guarded by its own monitor; the coordinator decides and marks a write pending under it, and
 * applies the write's outcome under it.
 */
final class TransactionMetadata {
    final String transactionalId;
    final int partition;
    /** Null until the first state is written. */
    TxnRecord current;
    boolean pending;
    /** Expired and forgotten: a request still holding this object must look the id up again. */
    boolean removed;

    /** Completed (and replaced) when {@code current}, {@code pending} or {@code removed} changes. */
    private java.util.concurrent.CompletableFuture<Void> changed = new java.util.concurrent.CompletableFuture<>();

    TransactionMetadata(String transactionalId, int partition, TxnRecord current) {
        this.transactionalId = transactionalId;
        this.partition = partition;
        this.current = current;
    }

    /** Completes at the next change after this call (see {@link #changed}). */
    synchronized java.util.concurrent.CompletableFuture<Void> nextChange() {
        return changed;
    }

    /** Call after a change, outside the monitor: wakes who waits for one. */
    void signalChange() {
        java.util.concurrent.CompletableFuture<Void> done;
        synchronized (this) {
            done = changed;
            changed = new java.util.concurrent.CompletableFuture<>();
        }
        done.complete(null);
    }
}
