package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A transacted session on Kafka transactions spoken directly ({@link TwoPhaseClient}'s requests, without two-phase
 * commit), for brokers that take share-group acknowledgements inside a transaction (Weir, see
 * {@link TransactionalShareAcks}): a queue consumed through a share group then commits atomically with the session's
 * sends, exactly-once, as the positions of a consumer group do. kafka-clients' producer cannot do that: it does not
 * say its producer id and epoch, and ends no transaction to which it added nothing itself.
 *
 * <ul>
 *   <li>{@link #start}: InitProducerId for the session's {@code transactional.id} ({@link TransactionalIds}, as the
 *       kafka-clients engine uses), with the transaction timeout: an older instance of the id is fenced and what it
 *       left open ended, before this session's consumers read. One producer id and epoch serve every transaction of
 *       the session.</li>
 *   <li>Sends are kept in order until the commit (the session does not wait for them, as with any engine), then
 *       written as transactional batches (AddPartitionsToTxn, Produce acks=all).</li>
 *   <li>{@link #commit}: the consumer groups' positions join the transaction (AddOffsetsToTxn, TxnOffsetCommit with
 *       the member's generation), the share-group queues' records are ACCEPTed in it (their leaders make the
 *       partitions join it), and EndTxn commits. A crash anywhere before the coordinator logged the commit aborts all
 *       of it (the next instance's InitProducerId, or the coordinator's timeout): the sends vanish and the queues'
 *       records are delivered again; after it, all of it holds.</li>
 *   <li>Failures: PRODUCER_FENCED (another instance took the transactional id over) fences the engine for good.
 *       Any other refusal rolls the transaction back; the producer then asks for a new epoch (KIP-360), which aborts
 *       what is left of it. A commit whose EndTxn got no answer within the timeout has an unknown outcome
 *       ({@link KafkaTransactionEngine.OutcomeUnknownException}); the next transaction begins with a new
 *       InitProducerId, which completes or aborts it on the broker first.</li>
 * </ul>
 * A share-group reader whose broker does not take transactional acknowledgements (answering UnsupportedVersion)
 * is ACCEPTed after the commit, at-least-once. Thread-safe (synchronized).
 */
public final class SessionTransactionEngine implements TransactionEngine {

    private static final Logger log = LoggerFactory.getLogger(SessionTransactionEngine.class);

    private final TransactionalIds.Lease lease;
    private final TwoPhaseClient client;
    private final TwoPhaseBranch txn;
    private final long timeoutMs;
    private boolean initialized;
    private RuntimeException fenced;
    private boolean closed;

    /**
     * @param client               the engine's own (closed with it)
     * @param timeoutMs            how long a consumer's answer is waited for
     * @param transactionTimeoutMs how long the coordinator lets a transaction stay open before it aborts it
     *                             ({@code transaction.timeout.ms})
     */
    public SessionTransactionEngine(TransactionalIds.Lease lease, TwoPhaseClient client, long timeoutMs, int transactionTimeoutMs) {
        this.lease = lease;
        this.client = client;
        this.timeoutMs = timeoutMs;
        this.txn = TwoPhaseBranch.forSession(client, lease.transactionalId(), System::currentTimeMillis, transactionTimeoutMs);
    }

    public String transactionalId() {
        return lease.transactionalId();
    }

    /** Initialises the transactional id now (see the class comment). */
    public synchronized void start() {
        init();
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        init();
        return txn.send(record, callback);
    }

    @Override
    public synchronized void commit(Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        init();
        Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> acceptedInTransaction = new LinkedHashMap<>();
        List<ReaderEngine> acceptAfter = new ArrayList<>();
        // the share readers' lanes send their ACCEPTs while this thread writes the sends: neither waits for the other
        Map<ShareQueueReader, CompletableFuture<Void>> accepting = new LinkedHashMap<>();
        try {
            for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                if (!e.getValue().isEmpty() && e.getKey() instanceof ShareQueueReader share && !share.isClosed()) {
                    accepting.put(share, share.acceptInTransaction(e.getValue(), txn.shareTransaction()));
                }
            }
            for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                if (e.getKey() instanceof ConsumerEngine classic) {
                    txn.addOffsets(await(classic.transactionalOffsets(e.getValue())));
                } else if (!(e.getKey() instanceof ShareQueueReader)) {
                    acceptAfter.add(e.getKey());
                }
            }
            txn.flush();
            for (Map.Entry<ShareQueueReader, CompletableFuture<Void>> a : accepting.entrySet()) {
                try {
                    await(a.getValue());
                    acceptedInTransaction.put(a.getKey(), consumed.get(a.getKey()));
                } catch (UnsupportedVersionException unsupported) {
                    log.info("Transaction {}: {}; the queue's messages are acknowledged after the commit (at-least-once)",
                            transactionalId(), unsupported.getMessage());
                    acceptAfter.add(a.getKey());
                }
            }
            txn.end(true);
            txn.next();
        } catch (RuntimeException e) {
            settle(accepting.values()); // an ACCEPT still travelling would join the transaction after its abort
            throw failed(e, "Committing the transaction of " + transactionalId() + " failed");
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> settled = acceptedInTransaction.get(e.getKey());
            Set<ConsumerRecord<byte[], byte[]>> done = Collections.newSetFromMap(new IdentityHashMap<>());
            if (settled != null) {
                done.addAll(settled); // the commit marker settled them at the broker
            }
            List<ConsumerRecord<byte[], byte[]>> left = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : e.getValue()) {
                if (!done.contains(r)) {
                    left.add(r);
                }
            }
            if (acceptAfter.contains(e.getKey()) && !e.getKey().isClosed()) {
                // share acknowledgements the broker cannot take in a transaction, waited for with their commit
                commits.add(e.getKey().consumedAndCommit(left, true));
            } else {
                left.forEach(e.getKey()::consumed);
            }
        }
        commits.forEach(this::await);
    }

    /** Waits (bounded) until every ACCEPT sent has its answer, whatever it is. */
    private void settle(java.util.Collection<CompletableFuture<Void>> accepts) {
        for (CompletableFuture<Void> f : accepts) {
            try {
                f.get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // answered with an error (nothing joined), or not within the timeout (the abort below may then miss it:
                // the coordinator's transaction timeout ends whatever it joined)
            }
        }
    }

    /**
     * A failed commit: the transaction is aborted (nothing of it holds) unless the outcome is unknown or the engine was
     * fenced. Returns what to throw.
     */
    private RuntimeException failed(RuntimeException e, String what) {
        if (e instanceof TwoPhaseClient.TwoPhaseException t) {
            if (t.error() == Errors.PRODUCER_FENCED) {
                return new RolledBackException("Transactional id " + transactionalId() + " was taken over by another producer",
                        fence(new org.apache.kafka.common.errors.ProducerFencedException(t.getMessage())));
            }
            if (t.isCommunicationFailure() && txn.commitRequested()) {
                // EndTxn was sent and not answered: the coordinator may have logged the commit
                initialized = false;
                return new KafkaTransactionEngine.OutcomeUnknownException("The commit of transaction " + transactionalId()
                        + " got no answer: it may or may not have committed", e);
            }
        }
        abort();
        return new RolledBackException(what, e);
    }

    @Override
    public synchronized void rollback() {
        if (fenced != null || closed || !initialized) {
            return; // fenced: the broker aborted it when the other instance took over; not initialized: nothing began
        }
        abort();
    }

    /** Aborts what the current transaction put on the broker; on failure the producer asks for a new epoch. */
    private void abort() {
        if (!initialized) {
            return;
        }
        try {
            txn.end(false);
            txn.next();
        } catch (RuntimeException e) {
            log.warn("Aborting transaction {} failed ({}); its producer asks for a new epoch", transactionalId(), e.toString());
            try {
                txn.bumpEpoch(); // aborts what is still open
            } catch (TwoPhaseClient.TwoPhaseException t) {
                if (t.error() == Errors.PRODUCER_FENCED) {
                    fence(new org.apache.kafka.common.errors.ProducerFencedException(t.getMessage()));
                } else {
                    initialized = false; // the next use begins with a new InitProducerId
                }
            } catch (RuntimeException other) {
                initialized = false;
            }
        }
    }

    private void init() {
        if (closed) {
            throw new IllegalStateException("The transaction engine of " + transactionalId() + " is closed");
        }
        if (fenced != null) {
            throw new org.apache.kafka.common.errors.ProducerFencedException("Transactional id " + transactionalId()
                    + " was taken over by another producer (another instance with the same transactionalIdPrefix?): "
                    + fenced.getMessage());
        }
        if (!initialized) {
            txn.begin();
            initialized = true;
        }
    }

    private RuntimeException fence(RuntimeException e) {
        log.warn("Transacted session {} fenced: {}", transactionalId(), e.getMessage());
        fenced = e;
        return e;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (initialized && fenced == null) {
                abort();
            }
        } finally {
            closed = true;
            client.close();
            lease.close();
        }
    }

    private <T> T await(CompletableFuture<T> f) {
        return Waits.await(f, timeoutMs, "The consumer");
    }

    @Override
    public String toString() {
        return "SessionTransactionEngine(" + transactionalId() + ")";
    }
}
