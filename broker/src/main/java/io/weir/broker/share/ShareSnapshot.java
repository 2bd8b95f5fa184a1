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
 * @param pending     offsets accepted inside a Kafka transaction not ended yet, in offset order; each lies in a batch
 *                    of {@code batches} that says AVAILABLE (what a reader that ignores this list does with them)
 */
public record ShareSnapshot(int stateEpoch, long startOffset, List<StateBatch> batches, List<PendingTxnAck> pending) {
    public ShareSnapshot {
        batches = List.copyOf(batches);
        pending = List.copyOf(pending);
    }

    /** A state with no transactional acknowledgement pending. */
    public ShareSnapshot(int stateEpoch, long startOffset, List<StateBatch> batches) {
        this(stateEpoch, startOffset, batches, List.of());
    }

    /**
     * The state written when an administrator deletes a share-partition's offsets: the next leader to
     * load it starts afresh ({@code share.auto.offset.reset}).
     */
    public static ShareSnapshot deleted(int stateEpoch) {
        return new ShareSnapshot(stateEpoch, -1, List.of());
    }

    /** Whether this is a deleted state (see {@link #deleted}). */
    public boolean isDeleted() {
        return startOffset < 0;
    }

    /** The offset after the last persisted batch, or the start offset when there is none. */
    public long endOffset() {
        return batches.isEmpty() ? startOffset : Math.max(startOffset, batches.get(batches.size() - 1).last() + 1);
    }
}
