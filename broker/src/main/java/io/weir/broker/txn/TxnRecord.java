package io.weir.broker.txn;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The state of one transactional id: what {@code __transaction_state} stores, and what the coordinator
 * holds in memory once the write is acknowledged. Immutable.
 *
 * @param producerId        the id the producer writes with
 * @param producerEpoch     its current epoch (older epochs are fenced)
 * @param lastProducerEpoch the epoch before the last bump, or -1 (a retried InitProducerId is recognised by it)
 * @param timeoutMs         {@code transaction.timeout.ms} of the producer
 * @param partitions        the partitions of the current transaction
 * @param startTimestamp    when the current transaction began, or -1
 * @param lastUpdateTimestamp when this state was written
 * @param twoPhase          the producer takes part in two-phase commit (KIP-939): its transactions never time
 *                          out, and a new instance may keep a prepared (Ongoing) transaction instead of aborting it
 */
public record TxnRecord(String transactionalId, long producerId, short producerEpoch, short lastProducerEpoch,
                        int timeoutMs, TransactionState state, Set<TopicPartition> partitions, long startTimestamp,
                        long lastUpdateTimestamp, boolean twoPhase) {

    public TxnRecord {
        partitions = Set.copyOf(partitions);
    }

    /** A state of a producer without two-phase commit. */
    public TxnRecord(String transactionalId, long producerId, short producerEpoch, short lastProducerEpoch, int timeoutMs,
                     TransactionState state, Set<TopicPartition> partitions, long startTimestamp, long lastUpdateTimestamp) {
        this(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs, state, partitions, startTimestamp,
                lastUpdateTimestamp, false);
    }

    /** A new transactional id's first state. */
    static TxnRecord initial(String transactionalId, long producerId, int timeoutMs, long now, boolean twoPhase) {
        return new TxnRecord(transactionalId, producerId, (short) 0, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs,
                TransactionState.EMPTY, Set.of(), -1, now, twoPhase);
    }

    TxnRecord withState(TransactionState next, long now) {
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs, next, partitions,
                startTimestamp, now, twoPhase);
    }

    TxnRecord withPartitionsAdded(Set<TopicPartition> added, long now) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        long start = state == TransactionState.ONGOING ? startTimestamp : now;
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs,
                TransactionState.ONGOING, all, start, now, twoPhase);
    }

    /** The transaction is over: no partitions. */
    TxnRecord completed(TransactionState next, long now) {
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs, next, Set.of(),
                startTimestamp, now, twoPhase);
    }

    /** A new epoch (or a new producer id at epoch 0 when the epoch is exhausted), in state EMPTY. */
    TxnRecord bumped(long newProducerIdIfExhausted, int newTimeoutMs, long now, boolean newTwoPhase) {
        if (canBumpEpoch()) {
            return new TxnRecord(transactionalId, producerId, (short) (producerEpoch + 1), producerEpoch, newTimeoutMs,
                    TransactionState.EMPTY, Set.of(), -1, now, newTwoPhase);
        }
        return new TxnRecord(transactionalId, newProducerIdIfExhausted, (short) 0, RecordBatch.NO_PRODUCER_EPOCH,
                newTimeoutMs, TransactionState.EMPTY, Set.of(), -1, now, newTwoPhase);
    }

    /**
     * A new instance keeps the prepared transaction (two-phase commit recovery): the epoch is bumped (the
     * previous instance is fenced) and the transaction stays Ongoing with its partitions, to be committed
     * or aborted by the new instance.
     */
    TxnRecord keptWithBumpedEpoch(long now) {
        return new TxnRecord(transactionalId, producerId, (short) (producerEpoch + 1), producerEpoch, timeoutMs,
                TransactionState.ONGOING, partitions, startTimestamp, now, true);
    }

    /** The epoch bumped and the transaction aborting: how a zombie is fenced and a timed-out transaction ends. */
    TxnRecord fencedAbort(long now) {
        short epoch = canBumpEpoch() ? (short) (producerEpoch + 1) : producerEpoch;
        return new TxnRecord(transactionalId, producerId, epoch, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs,
                TransactionState.PREPARE_ABORT, partitions, startTimestamp, now, twoPhase);
    }

    boolean canBumpEpoch() {
        return producerEpoch < Short.MAX_VALUE - 1;
    }
}
