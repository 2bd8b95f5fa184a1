package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * How a transacted JMS session's work reaches the log: its sends, and the positions of what its consumers
 * delivered, committed or rolled back together. The JMS session (the facade) keeps the spec's rules (state,
 * threading, redelivery); an engine does the Kafka side. Two engines:
 * <ul>
 *   <li>{@link KafkaTransactionEngine}: one transactional producer per session, Kafka transactions (atomic,
 *       exactly-once with {@code read_committed} consumers);</li>
 *   <li>{@link LocalTransactionEngine}: sends buffered in memory, sent at commit, then the positions committed
 *       (for brokers without transactions: a crash between the two steps duplicates the sends' effect).</li>
 * </ul>
 * Called by the session's thread of control; {@link #close} may come from another thread. Implementations are
 * thread-safe.
 */
public interface TransactionEngine extends AutoCloseable {

    /**
     * Sends {@code record} as part of the current transaction (beginning one if none is open). The future
     * completes when the broker has the record (uncommitted) or, for a buffering engine, at once; {@code callback}
     * (may be null) is called likewise. Throws what kafka-clients throws when the record cannot be sent at all.
     */
    Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback);

    /**
     * Commits the sends and the consumption of {@code consumed} (by the engine that delivered each record).
     * On success each record is marked consumed in its engine.
     *
     * @throws RolledBackException when nothing of the transaction was committed (it was aborted); the caller
     *                             redelivers what was consumed
     * @throws RuntimeException    anything else (the transaction's outcome is then described by the message)
     */
    void commit(Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed);

    /** Discards the current transaction's sends (aborting it on the broker). The caller redelivers what was consumed. */
    void rollback();

    /** Rolls back an open transaction and releases the engine's producer. */
    @Override
    void close();

    /** The transaction was rolled back instead of committed: nothing of it is on the log. */
    final class RolledBackException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RolledBackException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
