package io.weir.broker.txn;

/**
 * The states of a transactional id at its coordinator, with Kafka's names (what
 * {@code kafka-transactions.sh} shows) and the byte stored in {@code __transaction_state}.
 *
 * <pre>
 * EMPTY ──AddPartitions──▶ ONGOING ──EndTxn(commit)──▶ PREPARE_COMMIT ──markers──▶ COMPLETE_COMMIT
 *   ▲                        │ └────EndTxn(abort), timeout, fencing──▶ PREPARE_ABORT ──markers──▶ COMPLETE_ABORT
 *   └──InitProducerId (epoch bump) from EMPTY / COMPLETE_*
 * </pre>
 */
public enum TransactionState {
    EMPTY((byte) 0, "Empty"),
    ONGOING((byte) 1, "Ongoing"),
    PREPARE_COMMIT((byte) 2, "PrepareCommit"),
    PREPARE_ABORT((byte) 3, "PrepareAbort"),
    COMPLETE_COMMIT((byte) 4, "CompleteCommit"),
    COMPLETE_ABORT((byte) 5, "CompleteAbort");

    private final byte id;
    private final String displayName;

    TransactionState(byte id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    public byte id() {
        return id;
    }

    /** Kafka's name for the state, as ListTransactions and DescribeTransactions answer it. */
    public String displayName() {
        return displayName;
    }

    /** Markers are being written: the coordinator answers CONCURRENT_TRANSACTIONS until they are. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** The state with this stored id, or null when unknown. */
    public static TransactionState fromId(byte id) {
        for (TransactionState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    /** The state with this display name, or null. */
    public static TransactionState fromDisplayName(String name) {
        for (TransactionState s : values()) {
            if (s.displayName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
