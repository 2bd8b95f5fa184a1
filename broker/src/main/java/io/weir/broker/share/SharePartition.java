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

    /** Records read from the log and the offsets acquired among them. */
    public record Fetched(MemoryRecords records, List<AcquiredRange> acquired) {
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

    /**
     * Reads from the first acquirable offset and acquires up to {@code maxRecords} of the records read
     * (up to {@code maxBytes}, at least one batch) for {@code member}.
     */
    public synchronized Fetched fetch(String member, PartitionLog log, LogOffsetMetadata highWatermark, int maxRecords, int maxBytes,
                                      long lockMs, long now) {
        state.advanceStartTo(log.logStartOffset());
        long first = firstAcquirable(highWatermark.offset(), now);
        if (first < 0 || maxRecords <= 0) {
            return new Fetched(MemoryRecords.EMPTY, List.of());
        }
        FetchDataInfo info = log.read(first, Math.max(1, maxBytes), highWatermark, true);
        if (info.isEmpty()) {
            return new Fetched(MemoryRecords.EMPTY, List.of());
        }
        MemoryRecords records = MemoryRecords.readableRecords(info.records().readAll());
        long bound = first;
        for (RecordBatch b : records.batches()) {
            bound = Math.max(bound, b.lastOffset() + 1);
        }
        List<AcquiredRange> acquired = state.acquire(member, maxRecords, Math.min(bound, highWatermark.offset()), lockMs, now);
        return new Fetched(acquired.isEmpty() ? MemoryRecords.EMPTY : records, acquired);
    }

    private long firstAcquirable(long highWatermark, long now) {
        if (!state.hasAcquirable(highWatermark, now)) {
            return -1;
        }
        for (long o = state.startOffset(); o < state.endOffset() && o < highWatermark; o++) {
            if (state.stateOf(o) == DeliveryState.AVAILABLE) {
                return o;
            }
        }
        return state.endOffset() < highWatermark ? state.endOffset() : -1;
    }

    public synchronized boolean hasAcquirable(long highWatermark, long now) {
        return state.hasAcquirable(highWatermark, now);
    }

    /** Applies one acknowledgement batch. */
    public synchronized SharePartitionState.AckResult acknowledge(String member, long first, long last, AckType type, long lockMs,
                                                                  long now) {
        return state.acknowledge(member, first, last, type, lockMs, now);
    }

    /** Releases what {@code member} holds. */
    public synchronized int releaseMember(String member) {
        return state.releaseMember(member);
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
    public synchronized CompletableFuture<Void> persist() {
        if (writing != null) {
            if (queued == null) {
                queued = new CompletableFuture<>();
            }
            return queued;
        }
        return write();
    }

    private synchronized CompletableFuture<Void> write() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writing = done;
        CompletableFuture<Void> w;
        try {
            w = persister.write(key, leaderEpoch, state.snapshot());
        } catch (RuntimeException e) {
            w = CompletableFuture.failedFuture(e);
        }
        w.whenComplete((v, e) -> afterWrite(done, e));
        return done;
    }

    private void afterWrite(CompletableFuture<Void> done, Throwable error) {
        CompletableFuture<Void> next;
        CompletableFuture<Void> nextWrite = null;
        synchronized (this) {
            writing = null;
            next = queued;
            queued = null;
            if (next != null) {
                nextWrite = write();
            }
        }
        if (nextWrite != null) {
            nextWrite.whenComplete((v, e) -> {
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    next.complete(null);
                }
            });
        }
        // completed outside the lock: callers' continuations never run while holding it
        if (error != null) {
            done.completeExceptionally(error);
        } else {
            done.complete(null);
        }
    }
}
