package io.weir.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/** The coordinator's decisions: epochs, fencing, the transaction state machine, timeouts. */
class TxnTransitionsTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static TxnRecord init(TxnRecord current, long now) {
        TxnTransitions.Decision d = TxnTransitions.initProducerId(current, false, "id", 1000, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, now, () -> 77);
        assertThat(d.error()).isEqualTo(Errors.NONE);
        return d.toWrite();
    }

    @Test
    void aNewIdGetsAProducerIdAndEachInitBumpsTheEpoch() {
        TxnRecord first = init(null, 0);
        assertThat(first.producerId()).isEqualTo(77);
        assertThat(first.producerEpoch()).isZero();
        assertThat(first.state()).isEqualTo(TransactionState.EMPTY);
        TxnRecord second = init(first, 1);
        assertThat(second.producerId()).isEqualTo(77);
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(second.lastProducerEpoch()).isZero();
    }

    @Test
    void anExhaustedEpochGetsANewProducerId() {
        TxnRecord old = new TxnRecord("id", 5, (short) (Short.MAX_VALUE - 1), (short) 3, 1000, TransactionState.COMPLETE_COMMIT,
                Set.of(), 0, 0);
        TxnRecord next = init(old, 1);
        assertThat(next.producerId()).isEqualTo(77);
        assertThat(next.producerEpoch()).isZero();
    }

    @Test
    void aTransactionGoesThroughPrepareToComplete() {
        TxnRecord r = init(null, 0);
        TxnTransitions.Decision add = TxnTransitions.addPartitions(r, false, 77, (short) 0, Set.of(P0), 10);
        assertThat(add.toWrite().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(add.toWrite().startTimestamp()).isEqualTo(10);
        r = add.toWrite();
        TxnTransitions.Decision again = TxnTransitions.addPartitions(r, false, 77, (short) 0, Set.of(P0), 11);
        assertThat(again.toWrite()).as("nothing new: no write").isNull();
        r = TxnTransitions.addPartitions(r, false, 77, (short) 0, Set.of(P1), 12).toWrite();
        assertThat(r.partitions()).containsExactlyInAnyOrder(P0, P1);
        assertThat(r.startTimestamp()).isEqualTo(10);
        TxnRecord prepared = TxnTransitions.endTxn(r, false, 77, (short) 0, true, 20).toWrite();
        assertThat(prepared.state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(TxnTransitions.endTxn(prepared, false, 77, (short) 0, true, 21).error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(TxnTransitions.endTxn(prepared, false, 77, (short) 0, false, 21).error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(TxnTransitions.addPartitions(prepared, false, 77, (short) 0, Set.of(P0), 21).error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        TxnRecord complete = TxnTransitions.complete(prepared, 30);
        assertThat(complete.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(complete.partitions()).isEmpty();
        assertThat(TxnTransitions.endTxn(complete, false, 77, (short) 0, true, 31).error()).as("a retried commit")
                .isEqualTo(Errors.NONE);
        assertThat(TxnTransitions.endTxn(complete, false, 77, (short) 0, false, 31).error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(TxnTransitions.endTxn(init(complete, 40), false, 77, (short) 1, true, 41).error())
                .as("nothing to end").isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void staleEpochsAndUnknownProducersAreRefused() {
        TxnRecord r = init(init(null, 0), 1); // epoch 1
        assertThat(TxnTransitions.addPartitions(r, false, 77, (short) 0, Set.of(P0), 2).error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TxnTransitions.addPartitions(r, false, 78, (short) 1, Set.of(P0), 2).error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(TxnTransitions.endTxn(null, false, 77, (short) 1, true, 2).error()).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(TxnTransitions.addPartitions(r, true, 77, (short) 1, Set.of(P0), 2).error())
                .as("a write in flight").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    }

    @Test
    void aNewInstanceFencesAnOpenTransactionByAbortingItWithABumpedEpoch() {
        TxnRecord open = TxnTransitions.addPartitions(init(null, 0), false, 77, (short) 0, Set.of(P0), 1).toWrite();
        TxnTransitions.Decision d = TxnTransitions.initProducerId(open, false, "id", 1000, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, 2, () -> 99);
        assertThat(d.error()).as("the producer retries once the markers are written").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(d.toWrite().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(d.toWrite().producerEpoch()).isEqualTo((short) 1);
        assertThat(d.toWrite().partitions()).containsExactly(P0);
        assertThat(TxnTransitions.endTxn(d.toWrite(), false, 77, (short) 0, true, 3).error())
                .as("the zombie's commit").isEqualTo(Errors.PRODUCER_FENCED);
        TxnRecord aborted = TxnTransitions.complete(d.toWrite(), 3);
        TxnRecord reinit = init(aborted, 4);
        assertThat(reinit.producerEpoch()).isEqualTo((short) 2);
    }

    @Test
    void anEpochBumpRequestIsCheckedAndARetryOfItAnsweredWithTheBumpedEpoch() {
        TxnRecord r = init(null, 0);
        TxnTransitions.Decision bump = TxnTransitions.initProducerId(r, false, "id", 1000, 77, (short) 0, 1, () -> 99);
        assertThat(bump.toWrite().producerEpoch()).isEqualTo((short) 1);
        TxnTransitions.Decision retry = TxnTransitions.initProducerId(bump.toWrite(), false, "id", 1000, 77, (short) 0, 2, () -> 99);
        assertThat(retry.toWrite()).isNull();
        assertThat(retry.answer().producerEpoch()).isEqualTo((short) 1);
        assertThat(TxnTransitions.initProducerId(bump.toWrite(), false, "id", 1000, 77, (short) 5, 2, () -> 99).error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TxnTransitions.initProducerId(bump.toWrite(), false, "id", 1000, 12, (short) 1, 2, () -> 99).error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void twoPhaseTransactionsNeverTimeOutAndARecoveringInstanceMayKeepOne() {
        TxnTransitions.Decision first = TxnTransitions.initProducerId(null, false, "xa", 0, -1, (short) -1, true, false, 0,
                () -> 77);
        assertThat(first.toWrite().twoPhase()).isTrue();
        TxnRecord prepared = TxnTransitions.addPartitions(first.toWrite(), false, 77, (short) 0, Set.of(P0), 10).toWrite();
        assertThat(TxnTransitions.timeout(prepared, false, Long.MAX_VALUE / 2)).as("no timeout with 2PC").isNull();

        TxnTransitions.Decision kept = TxnTransitions.initProducerId(prepared, false, "xa", 0, -1, (short) -1, true, true, 20,
                () -> 78);
        assertThat(kept.error()).isEqualTo(Errors.NONE);
        assertThat(kept.toWrite().state()).as("still prepared").isEqualTo(TransactionState.ONGOING);
        assertThat(kept.toWrite().partitions()).containsExactly(P0);
        assertThat(kept.toWrite().producerEpoch()).as("the old instance is fenced").isEqualTo((short) 1);
        assertThat(kept.toWrite().lastProducerEpoch()).as("the prepared transaction's epoch").isZero();
        assertThat(TxnTransitions.endTxn(kept.toWrite(), false, 77, (short) 0, true, 21).error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TxnTransitions.endTxn(kept.toWrite(), false, 77, (short) 1, true, 21).toWrite().state())
                .isEqualTo(TransactionState.PREPARE_COMMIT);

        TxnTransitions.Decision discarded = TxnTransitions.initProducerId(prepared, false, "xa", 0, -1, (short) -1, true, false,
                20, () -> 78);
        assertThat(discarded.error()).as("not kept: fenced and aborted").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(discarded.toWrite().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(TxnTransitions.initProducerId(prepared, false, "xa", 0, -1, (short) -1, false, true, 20, () -> 78).error())
                .as("keep_prepared_txn without enable_2pc").isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void onlyAnOngoingTransactionPastItsTimeoutIsAborted() {
        TxnRecord open = TxnTransitions.addPartitions(init(null, 0), false, 77, (short) 0, Set.of(P0), 100).toWrite();
        assertThat(TxnTransitions.timeout(open, false, 1100)).isNull();
        TxnRecord aborted = TxnTransitions.timeout(open, false, 1101);
        assertThat(aborted.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(aborted.producerEpoch()).as("the producer is fenced").isEqualTo((short) 1);
        assertThat(TxnTransitions.timeout(open, true, 5000)).as("a write in flight").isNull();
        assertThat(TxnTransitions.timeout(init(null, 0), false, 5000)).as("no transaction").isNull();
    }
}
