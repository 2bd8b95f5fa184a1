package io.weir.broker.share;

/**
 * Offsets {@code first..last} accepted inside the Kafka transaction of producer {@code producerId} at epoch
 * {@code producerEpoch}, waiting for its marker on the data partition.
 *
 * <p>Which marker ends it: the first COMMIT or ABORT control batch of the producer on the partition that either
 * carries a higher epoch (the coordinator fenced the epoch to abort it on a timeout, or a recovering instance took
 * over a prepared two-phase transaction), or carries the same epoch at an offset at or after {@code markerFrom}:
 * the partition's log end offset once the partition had joined the transaction at the coordinator. Markers of the
 * producer's earlier transactions (same epoch: transactions keep their epoch in Weir) were all written before the
 * coordinator let this transaction add the partition, so they lie below {@code markerFrom}.
 */
public record PendingTxnAck(long first, long last, long producerId, short producerEpoch, long markerFrom) {

    /** Whether the marker of {@code producerId} at {@code markerEpoch} written at {@code markerOffset} ends this transaction. */
    public boolean endedBy(long markerProducerId, short markerEpoch, long markerOffset) {
        return markerProducerId == producerId
                && (markerEpoch > producerEpoch || markerEpoch == producerEpoch && markerOffset >= markerFrom);
    }
}
