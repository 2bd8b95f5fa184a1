package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A transacted session on Kafka transactions: one {@link KafkaProducer} with its own {@code transactional.id}
 * ({@link TransactionalIds}), created and initialised by {@link #start} when the session opens
 * ({@code initTransactions} fences an older instance of the id and aborts what it left open), and again after
 * a failure that discarded it.
 *
 * <ul>
 *   <li>The first send, or a commit with something consumed, begins a transaction ({@code beginTransaction}
 *       is local to the client; the broker learns of the transaction with its first partition or offsets).</li>
 *   <li>Sends go to the producer at once, inside the transaction: nothing is buffered here, and nothing is
 *       visible to {@code read_committed} consumers before the commit.</li>
 *   <li>{@link #commit}: the positions of what the session's consumers delivered are added to the transaction
 *       ({@code sendOffsetsToTransaction} with each group's metadata, so a member that lost its partitions
 *       cannot commit them), then {@code commitTransaction}. Once the coordinator has logged the commit, it
 *       completes even if this process dies: sends and positions become visible together, or neither.</li>
 *   <li>Failures: {@link ProducerFencedException} (another producer took this transactional id) fences the engine
 *       for good: the commit is rolled back and every later call throws the fencing exception. An
 *       {@code InvalidProducerEpochException} at commit (the epoch moved: a coordinator's timeout abort, or a takeover
 *       met by a send before the commit) aborts on the same producer, which is fenced if it was a takeover and goes on
 *       otherwise (a new producer's {@code initTransactions} would fence the successor). An
 *       {@link ApplicationRecoverableException} of another kind (the coordinator aborted the transaction, e.g.
 *       on its timeout) rolls back and makes a new producer on next use. Any other failure aborts the
 *       transaction ({@link TransactionEngine.RolledBackException}). A commit that times out is retried (the
 *       producer resumes the same commit) until {@code commitTimeoutMs}; past that its outcome is unknown
 *       ({@link OutcomeUnknownException}) and the producer is replaced (its successor's
 *       {@code initTransactions} completes or aborts the pending transaction on the broker).</li>
 * </ul>
 * Thread-safe (synchronized): the session's thread calls it, close may come from another thread.
 */
public final class KafkaTransactionEngine implements TransactionEngine {

    private static final Logger log = LoggerFactory.getLogger(KafkaTransactionEngine.class);

    private final TransactionalIds.Lease lease;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final long commitTimeoutMs;
    private final LongSupplier clock;
    private Producer<byte[], byte[]> producer;
    private boolean inTransaction;
    private ProducerFencedException fenced;
    private boolean closed;

    /**
     * @param producers       makes a producer whose {@code transactional.id} is {@code lease}'s (a new one after a
     *                        failure that discarded the previous one)
     * @param commitTimeoutMs how long a commit whose request timed out is retried before its outcome is unknown
     */
    public KafkaTransactionEngine(TransactionalIds.Lease lease, Supplier<Producer<byte[], byte[]>> producers,
                                  long commitTimeoutMs, LongSupplier clock) {
        this.producers = producers;
        this.lease = lease;
        this.commitTimeoutMs = commitTimeoutMs;
        this.clock = clock;
    }

    public String transactionalId() {
        return lease.transactionalId();
    }

    /**
     * Creates the producer and initialises the transactional id now: fences an older instance with the same id
     * and has the coordinator abort what it left open, before this session's consumers read (a transaction left
     * open with consumed positions keeps the group's committed offsets unstable until it ends).
     */
    public synchronized void start() {
        checkUsable();
        if (producer == null) {
            producer = newProducer();
        }
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        begin();
        try {
            return producer.send(record, callback);
        } catch (ProducerFencedException e) {
            throw fence(e);
        }
    }

    @Override
    public synchronized void commit(Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        checkUsable();
        try {
            List<ConsumerEngine.TransactionalOffsets> positions = new ArrayList<>();
            for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                if (!(e.getKey() instanceof ConsumerEngine classic)) {
                    continue; // a share-group reader: accepted once the transaction committed, below
                }
                ConsumerEngine.TransactionalOffsets o = await(classic.transactionalOffsets(e.getValue()));
                if (!o.isEmpty()) {
                    positions.add(o);
                }
            }
            if (inTransaction || !positions.isEmpty()) {
                begin();
                for (ConsumerEngine.TransactionalOffsets o : positions) {
                    producer.sendOffsetsToTransaction(o.offsets(), o.group());
                }
                commitTransaction();
            }
        } catch (ProducerFencedException e) {
            throw new RolledBackException("Transactional id " + transactionalId() + " was taken over by another producer",
                    fence(e));
        } catch (org.apache.kafka.common.errors.InvalidProducerEpochException e) {
            throw epochMoved(e);
        } catch (ApplicationRecoverableException e) {
            discardProducer();
            throw new RolledBackException("The transaction coordinator aborted the transaction of " + transactionalId(), e);
        } catch (OutcomeUnknownException e) {
            throw e;
        } catch (RuntimeException e) {
            if (causedBy(e, org.apache.kafka.common.errors.InvalidProducerEpochException.class)) {
                throw epochMoved(e);
            }
            abortQuietly();
            throw new RolledBackException("Committing the transaction of " + transactionalId() + " failed", e);
        }
        acceptShared(consumed);
    }

    /**
     * Share-group acknowledgements cannot join a Kafka transaction: what a share-group reader delivered is
     * accepted after the transaction committed, so a crash between the two redelivers it (at-least-once for
     * share-mode queues in transacted sessions; the sends stay exactly-once).
     */
    private void acceptShared(Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        List<Future<Void>> commits = new ArrayList<>();
        for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
            ReaderEngine engine = e.getKey();
            if (engine instanceof ConsumerEngine || engine.isClosed()) {
                e.getValue().forEach(engine::consumed);
            } else {
                commits.add(engine.consumedAndCommit(e.getValue(), true));
            }
        }
        commits.forEach(this::await);
    }

    private void commitTransaction() {
        long deadline = clock.getAsLong() + commitTimeoutMs;
        while (true) {
            try {
                producer.commitTransaction();
                inTransaction = false;
                return;
            } catch (TimeoutException e) {
                if (clock.getAsLong() >= deadline) {
                    discardProducer();
                    throw new OutcomeUnknownException("The commit of transaction " + transactionalId()
                            + " got no answer within " + commitTimeoutMs + " ms: it may or may not have committed", e);
                }
                log.warn("Commit of transaction {} timed out; retrying: {}", transactionalId(), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void rollback() {
        if (fenced != null) {
            return; // the broker aborted it when the other producer took over
        }
        abortQuietly();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            abortQuietly();
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        } catch (RuntimeException e) {
            log.debug("Closing the producer of {} failed", transactionalId(), e);
        } finally {
            lease.close();
        }
    }

    private void begin() {
        checkUsable();
        if (producer == null) {
            producer = newProducer();
        }
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    private Producer<byte[], byte[]> newProducer() {
        Producer<byte[], byte[]> p = producers.get();
        try {
            p.initTransactions();
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            throw e;
        }
        return p;
    }

    private void checkUsable() {
        if (closed) {
            throw new java.lang.IllegalStateException("The transaction engine of " + transactionalId() + " is closed");
        }
        if (fenced != null) {
            throw new ProducerFencedException("Transactional id " + transactionalId()
                    + " was taken over by another producer (another instance with the same transactionalIdPrefix?): "
                    + fenced.getMessage());
        }
    }

    /**
     * A request of the transaction met a newer producer epoch: the coordinator aborted the transaction (its timeout
     * bumps the epoch) or another producer's initTransactions took this transactional id over. The transaction is
     * aborted on the same producer, which tells the two apart: kafka-clients goes on after a coordinator's abort and
     * is fenced after a takeover (then so is this engine). The producer is never replaced here: a new one's
     * initTransactions would fence the successor in turn. A zombie whose abort passed anyway keeps its old epoch, so
     * its next transaction is fenced at the latest.
     */
    private RolledBackException epochMoved(RuntimeException e) {
        try {
            producer.abortTransaction();
            inTransaction = false;
        } catch (ProducerFencedException f) {
            return new RolledBackException("Transactional id " + transactionalId() + " was taken over by another producer",
                    fence(f));
        } catch (RuntimeException other) {
            log.warn("Aborting transaction {} after a newer producer epoch failed ({}); its producer is replaced",
                    transactionalId(), other.toString());
            discardProducer();
        }
        return new RolledBackException("The transaction of " + transactionalId() + " met a newer producer epoch (the "
                + "coordinator aborted it, or another producer took the transactional id over)", e);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private ProducerFencedException fence(ProducerFencedException e) {
        log.warn("Transacted session {} fenced: {}", transactionalId(), e.getMessage());
        fenced = e;
        discardProducer();
        return e;
    }

    /** Aborts an open transaction; on failure the producer is replaced (its successor's init aborts it). */
    private void abortQuietly() {
        if (producer == null || !inTransaction) {
            inTransaction = false;
            return;
        }
        try {
            producer.abortTransaction();
            inTransaction = false;
        } catch (ProducerFencedException e) {
            fence(e);
        } catch (RuntimeException e) {
            log.warn("Aborting transaction {} failed ({}); its producer is replaced", transactionalId(), e.toString());
            discardProducer();
        }
    }

    private void discardProducer() {
        inTransaction = false;
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("Closing the producer of {} failed", transactionalId(), e);
            }
            producer = null;
        }
    }

    private <T> T await(Future<T> f) {
        return Waits.await(f, commitTimeoutMs, "The consumer");
    }

    /** A commit that got no answer: the transaction may or may not have committed. */
    public static final class OutcomeUnknownException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OutcomeUnknownException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "KafkaTransactionEngine(" + transactionalId() + ")";
    }
}
