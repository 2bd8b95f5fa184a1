package io.weir.broker.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Producer state of one partition: for each producer id, its epoch, the sequence numbers and offsets
 * of its last five batches (kafka-clients keeps at most five requests in flight per partition, so a
 * retried batch is always among them), and its open transaction, if any.
 *
 * <p>Idempotence rules, as Kafka applies them: a batch repeating one of the cached batches (same epoch,
 * same first and last sequence) is a duplicate, answered with its original offsets and not written
 * again; an older epoch is fenced ({@link InvalidProducerEpochException}); a newer epoch must start at
 * sequence 0; otherwise the batch must continue the last sequence exactly
 * ({@link OutOfOrderSequenceException}). A producer the partition has no state for (new, or its
 * batches aged out) is accepted at any sequence.
 *
 * <p>Transactions: a producer's first transactional batch opens its transaction at that batch's
 * offset; a COMMIT or ABORT marker closes it. A closed transaction stays "unreplicated" until the high
 * watermark passes its marker. The first unstable offset is the smallest first offset among open and
 * unreplicated transactions; the last stable offset (LSO) is the smaller of it and the high watermark.
 * Markers are fenced by producer epoch and by coordinator epoch
 * ({@link TransactionCoordinatorFencedException}), so a deposed coordinator cannot complete a
 * transaction its successor decided.
 *
 * <p>Pure state, rebuilt when the log is loaded or truncated from its newest usable snapshot
 * ({@link #image}, {@link #restore}) and the batches after it. The producer
 * map is guarded by the partition's append lock; the transaction bookkeeping that readers query
 * ({@link #firstUnstableOffset}) is also guarded by this object's monitor.
 */
final class ProducerStateManager {
    static final int CACHED_BATCHES = 5;

    /** A batch a producer wrote. */
    record BatchMetadata(int firstSequence, int lastSequence, long firstOffset, long lastOffset) {
    }

    /** A producer as DescribeProducers shows it. */
    record ProducerSnapshot(long producerId, short epoch, int lastSequence, long lastTimestamp, int coordinatorEpoch,
                            long currentTxnStartOffset) {
    }

    private static final class ProducerEntry {
        short epoch;
        int coordinatorEpoch = -1;
        long lastTimestamp = RecordBatch.NO_TIMESTAMP;
        /** First offset of the open transaction, or -1. */
        long currentTxnFirstOffset = -1;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(CACHED_BATCHES);
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** Open transactions: first offset → producer id. Guarded by this. */
    private final TreeMap<Long, Long> ongoing = new TreeMap<>();
    /** Closed transactions whose marker may still be above the high watermark: marker offset → first offset. Guarded by this. */
    private final TreeMap<Long, Long> unreplicated = new TreeMap<>();

    static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    /**
     * Checks a batch about to be appended.
     *
     * @return the original batch when this one is a duplicate of it, else null
     * @throws InvalidProducerEpochException when the epoch is older than the producer's current one
     * @throws OutOfOrderSequenceException   when the sequence does not continue the producer's last batch
     */
    BatchMetadata check(long producerId, short epoch, int firstSequence, int lastSequence, String context) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return null;
        }
        checkEpoch(entry, producerId, epoch, context);
        if (epoch > entry.epoch) {
            if (firstSequence != 0) {
                throw new OutOfOrderSequenceException(context + ": producer " + producerId + " starts epoch " + epoch
                        + " at sequence " + firstSequence + ", expected 0");
            }
            return null;
        }
        for (BatchMetadata b : entry.batches) {
            if (b.firstSequence() == firstSequence && b.lastSequence() == lastSequence) {
                return b;
            }
        }
        BatchMetadata last = entry.batches.peekLast();
        if (last != null && firstSequence != incrementSequence(last.lastSequence(), 1)) {
            throw new OutOfOrderSequenceException(context + ": producer " + producerId + " epoch " + epoch
                    + " sent sequence " + firstSequence + ", expected " + incrementSequence(last.lastSequence(), 1));
        }
        return null;
    }

    /**
     * Checks a batch a coordinator writes for a producer (transactional offsets): only the epoch.
     *
     * @throws InvalidProducerEpochException when the epoch is older than the producer's current one
     */
    void checkEpoch(long producerId, short epoch, String context) {
        ProducerEntry entry = producers.get(producerId);
        if (entry != null) {
            checkEpoch(entry, producerId, epoch, context);
        }
    }

    private static void checkEpoch(ProducerEntry entry, long producerId, short epoch, String context) {
        if (epoch < entry.epoch) {
            throw new InvalidProducerEpochException(context + ": producer " + producerId + " epoch " + epoch
                    + " is older than its current epoch " + entry.epoch);
        }
    }

    /**
     * Checks a transaction marker about to be appended.
     *
     * @throws InvalidProducerEpochException         when the marker's epoch is older than the producer's
     * @throws TransactionCoordinatorFencedException when the marker comes from an older coordinator
     */
    void checkMarker(long producerId, short epoch, int coordinatorEpoch, String context) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return;
        }
        checkEpoch(entry, producerId, epoch, context);
        if (coordinatorEpoch < entry.coordinatorEpoch) {
            throw new TransactionCoordinatorFencedException(context + ": marker for producer " + producerId
                    + " from coordinator epoch " + coordinatorEpoch + ", older than " + entry.coordinatorEpoch);
        }
    }

    /** Records an appended batch of an idempotent (non-transactional) producer. */
    void update(long producerId, short epoch, int firstSequence, int lastSequence, long firstOffset, long lastOffset) {
        update(producerId, epoch, firstSequence, lastSequence, firstOffset, lastOffset, false, true, RecordBatch.NO_TIMESTAMP);
    }

    /**
     * Records an appended data batch.
     *
     * @param trackSequence whether the batch's sequence numbers count (false for a coordinator's writes)
     */
    void update(long producerId, short epoch, int firstSequence, int lastSequence, long firstOffset, long lastOffset,
                boolean transactional, boolean trackSequence, long maxTimestamp) {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry());
        bumpEpoch(entry, epoch);
        entry.lastTimestamp = Math.max(entry.lastTimestamp, maxTimestamp);
        if (trackSequence && firstSequence != RecordBatch.NO_SEQUENCE) {
            if (entry.batches.size() == CACHED_BATCHES) {
                entry.batches.removeFirst();
            }
            entry.batches.addLast(new BatchMetadata(firstSequence, lastSequence, firstOffset, lastOffset));
        }
        if (transactional && entry.currentTxnFirstOffset < 0) {
            entry.currentTxnFirstOffset = firstOffset;
            synchronized (this) {
                ongoing.put(firstOffset, producerId);
            }
        }
    }

    private static void bumpEpoch(ProducerEntry entry, short epoch) {
        if (epoch != entry.epoch) {
            entry.epoch = epoch;
            entry.batches.clear();
        }
    }

    /**
     * Records an appended COMMIT or ABORT marker: the producer's transaction (if it wrote to this
     * partition) is closed.
     *
     * @return the aborted transaction to index, or null (a commit, or no transaction was open)
     */
    AbortedTxn completeTxn(long producerId, short epoch, int coordinatorEpoch, long markerOffset, boolean abort) {
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry());
        bumpEpoch(entry, epoch);
        entry.coordinatorEpoch = Math.max(entry.coordinatorEpoch, coordinatorEpoch);
        long first = entry.currentTxnFirstOffset;
        if (first < 0) {
            return null;
        }
        entry.currentTxnFirstOffset = -1;
        synchronized (this) {
            ongoing.remove(first);
            unreplicated.put(markerOffset, first);
            if (!abort) {
                return null;
            }
            long lastStable = ongoing.isEmpty() ? markerOffset + 1 : ongoing.firstKey();
            return new AbortedTxn(producerId, first, markerOffset, lastStable);
        }
    }

    /**
     * The smallest first offset of a transaction that is open, or closed by a marker at or above
     * {@code highWatermark}; {@code Long.MAX_VALUE} when there is none. Closed transactions whose
     * markers lie below {@code highWatermark} are forgotten.
     */
    synchronized long firstUnstableOffset(long highWatermark) {
        unreplicated.headMap(highWatermark).clear();
        long first = ongoing.isEmpty() ? Long.MAX_VALUE : ongoing.firstKey();
        for (long f : unreplicated.values()) {
            first = Math.min(first, f);
        }
        return first;
    }

    /** The producers with state here (DescribeProducers). */
    List<ProducerSnapshot> snapshot() {
        List<ProducerSnapshot> out = new ArrayList<>();
        producers.forEach((id, e) -> out.add(new ProducerSnapshot(id, e.epoch,
                e.batches.isEmpty() ? -1 : e.batches.peekLast().lastSequence(), e.lastTimestamp, e.coordinatorEpoch,
                e.currentTxnFirstOffset)));
        return out;
    }

    /** Producer id → offset of its last data batch, for producers that wrote one. */
    Map<Long, Long> lastDataOffsets() {
        Map<Long, Long> out = new HashMap<>();
        producers.forEach((id, e) -> {
            if (!e.batches.isEmpty()) {
                out.put(id, e.batches.peekLast().lastOffset());
            }
        });
        return out;
    }

    /** The state as it stands, covering every batch below {@code logEndOffset} (for a snapshot file). */
    ProducerStateImage image(long logEndOffset) {
        List<ProducerStateImage.Producer> out = new ArrayList<>(producers.size());
        producers.forEach((id, e) -> out.add(new ProducerStateImage.Producer(id, e.epoch, e.coordinatorEpoch,
                e.lastTimestamp, e.currentTxnFirstOffset, List.copyOf(e.batches))));
        synchronized (this) {
            return new ProducerStateImage(logEndOffset, out, unreplicated);
        }
    }

    /** Replaces the state by {@code image} (loaded from a snapshot file). */
    void restore(ProducerStateImage image) {
        clear();
        for (ProducerStateImage.Producer p : image.producers()) {
            ProducerEntry entry = new ProducerEntry();
            entry.epoch = p.epoch();
            entry.coordinatorEpoch = p.coordinatorEpoch();
            entry.lastTimestamp = p.lastTimestamp();
            entry.currentTxnFirstOffset = p.currentTxnFirstOffset();
            entry.batches.addAll(p.batches());
            producers.put(p.producerId(), entry);
        }
        synchronized (this) {
            for (ProducerStateImage.Producer p : image.producers()) {
                if (p.currentTxnFirstOffset() >= 0) {
                    ongoing.put(p.currentTxnFirstOffset(), p.producerId());
                }
            }
            unreplicated.putAll(image.unreplicated());
        }
    }

    /**
     * Forgets the producers without an open transaction whose last batch is older than
     * {@code expirationMs} ({@code producer.id.expiration.ms}), as Kafka does: a batch they retry
     * afterwards is accepted at any sequence, as from a producer never seen.
     *
     * @return the producer ids forgotten
     */
    List<Long> removeExpired(long now, long expirationMs) {
        List<Long> expired = new ArrayList<>();
        producers.entrySet().removeIf(e -> {
            ProducerEntry p = e.getValue();
            boolean gone = p.currentTxnFirstOffset < 0 && now - p.lastTimestamp >= expirationMs;
            if (gone) {
                expired.add(e.getKey());
            }
            return gone;
        });
        return expired;
    }

    void clear() {
        producers.clear();
        synchronized (this) {
            ongoing.clear();
            unreplicated.clear();
        }
    }
}
