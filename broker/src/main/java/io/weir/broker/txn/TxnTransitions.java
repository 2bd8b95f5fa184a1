package io.weir.broker.txn;

import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The transaction coordinator's decisions, as pure functions of a transactional id's current state and
 * a request (protocol: KIP-98 with the KIP-360 epoch bump, "transaction version 1": the producer adds
 * partitions explicitly and keeps its epoch across transactions). Each returns a {@link Decision}:
 * what to write to {@code __transaction_state} (if anything) and what to answer; the coordinator does
 * the I/O. No state, no clock: {@code now} is an argument.
 */
final class TxnTransitions {
    private TxnTransitions() {
    }

    /**
     * What to do.
     *
     * @param error   the answer's error (NONE: success)
     * @param toWrite the state to persist before answering, or null
     * @param answer  the state whose producer id and epoch the answer carries (the written one when
     *                {@code toWrite} is set), or null
     */
    record Decision(Errors error, TxnRecord toWrite, TxnRecord answer) {
        static Decision fail(Errors error) {
            return new Decision(error, null, null);
        }

        static Decision reply(TxnRecord current) {
            return new Decision(Errors.NONE, null, current);
        }

        static Decision write(TxnRecord next) {
            return new Decision(Errors.NONE, next, next);
        }
    }

    /**
     * InitProducerId with a transactional id.
     *
     * @param current      the id's state, or null when it is new
     * @param pending      a write for this id is in flight
     * @param requestPid   the producer's current id when it asks for an epoch bump (KIP-360), else -1
     * @param requestEpoch its current epoch then, else -1
     * @param newProducerId allocates a producer id (for a new id, or when the epoch is exhausted)
     */
    static Decision initProducerId(TxnRecord current, boolean pending, String transactionalId, int timeoutMs,
                                   long requestPid, short requestEpoch, long now, LongSupplier newProducerId) {
        if (current == null) {
            if (requestPid != RecordBatch.NO_PRODUCER_ID) {
                return Decision.fail(Errors.INVALID_PRODUCER_ID_MAPPING);
            }
            return Decision.write(TxnRecord.initial(transactionalId, newProducerId.getAsLong(), timeoutMs, now));
        }
        if (pending) {
            return Decision.fail(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (requestPid != RecordBatch.NO_PRODUCER_ID) {
            if (requestPid != current.producerId()) {
                return Decision.fail(Errors.PRODUCER_FENCED);
            }
            if (requestEpoch != current.producerEpoch()) {
                if (requestEpoch == current.lastProducerEpoch() && current.state() == TransactionState.EMPTY) {
                    return Decision.reply(current); // a retry of a bump that succeeded
                }
                return Decision.fail(Errors.PRODUCER_FENCED);
            }
        }
        switch (current.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT -> {
                return Decision.fail(Errors.CONCURRENT_TRANSACTIONS);
            }
            case ONGOING -> {
                // a new instance (or the same after an error) fences the transaction of the previous epoch;
                // the producer retries once the abort markers are written
                return new Decision(Errors.CONCURRENT_TRANSACTIONS, current.fencedAbort(now), null);
            }
            default -> {
                long fresh = current.canBumpEpoch() ? current.producerId() : newProducerId.getAsLong();
                return Decision.write(current.bumped(fresh, timeoutMs, now));
            }
        }
    }

    /** AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition). */
    static Decision addPartitions(TxnRecord current, boolean pending, long producerId, short producerEpoch,
                                  Set<TopicPartition> partitions, long now) {
        Errors error = checkProducer(current, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return Decision.fail(error);
        }
        if (pending || current.state().isPrepare()) {
            return Decision.fail(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (current.state() == TransactionState.ONGOING && current.partitions().containsAll(partitions)) {
            return Decision.reply(current);
        }
        return Decision.write(current.withPartitionsAdded(partitions, now));
    }

    /** EndTxn: the producer commits or aborts its transaction. */
    static Decision endTxn(TxnRecord current, boolean pending, long producerId, short producerEpoch, boolean commit, long now) {
        Errors error = checkProducer(current, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return Decision.fail(error);
        }
        if (pending) {
            return Decision.fail(Errors.CONCURRENT_TRANSACTIONS);
        }
        TransactionState wanted = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
        TransactionState preparing = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
        return switch (current.state()) {
            case ONGOING -> Decision.write(current.withState(preparing, now));
            case COMPLETE_COMMIT, COMPLETE_ABORT -> current.state() == wanted
                    ? Decision.reply(current) : Decision.fail(Errors.INVALID_TXN_STATE); // a retry of a completed EndTxn
            case PREPARE_COMMIT, PREPARE_ABORT -> current.state() == preparing
                    ? Decision.fail(Errors.CONCURRENT_TRANSACTIONS) : Decision.fail(Errors.INVALID_TXN_STATE);
            case EMPTY -> Decision.fail(Errors.INVALID_TXN_STATE);
        };
    }

    /** Markers are written: the prepared transaction completes (null when the state is not a prepare). */
    static TxnRecord complete(TxnRecord current, long now) {
        return switch (current.state()) {
            case PREPARE_COMMIT -> current.completed(TransactionState.COMPLETE_COMMIT, now);
            case PREPARE_ABORT -> current.completed(TransactionState.COMPLETE_ABORT, now);
            default -> null;
        };
    }

    /** The fenced abort of a transaction open longer than its timeout, or null when it has not timed out. */
    static TxnRecord timeout(TxnRecord current, boolean pending, long now) {
        if (pending || current.state() != TransactionState.ONGOING || current.startTimestamp() < 0
                || now - current.startTimestamp() <= current.timeoutMs()) {
            return null;
        }
        return current.fencedAbort(now);
    }

    private static Errors checkProducer(TxnRecord current, long producerId, short producerEpoch) {
        if (current == null || current.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (producerEpoch != current.producerEpoch()) {
            return Errors.PRODUCER_FENCED;
        }
        return Errors.NONE;
    }
}
