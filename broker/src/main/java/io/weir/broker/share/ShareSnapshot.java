package io.weir.broker.share;

import java.util.List;

/**
 * The durable state of one share-partition: everything before {@code startOffset} is done with, and
 * {@code batches} describe the records after it that are not plain available-never-delivered ones
 * (acquired records are persisted as available: a lock does not survive its leader).
 *
 * @param stateEpoch  bumped when the state is reset (offsets altered or deleted), so readers can tell a new start
 * @param startOffset the share-partition start offset (SPSO)
 * @param batches     in offset order, non-overlapping, all at or after {@code startOffset}
 */
public record ShareSnapshot(int stateEpoch, long startOffset, List<StateBatch> batches) {
    public ShareSnapshot {
        batches = List.copyOf(batches);
    }

    /** The offset after the last persisted batch, or the start offset when there is none. */
    public long endOffset() {
        return batches.isEmpty() ? startOffset : Math.max(startOffset, batches.get(batches.size() - 1).last() + 1);
    }
}
