package io.weir.broker.share;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.log.PartitionLog;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A share-partition on the leader of its data partition: the {@link SharePartitionState} plus its
 * durable copy. Every change of the durable form is written through the {@link SharePersister};
 * writes are serialized and coalesced (while one is in flight, later changes wait and go together
 * in the next one: a group commit).
 *
 * <p>Thread-safe: all methods synchronize on this object, including the log read of a fetch, so the
 * records returned always cover every offset acquired.
 */
public final class SharePartition {
    private final ShareKey key;
    private final SharePartitionState state;
    private final SharePersister persister;
    private final int leaderEpoch;
    private CompletableFuture<Void> writing;
    private CompletableFuture<Void> queued;
    /** Whether a caller of the queued write waits for it to be durable (any one of them does). */
    private boolean queuedDurable;
    private volatile boolean fenced;

    /**
     * Records read from the log and the offsets acquired among them; {@code archived} says whether offsets that
     * may never be delivered (see {@link Undeliverable}) were archived on the way, a change to write.
     */
    public record Fetched(MemoryRecords records, List<AcquiredRange> acquired, boolean archived) {
        static final Fetched NOTHING = new Fetched(MemoryRecords.EMPTY, List.of(), false);

        public boolean isEmpty() {
            return acquired.isEmpty();
        }
    }

    SharePartition(ShareKey key, SharePartitionState state, SharePersister persister, int leaderEpoch) {
        this.key = key;
        this.state = state;
        this.persister = persister;
        this.leaderEpoch = leaderEpoch;
    }

    public ShareKey key() {
        return key;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Whether a write was refused because the persisted state was reset since it was loaded. */
    public boolean fenced() {
        return fenced;
    }

    public synchronized int stateEpoch() {
        return state.stateEpoch();
    }

    /**
     * Reads from the first acquirable offset and acquires up to {@code maxRecords} of the records read
     * (up to {@code maxBytes}, at least one batch) for {@code member}.
     */
    public synchronized Fetched fetch(String member, PartitionLog log, LogOffsetMetadata highWatermark, int maxRecords, int maxBytes,
                                      long lockMs, long now) {
        return fetch(member, log, highWatermark, maxRecords, maxBytes, lockMs, now, null);
    }

    /**
     * As {@link #fetch(String, PartitionLog, LogOffsetMetadata, int, int, long, long)}, acquiring only
     * the records {@code filter} matches (all when null): the others stay available to other members
     * without a delivery. Reads uncommitted records.
     */
    public synchronized Fetched fetch(String member, PartitionLog log, LogOffsetMetadata highWatermark, int maxRecords, int maxBytes,
                                      long lockMs, long now, RecordFilter filter) {
        return fetch(member, log, highWatermark, maxRecords, maxBytes, lockMs, now, filter, false);
    }

    /**
     * Reads from the first acquirable offset up to {@code bound} and acquires up to {@code maxRecords} of the
     * records read for {@code member} (those {@code filter} matches, all when null). Control batches are
     * archived, never acquired. With {@code readCommitted} ({@code share.isolation.level=read_committed}) the
     * caller bounds the read by the last stable offset, and the batches of aborted transactions are archived
     * too: no member ever gets them.
     *
     * @param bound the high watermark, or for read_committed the last stable offset
     */
    public synchronized Fetched fetch(String member, PartitionLog log, LogOffsetMetadata bound, int maxRecords, int maxBytes,
                                      long lockMs, long now, RecordFilter filter, boolean readCommitted) {
        state.advanceStartTo(log.logStartOffset());
        long first = firstAcquirable(bound.offset(), now);
        if (first < 0 || maxRecords <= 0) {
            return Fetched.NOTHING;
        }
        // without a filter every available record read is acquirable: read about what maxRecords can take, not the
        // whole MaxBytes (50 MiB by default: the rest of the log, copied on every fetch); a filter may leave most of a
        // read unmatched, so it reads all it may
        int readBytes = filter == null ? (int) Math.min(Math.max(1, maxBytes), readLimit(maxRecords)) : Math.max(1, maxBytes);
        FetchDataInfo info = log.read(first, readBytes, bound, true);
        if (info.isEmpty()) {
            return Fetched.NOTHING;
        }
        MemoryRecords records = MemoryRecords.readableRecords(info.records().readAll());
        long end = first;
        for (RecordBatch b : records.batches()) {
            end = Math.max(end, b.lastOffset() + 1);
        }
        end = Math.min(end, bound.offset());
        Undeliverable undeliverable = Undeliverable.of(records, readCommitted ? log.collectAbortedTransactions(first, end) : null);
        java.util.function.LongPredicate eligible = filter == null ? o -> true : unmatched(records, filter);
        long archivedBefore = state.undeliverableArchived();
        List<AcquiredRange> acquired = state.acquire(member, maxRecords, end, lockMs, now, eligible, undeliverable);
        boolean archived = state.undeliverableArchived() != archivedBefore;
        return new Fetched(acquired.isEmpty() ? MemoryRecords.EMPTY : covering(records, acquired), acquired, archived);
    }

    /** How many bytes a fetch of {@code maxRecords} reads at most: room for that many records of 4 KiB, 64 KiB to 8 MiB. */
    static long readLimit(int maxRecords) {
        return Math.max(READ_MIN_BYTES, Math.min(READ_MAX_BYTES, (long) maxRecords * 4096));
    }

    private static final long READ_MIN_BYTES = 64 * 1024;
    private static final long READ_MAX_BYTES = 8 * 1024 * 1024;

    /**
     * The batches of {@code records} from the one holding the first acquired offset to the one holding the last: a
     * share consumer ignores the records of a batch it did not acquire, so the rest of the read is not sent.
     */
    static MemoryRecords covering(MemoryRecords records, List<AcquiredRange> acquired) {
        long firstAcquired = acquired.get(0).first();
        long lastAcquired = acquired.get(acquired.size() - 1).last();
        int position = 0;
        int start = -1;
        int end = 0;
        for (RecordBatch b : records.batches()) {
            int size = b.sizeInBytes();
            if (b.lastOffset() >= firstAcquired && b.baseOffset() <= lastAcquired) {
                if (start < 0) {
                    start = position;
                }
                end = position + size;
            } else if (b.baseOffset() > lastAcquired) {
                break;
            }
            position += size;
        }
        if (start < 0 || start == 0 && end == records.sizeInBytes()) {
            return records;
        }
        java.nio.ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + end).position(buffer.position() + start);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    /** The offsets of the records read that {@code filter} does not match, as a predicate of eligibility. */
    private static java.util.function.LongPredicate unmatched(MemoryRecords records, RecordFilter filter) {
        java.util.Set<Long> rejected = new java.util.HashSet<>();
        for (RecordBatch b : records.batches()) {
            if (b.isControlBatch()) {
                continue;
            }
            for (org.apache.kafka.common.record.internal.Record r : b) {
                if (!filter.matches(r.headers())) {
                    rejected.add(r.offset());
                }
            }
        }
        return o -> !rejected.contains(o);
    }

    private long firstAcquirable(long highWatermark, long now) {
        return state.hasAcquirable(highWatermark, now) ? state.firstAvailable(highWatermark) : -1;
    }

    public synchronized boolean hasAcquirable(long highWatermark, long now) {
        return state.hasAcquirable(highWatermark, now);
    }

    /** Applies one acknowledgement batch. */
    public synchronized SharePartitionState.AckResult acknowledge(String member, long first, long last, AckType type, long lockMs,
                                                                  long now) {
        return state.acknowledge(member, first, last, type, lockMs, now);
    }

    /** Whether offsets {@code first..last} are all acquired by {@code member}. */
    public synchronized SharePartitionState.AckResult checkAcquired(String member, long first, long last) {
        return state.checkAcquired(member, first, last);
    }

    /**
     * Accepts offsets of {@code member} inside a transaction (see {@link SharePartitionState#acceptInTransaction}),
     * then looks in {@code log} from {@code scanFrom} (its log end before the partition joined the transaction) for a
     * marker that already ended the transaction meanwhile (a timeout abort), so that none is missed.
     *
     * @param markerFrom the log end offset once the partition had joined the transaction
     */
    public synchronized SharePartitionState.AckResult acceptInTransaction(String member, long first, long last, long producerId,
                                                                          short producerEpoch, long markerFrom, PartitionLog log,
                                                                          long scanFrom) {
        SharePartitionState.AckResult r = state.acceptInTransaction(member, first, last, producerId, producerEpoch, markerFrom);
        if (r == SharePartitionState.AckResult.OK) {
            try {
                TxnMarkerScan.scan(log, scanFrom, state::completeTransaction);
            } catch (RuntimeException e) {
                // the acknowledgement stays pending: the marker's notification, or the next load's scan, ends it
                org.slf4j.LoggerFactory.getLogger(SharePartition.class).warn("Share-partition {}: the log from offset {} could not be "
                        + "scanned for transaction markers: {}", key, scanFrom, e.toString());
            }
        }
        return r;
    }

    /** A marker written on the data partition (see {@link SharePartitionState#completeTransaction}). */
    public synchronized int completeTransaction(long producerId, short producerEpoch, long markerOffset, boolean commit) {
        return state.completeTransaction(producerId, producerEpoch, markerOffset, commit);
    }

    /**
     * Resolves the pending acknowledgements whose markers are already in {@code log} (this broker became leader
     * after they were written).
     *
     * @return whether something changed
     */
    public synchronized boolean resolveFromLog(PartitionLog log) {
        long from = state.pendingMarkerFrom();
        if (from < 0) {
            return false;
        }
        int[] changed = {0};
        try {
            TxnMarkerScan.scan(log, from, (pid, epoch, offset, commit) -> changed[0] += state.completeTransaction(pid, epoch, offset, commit));
        } catch (RuntimeException e) {
            // what was resolved stays resolved; the rest waits for its marker's notification or the next load
            org.slf4j.LoggerFactory.getLogger(SharePartition.class).warn("Share-partition {}: the log from offset {} could not be "
                    + "scanned for transaction markers: {}", key, from, e.toString());
        }
        return changed[0] > 0;
    }

    /** Whether {@code member} holds acquired records here whose locks have not expired. */
    public synchronized boolean holds(String member, long now) {
        return state.holds(member, now);
    }

    /** Releases what {@code member} holds (see {@link SharePartitionState#releaseMember}). */
    public synchronized int releaseMember(String member, boolean closedSession) {
        return state.releaseMember(member, closedSession);
    }

    /** Releases expired locks. */
    public synchronized int expireLocks(long now) {
        return state.expireLocks(now);
    }

    /** Starts again at {@code offset} (offsets altered by an administrator). */
    public synchronized void reset(long offset) {
        state.reset(offset);
    }

    public synchronized long startOffset() {
        return state.startOffset();
    }

    public synchronized long endOffset() {
        return state.endOffset();
    }

    public synchronized int inFlightCount() {
        return state.inFlightCount();
    }

    /** Writes the current state durably; changes made while a write is in flight are written together after it. */
    public CompletableFuture<Void> persist() {
        return persist(true);
    }

    /**
     * Writes the current state for nobody waiting on it: the delivery counts of an acquisition, a release by an expired
     * lock or a closed session. The write asks for no fsync of its own (see {@link ShareStateAppender}); the next
     * durable one covers it. Merged with a durable write queued meanwhile, it is durable.
     */
    public CompletableFuture<Void> persistInBackground() {
        return persist(false);
    }

    private CompletableFuture<Void> persist(boolean durable) {
        CompletableFuture<Void> done;
        ShareSnapshot snapshot;
        synchronized (this) {
            if (writing != null) {
                if (queued == null) {
                    queued = new CompletableFuture<>();
                }
                queuedDurable |= durable;
                return queued;
            }
            done = new CompletableFuture<>();
            writing = done;
            snapshot = state.snapshot();
        }
        write(done, snapshot, durable);
        return done;
    }

    /**
     * Hands {@code snapshot} to the persister outside this share-partition's monitor (its append to the state log
     * need not hold up the fetches and acknowledgements of the share-partition); one write at a time, so the states
     * reach the store in the order they were taken.
     */
    private void write(CompletableFuture<Void> done, ShareSnapshot snapshot, boolean durable) {
        CompletableFuture<Void> w;
        try {
            w = persister.write(key, leaderEpoch, snapshot, durable);
        } catch (RuntimeException e) {
            w = CompletableFuture.failedFuture(e);
        }
        w.whenComplete((v, e) -> afterWrite(done, e));
    }

    private void afterWrite(CompletableFuture<Void> done, Throwable error) {
        CompletableFuture<Void> next;
        ShareSnapshot nextSnapshot = null;
        boolean nextDurable;
        synchronized (this) {
            writing = null;
            next = queued;
            nextDurable = queuedDurable;
            queued = null;
            queuedDurable = false;
            if (next != null) {
                writing = next;
                nextSnapshot = state.snapshot();
            }
        }
        if (next != null) {
            write(next, nextSnapshot, nextDurable);
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof org.apache.kafka.common.errors.FencedStateEpochException) {
            fenced = true; // reset by an administrator: the manager loads the new state on next use
        }
        // completed outside the lock: callers' continuations never run while holding it
        if (error != null) {
            done.completeExceptionally(error);
        } else {
            done.complete(null);
        }
    }
}
