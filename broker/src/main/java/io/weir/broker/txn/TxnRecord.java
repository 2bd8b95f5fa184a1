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
 */
public record TxnRecord(String transactionalId, long producerId, short producerEpoch, short lastProducerEpoch,
                        int timeoutMs, TransactionState state, Set<TopicPartition> partitions, long startTimestamp,
                        long lastUpdateTimestamp) {

    public TxnRecord {
        partitions = Set.copyOf(partitions);
    }

    /** A new transactional id's first state. */
    static TxnRecord initial(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TxnRecord(transactionalId, producerId, (short) 0, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs,
                TransactionState.EMPTY, Set.of(), -1, now);
    }

    TxnRecord withState(TransactionState next, long now) {
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs, next, partitions,
                startTimestamp, now);
    }

    TxnRecord withPartitionsAdded(Set<TopicPartition> added, long now) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        long start = state == TransactionState.ONGOING ? startTimestamp : now;
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs,
                TransactionState.ONGOING, all, start, now);
    }

    /** The transaction is over: no partitions. */
    TxnRecord completed(TransactionState next, long now) {
        return new TxnRecord(transactionalId, producerId, producerEpoch, lastProducerEpoch, timeoutMs, next, Set.of(),
                startTimestamp, now);
    }

    /** A new epoch (or a new producer id at epoch 0 when the epoch is exhausted), in state EMPTY. */
    TxnRecord bumped(long newProducerIdIfExhausted, int newTimeoutMs, long now) {
        if (canBumpEpoch()) {
            return new TxnRecord(transactionalId, producerId, (short) (producerEpoch + 1), producerEpoch, newTimeoutMs,
                    TransactionState.EMPTY, Set.of(), -1, now);
        }
        return new TxnRecord(transactionalId, newProducerIdIfExhausted, (short) 0, RecordBatch.NO_PRODUCER_EPOCH,
                newTimeoutMs, TransactionState.EMPTY, Set.of(), -1, now);
    }

    /** The epoch bumped and the transaction aborting: how a zombie is fenced and a timed-out transaction ends. */
    TxnRecord fencedAbort(long now) {
        short epoch = canBumpEpoch() ? (short) (producerEpoch + 1) : producerEpoch;
        return new TxnRecord(transactionalId, producerId, epoch, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs,
                TransactionState.PREPARE_ABORT, partitions, startTimestamp, now);
    }

    boolean canBumpEpoch() {
        return producerEpoch < Short.MAX_VALUE - 1;
    }
}
