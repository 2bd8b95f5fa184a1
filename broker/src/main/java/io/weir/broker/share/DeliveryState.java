package io.weir.broker.share;

/**
 * The state of one record of a share-partition between its start offset (SPSO) and end offset (SPEO).
 * The codes are the {@code DeliveryState} values of KIP-932's share state records, so a persisted
 * state batch reads the same in Weir as in Kafka's share coordinator.
 */
public enum DeliveryState {
    /** May be acquired by any member. */
    AVAILABLE((byte) 0),
    /** Locked by one member until it acknowledges it or the acquisition lock expires. */
    ACQUIRED((byte) 1),
    /** Accepted by a consumer: never delivered again. */
    ACKNOWLEDGED((byte) 2),
    /** Rejected, or delivered {@code group.share.delivery.count.limit} times: never delivered again. */
    ARCHIVED((byte) 4),
    /**
     * Accepted inside a Kafka transaction that has not ended yet (Weir's transactional acknowledgement): neither
     * delivered again nor acknowledged until the transaction's marker is written on the partition. Never written as
     * a state batch's code: a snapshot carries these records as AVAILABLE batches plus a {@link PendingTxnAck} each,
     * so a reader that does not know pending acknowledgements delivers them again (the safe side).
     */
    PENDING_TXN((byte) 8);

    private final byte code;

    DeliveryState(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The state of a persisted code; an unknown code reads as AVAILABLE (delivering again is the safe side). */
    public static DeliveryState of(byte code) {
        for (DeliveryState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return AVAILABLE;
    }

    /** Whether the record is done with (it no longer holds the start offset back). */
    boolean terminal() {
        return this == ACKNOWLEDGED || this == ARCHIVED;
    }
}
