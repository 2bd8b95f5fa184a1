package io.weir.broker.log;

/**
 * An aborted transaction of one producer in one partition, as the aborted-transaction index stores it
 * and as read_committed fetches return it.
 *
 * @param producerId       the producer
 * @param firstOffset      the offset of the transaction's first record in this partition
 * @param lastOffset       the offset of its ABORT marker
 * @param lastStableOffset the last stable offset once the abort was written: no transaction that
 *                         started below it was still open (a reader searching for aborted
 *                         transactions below an offset may stop at an entry whose value reaches it)
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
}
