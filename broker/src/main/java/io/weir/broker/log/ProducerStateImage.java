package io.weir.broker.log;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The producer state of a partition as it stood when the log ended at {@code offset}: what a
 * {@code <offset>.snapshot} file holds (see {@link ProducerSnapshotFile}). Loading it and replaying the
 * batches from {@code offset} on gives the same state as replaying the whole log.
 *
 * @param offset       the log end offset when the image was taken: it covers every batch below
 * @param producers    every producer with state, in no particular order
 * @param unreplicated transactions closed by a marker that may still be above the high watermark:
 *                     marker offset to the transaction's first offset
 */
record ProducerStateImage(long offset, List<Producer> producers, SortedMap<Long, Long> unreplicated) {

    ProducerStateImage {
        producers = List.copyOf(producers);
        unreplicated = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(unreplicated));
    }

    /**
     * One producer.
     *
     * @param coordinatorEpoch      the epoch of the coordinator that last wrote a marker for it, or -1
     * @param lastTimestamp         the largest timestamp of its batches, or -1
     * @param currentTxnFirstOffset the first offset of its open transaction, or -1
     * @param batches               its last batches (at most {@link ProducerStateManager#CACHED_BATCHES}), oldest first
     */
    record Producer(long producerId, short epoch, int coordinatorEpoch, long lastTimestamp, long currentTxnFirstOffset,
                    List<ProducerStateManager.BatchMetadata> batches) {
        Producer {
            batches = List.copyOf(batches);
        }
    }
}
