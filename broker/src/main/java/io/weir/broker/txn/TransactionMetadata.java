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

    TransactionMetadata(String transactionalId, int partition, TxnRecord current) {
        this.transactionalId = transactionalId;
        this.partition = partition;
        this.current = current;
    }
}
