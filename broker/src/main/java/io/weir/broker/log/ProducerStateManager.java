package io.weir.broker.log;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the sequence
 * numbers and offsets of its last five batches (kafka-clients keeps at most five requests in
 * flight per partition, so a retried batch is always among them).
 *
 * <p>Rules, as Kafka applies them: a batch repeating one of the cached batches (same epoch, same
 * first and last sequence) is a duplicate, answered with its original offsets and not written again;
 * an older epoch is fenced ({@link InvalidProducerEpochException}); a newer epoch must start at
 * sequence 0; otherwise the batch must continue the last sequence exactly
 * ({@link OutOfOrderSequenceException}). A producer the partition has no state for (new, or its
 * batches aged out) is accepted at any sequence.
 *
 * <p>Pure state, rebuilt from the batch headers of the log when it is loaded or truncated. Not
 * thread-safe: guarded by the partition's append lock.
 */
final class ProducerStateManager {
    static final int CACHED_BATCHES = 5;

    /** A batch a producer wrote. */
    record BatchMetadata(int firstSequence, int lastSequence, long firstOffset, long lastOffset) {
    }

    private static final class ProducerEntry {
        short epoch;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(CACHED_BATCHES);
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();

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
        if (epoch < entry.epoch) {
            throw new InvalidProducerEpochException(context + ": producer " + producerId + " epoch " + epoch
                    + " is older than its current epoch " + entry.epoch);
        }
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

    /** Records an appended batch. */
    void update(long producerId, short epoch, int firstSequence, int lastSequence, long firstOffset, long lastOffset) {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry());
        if (epoch != entry.epoch) {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        if (entry.batches.size() == CACHED_BATCHES) {
            entry.batches.removeFirst();
        }
        entry.batches.addLast(new BatchMetadata(firstSequence, lastSequence, firstOffset, lastOffset));
    }

    void clear() {
        producers.clear();
    }
}
