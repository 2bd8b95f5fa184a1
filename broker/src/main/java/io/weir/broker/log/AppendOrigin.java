package io.weir.broker.log;

/** Who writes an append on the leader: a producer, or a coordinator of this cluster. */
public enum AppendOrigin {
    /** A producer's batches: idempotence and transactions are checked, control batches are refused. */
    CLIENT,
    /**
     * A coordinator's batches: transaction markers (control batches) from the transaction
     * coordinator, transactional offsets from the group coordinator. Only epochs are checked.
     */
    COORDINATOR
}
