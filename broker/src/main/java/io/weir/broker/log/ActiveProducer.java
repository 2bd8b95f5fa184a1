package io.weir.broker.log;

/**
 * A producer with state in a partition, as DescribeProducers shows it.
 *
 * @param lastSequence          the last sequence number written, or -1
 * @param lastTimestamp         the largest timestamp of its batches, or -1
 * @param coordinatorEpoch      the epoch of the coordinator that last wrote a marker for it, or -1
 * @param currentTxnStartOffset the first offset of its open transaction, or -1
 */
public record ActiveProducer(long producerId, short epoch, int lastSequence, long lastTimestamp, int coordinatorEpoch,
                             long currentTxnStartOffset) {
}
