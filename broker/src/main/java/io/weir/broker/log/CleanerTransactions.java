package io.weir.broker.log;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one cleaning pass knows about transactions while it walks a log in offset order (Kafka's rules):
 *
 * <ul>
 *   <li>A transactional data batch belongs to an aborted transaction when an aborted-transaction index
 *       entry of its producer spans it; the cleaner drops such batches.</li>
 *   <li>An ABORT marker may go once the pass saw none of its transaction's batches (they were removed by an
 *       earlier pass); otherwise it stays, and its index entry with it, for the next pass.</li>
 *   <li>A COMMIT marker may go once the pass saw no batch of its transaction (all its records were
 *       superseded and removed earlier).</li>
 * </ul>
 *
 * A removable marker still waits for its delete horizon ({@code delete.retention.ms} after the cleaner
 * first saw it), so that a consumer reading from the start within that time still sees it.
 *
 * <p>Pure state, owned by one cleaning pass.
 */
final class CleanerTransactions {
    private final ArrayDeque<AbortedTxn> pendingAborted;
    /** Producer id → the aborted transaction it is in at the current position. */
    private final Map<Long, AbortedTxn> ongoingAborted = new HashMap<>();
    /** Producers in an aborted transaction of which this pass saw a batch. */
    private final Set<Long> abortedWithBatches = new HashSet<>();
    /** Producers in a (to be committed) transaction of which this pass saw a batch. */
    private final Set<Long> ongoingCommitted = new HashSet<>();

    /** @param aborted the aborted transactions overlapping the range walked, in any order */
    CleanerTransactions(List<AbortedTxn> aborted) {
        this.pendingAborted = new ArrayDeque<>(aborted.stream().sorted(Comparator.comparingLong(AbortedTxn::firstOffset)).toList());
    }

    private void consumeUpTo(long offset) {
        while (!pendingAborted.isEmpty() && pendingAborted.peekFirst().firstOffset() <= offset) {
            AbortedTxn t = pendingAborted.pollFirst();
            ongoingAborted.put(t.producerId(), t);
        }
    }

    /** A data batch in offset order; returns whether it belongs to an aborted transaction. */
    boolean onDataBatch(RecordBatch batch) {
        consumeUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        long pid = batch.producerId();
        if (ongoingAborted.containsKey(pid)) {
            abortedWithBatches.add(pid);
            return true;
        }
        ongoingCommitted.add(pid);
        return false;
    }

    /**
     * A control batch in offset order.
     *
     * @param retainedAbort receives the index entry of an ABORT marker that must stay, else untouched
     * @return whether the marker's transaction has nothing left in the log (the marker may go at its horizon)
     */
    boolean onControlBatch(RecordBatch batch, ControlRecordType type, List<AbortedTxn> retainedAbort) {
        consumeUpTo(batch.lastOffset());
        long pid = batch.producerId();
        if (type == ControlRecordType.ABORT) {
            AbortedTxn txn = ongoingAborted.remove(pid);
            boolean sawBatches = abortedWithBatches.remove(pid);
            if (txn != null && sawBatches) {
                retainedAbort.add(txn);
                return false;
            }
            return true;
        }
        if (type == ControlRecordType.COMMIT) {
            return !ongoingCommitted.remove(pid);
        }
        return false;
    }
}
