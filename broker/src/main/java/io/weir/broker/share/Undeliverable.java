package io.weir.broker.share;

import io.weir.broker.log.AbortedTxn;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The offsets of a share fetch's read that no member may ever get, as offset ranges: every control
 * batch (transaction markers), and under {@code share.isolation.level=read_committed} every batch of an
 * aborted transaction. A share-partition archives them instead of acquiring them (Kafka's
 * {@code SharePartition} archives aborted transactional records the same way): a ShareFetch response
 * has no aborted-transactions field, so the consumer could not drop them itself.
 *
 * <p>A transactional batch is aborted when its producer has an aborted transaction that starts at or
 * before the batch and whose ABORT marker comes after it. Immutable.
 */
public final class Undeliverable implements LongPredicate {
    private static final Undeliverable NONE = new Undeliverable(new long[0]);

    /** Sorted, disjoint [first, last] pairs. */
    private final long[] ranges;

    private Undeliverable(long[] ranges) {
        this.ranges = ranges;
    }

    public static Undeliverable none() {
        return NONE;
    }

    /**
     * The undeliverable offsets among {@code records}.
     *
     * @param aborted the aborted transactions overlapping the read (read_committed), or null (read_uncommitted:
     *                only control batches are undeliverable)
     */
    public static Undeliverable of(MemoryRecords records, List<AbortedTxn> aborted) {
        List<long[]> out = new ArrayList<>();
        for (RecordBatch b : records.batches()) {
            if (b.isControlBatch() || aborted != null && b.isTransactional() && isAborted(b, aborted)) {
                if (!out.isEmpty() && out.get(out.size() - 1)[1] + 1 >= b.baseOffset()) {
                    out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], b.lastOffset());
                } else {
                    out.add(new long[] {b.baseOffset(), b.lastOffset()});
                }
            }
        }
        if (out.isEmpty()) {
            return NONE;
        }
        long[] flat = new long[out.size() * 2];
        for (int i = 0; i < out.size(); i++) {
            flat[2 * i] = out.get(i)[0];
            flat[2 * i + 1] = out.get(i)[1];
        }
        return new Undeliverable(flat);
    }

    private static boolean isAborted(RecordBatch b, List<AbortedTxn> aborted) {
        for (AbortedTxn t : aborted) {
            if (t.producerId() == b.producerId() && t.firstOffset() <= b.baseOffset() && b.lastOffset() < t.lastOffset()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code offset} must never be delivered. */
    @Override
    public boolean test(long offset) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offset < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (offset > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }
}
