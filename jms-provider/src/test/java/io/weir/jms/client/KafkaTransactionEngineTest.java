package io.weir.jms.client;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transactional sender's state machine over kafka-clients' {@link MockProducer}. */
class KafkaTransactionEngineTest {

    private final List<MockProducer<byte[], byte[]>> made = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();

    private KafkaTransactionEngine engine(String prefix) {
        return engine(prefix, now::get);
    }

    private KafkaTransactionEngine engine(String prefix, java.util.function.LongSupplier clock) {
        KafkaTransactionEngine e = new KafkaTransactionEngine(TransactionalIds.acquire(prefix), () -> {
            MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            made.add(p);
            return p;
        }, 1000, clock);
        e.start();
        return e;
    }

    private static ProducerRecord<byte[], byte[]> record(String body) {
        return new ProducerRecord<>("q", body.getBytes(StandardCharsets.UTF_8));
    }

    private MockProducer<byte[], byte[]> last() {
        return made.get(made.size() - 1);
    }

    @Test
    void startInitialisesTheIdAndTheFirstSendBeginsATransaction() {
        try (KafkaTransactionEngine e = engine("unit-start")) {
            assertThat(e.transactionalId()).isEqualTo("unit-start-0");
            assertThat(last().transactionInitialized()).isTrue();
            assertThat(last().transactionInFlight()).isFalse();
            e.send(record("a"), null);
            assertThat(last().transactionInFlight()).isTrue();
            assertThat(last().uncommittedRecords()).hasSize(1);
            e.commit(Map.of());
            assertThat(last().transactionCommitted()).isTrue();
            assertThat(last().history()).hasSize(1);
        }
    }

    @Test
    void aCommitWithNothingToDoBeginsNothing() {
        try (KafkaTransactionEngine e = engine("unit-empty")) {
            e.commit(Map.of());
            assertThat(last().transactionInFlight()).isFalse();
            assertThat(last().commitCount()).isZero();
        }
    }

    @Test
    void rollbackAbortsAndCloseAbortsWhatIsOpen() {
        KafkaTransactionEngine e = engine("unit-rollback");
        e.send(record("a"), null);
        e.rollback();
        assertThat(last().transactionAborted()).isTrue();
        assertThat(last().history()).isEmpty();
        e.send(record("b"), null);
        e.close();
        assertThat(last().transactionAborted()).isTrue();
        assertThat(last().closed()).isTrue();
    }

    @Test
    void aFencedEngineRollsBackAndRefusesFurtherWork() {
        try (KafkaTransactionEngine e = engine("unit-fenced")) {
            e.send(record("a"), null);
            last().commitTransactionException = new ProducerFencedException("newer producer");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(TransactionEngine.RolledBackException.class)
                    .hasCauseInstanceOf(ProducerFencedException.class);
            assertThat(last().closed()).isTrue();
            assertThatThrownBy(() -> e.send(record("b"), null)).isInstanceOf(ProducerFencedException.class)
                    .hasMessageContaining("unit-fenced-0");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(ProducerFencedException.class);
            e.rollback(); // nothing to do, no exception
            assertThat(made).hasSize(1);
        }
    }

    @Test
    void anAbortableCommitFailureAbortsAndTheEngineGoesOn() {
        try (KafkaTransactionEngine e = engine("unit-abortable")) {
            e.send(record("a"), null);
            last().commitTransactionException = new KafkaException("a send failed");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(TransactionEngine.RolledBackException.class)
                    .hasMessageContaining("unit-abortable-0").hasCauseInstanceOf(KafkaException.class);
            assertThat(last().transactionAborted()).isTrue();
            last().commitTransactionException = null;
            e.send(record("b"), null);
            e.commit(Map.of());
            assertThat(last().history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("b");
            assertThat(made).hasSize(1);
        }
    }

    @Test
    void aTransactionWhoseEpochMovedIsAbortedOnTheSameProducerWhichGoesOn() {
        try (KafkaTransactionEngine e = engine("unit-epoch")) {
            e.send(record("a"), null);
            last().commitTransactionException = new InvalidProducerEpochException("timed out");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(TransactionEngine.RolledBackException.class)
                    .hasCauseInstanceOf(InvalidProducerEpochException.class);
            assertThat(last().transactionAborted()).isTrue();
            assertThat(last().closed()).as("no new producer: its initTransactions would fence a successor").isFalse();
            last().commitTransactionException = null;
            e.send(record("b"), null);
            e.commit(Map.of());
            assertThat(made).hasSize(1);
            assertThat(last().history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("b");
        }
    }

    @Test
    void aTransactionWhoseEpochMovedBecauseTheIdWasTakenOverFencesTheEngine() {
        try (KafkaTransactionEngine e = engine("unit-taken")) {
            e.send(record("a"), null);
            last().commitTransactionException = new InvalidProducerEpochException("a send met the successor's epoch");
            last().abortTransactionException = new ProducerFencedException("newer producer");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(TransactionEngine.RolledBackException.class)
                    .hasCauseInstanceOf(ProducerFencedException.class);
            assertThatThrownBy(() -> e.send(record("b"), null)).isInstanceOf(ProducerFencedException.class);
            assertThat(made).hasSize(1);
        }
    }

    @Test
    void aCommitThatKeepsTimingOutEndsWithAnUnknownOutcome() {
        try (KafkaTransactionEngine e = engine("unit-timeout", () -> now.addAndGet(300))) { // each look at the clock: 300 ms later
            e.send(record("a"), null);
            MockProducer<byte[], byte[]> p = last();
            p.commitTransactionException = new TimeoutException("no answer");
            assertThatThrownBy(() -> e.commit(Map.of())).isInstanceOf(KafkaTransactionEngine.OutcomeUnknownException.class)
                    .hasMessageContaining("may or may not");
            assertThat(p.closed()).isTrue();
        }
    }

    @Test
    void aBrokerWithoutTransactionsFailsAtStartAndTheSlotIsFree() {
        KafkaTransactionEngine e = new KafkaTransactionEngine(TransactionalIds.acquire("unit-noTxn"), () -> {
            MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            p.initTransactionException = new TransactionalIdAuthorizationException("refused");
            made.add(p);
            return p;
        }, 1000, now::get);
        assertThatThrownBy(e::start).isInstanceOf(TransactionalIdAuthorizationException.class);
        assertThat(last().closed()).isTrue();
        e.close();
        try (TransactionalIds.Lease again = TransactionalIds.acquire("unit-noTxn")) {
            assertThat(again.slot()).isZero();
        }
    }
}
