package io.weir.broker.txn;

import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.log.PartitionLog;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator (KIP-98, transaction version 1 as kafka-clients speak it when the broker
 * does not finalize {@code transaction.version} 2): producer ids and epochs for transactional ids,
 * the partitions of each transaction, commit and abort in two steps (the decision persisted as
 * PrepareCommit/PrepareAbort, then markers written by the partition leaders, then
 * CompleteCommit/CompleteAbort), fencing of zombies by epoch, and the abort of transactions open
 * longer than their timeout.
 *
 * <p>The decisions are {@link TxnTransitions}; this class does their I/O: it writes the decided state to
 * {@code __transaction_state} before answering, and starts the markers of a prepared transaction. A
 * broker that becomes leader of a {@code __transaction_state} partition loads it ({@link #load}) and
 * finishes the markers of every transaction it finds prepared.
 *
 * <p>Thread-safe. Lifecycle: started at construction (the timeout check is scheduled), {@link #close()}
 * stops the marker sender.
 */
public final class TransactionCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);
    public static final String STATE_TOPIC = Topic.TRANSACTION_STATE_TOPIC_NAME;

    private final TransactionConfig config;
    private final TransactionStateManager state;
    private final TransactionMarkerSender markers;
    private final TxnPartitionJoiner joiner;
    private final LongSupplier producerIds;
    private final Scheduler scheduler;
    private final Time time;

    /**
     * What InitProducerId answers.
     *
     * @param ongoingProducerId    with keep_prepared_txn: the producer id of the kept prepared transaction, else -1
     * @param ongoingProducerEpoch with keep_prepared_txn: its epoch, else -1
     */
    public record InitResult(Errors error, long producerId, short producerEpoch, long ongoingProducerId,
                             short ongoingProducerEpoch) {
        static InitResult error(Errors error) {
            return new InitResult(error, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                    RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        }
    }

    /** A transaction as DescribeTransactions and ListTransactions show it. */
    public record Description(Errors error, TxnRecord txn) {
    }

    /**
     * @param stateAppender appends to a partition of {@code __transaction_state} with acks=all
     * @param localMarkers  writes markers to partitions this broker leads
     * @param producerIds   allocates cluster-unique producer ids
     */
    public TransactionCoordinator(int brokerId, TransactionConfig config, ClusterMetadata metadata,
                                  StateAppender stateAppender, LocalMarkerWriter localMarkers,
                                  LongSupplier producerIds, Scheduler scheduler, Time time) {
        this.config = config;
        this.state = new TransactionStateManager(config.stateTopicPartitions(), stateAppender, time);
        this.markers = new TransactionMarkerSender(brokerId, metadata, localMarkers, scheduler, config.markerRetryBackoffMs(),
                config.requestTimeoutMs(), config.security());
        this.joiner = new TxnPartitionJoiner(brokerId, metadata, this, config.requestTimeoutMs(), config.security());
        this.producerIds = producerIds;
        this.scheduler = scheduler;
        this.time = time;
        scheduler.schedulePeriodic("txn-timeouts", this::abortTimedOutTransactions, config.abortTimedOutIntervalMs(),
                config.abortTimedOutIntervalMs());
        scheduler.schedulePeriodic("txn-id-expiration", this::removeExpiredTransactionalIds, config.removeExpiredIntervalMs(),
                config.removeExpiredIntervalMs());
    }

    public TransactionConfig config() {
        return config;
    }

    /** The {@code __transaction_state} partition that holds a transactional id. */
    public int partitionFor(String transactionalId) {
        return state.partitionFor(transactionalId);
    }

    // ---------------------------------------------------------------- requests

    /** InitProducerId with a transactional id. */
    public CompletableFuture<InitResult> initProducerId(String transactionalId, int timeoutMs, long producerId,
                                                        short producerEpoch) {
        return initProducerId(transactionalId, timeoutMs, producerId, producerEpoch, false, false);
    }

    /**
     * InitProducerId with a transactional id and the two-phase commit options of v6 (KIP-939): with
     * {@code enable2Pc} the id's transactions never time out (the timeout is not checked); with
     * {@code keepPreparedTxn} a new instance keeps the prepared (Ongoing) transaction of the previous one,
     * under a bumped epoch, and learns its producer id and epoch, to commit or abort it.
     */
    public CompletableFuture<InitResult> initProducerId(String transactionalId, int timeoutMs, long producerId,
                                                        short producerEpoch, boolean enable2Pc, boolean keepPreparedTxn) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_REQUEST));
        }
        if (!enable2Pc && (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs())) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        Errors status = state.status(transactionalId);
        TransactionMetadata md = status == Errors.NONE ? state.getOrCreate(transactionalId) : null;
        if (md == null) {
            return CompletableFuture.completedFuture(InitResult.error(status == Errors.NONE ? Errors.NOT_COORDINATOR : status));
        }
        long now = time.milliseconds();
        int timeout = enable2Pc ? Math.max(timeoutMs, 0) : timeoutMs;
        return execute(md, (current, pending) -> TxnTransitions.initProducerId(current, pending, transactionalId, timeout,
                producerId, producerEpoch, enable2Pc, keepPreparedTxn, now, producerIds))
                .thenApply(d -> {
                    if (d.answer() == null || d.error() != Errors.NONE) {
                        return InitResult.error(d.error());
                    }
                    TxnRecord a = d.answer();
                    boolean kept = keepPreparedTxn && a.state() == TransactionState.ONGOING;
                    return new InitResult(Errors.NONE, a.producerId(), a.producerEpoch(),
                            kept ? a.producerId() : RecordBatch.NO_PRODUCER_ID,
                            kept ? a.lastProducerEpoch() : RecordBatch.NO_PRODUCER_EPOCH);
                });
    }

    /** AddPartitionsToTxn: one error for all the partitions. */
    public CompletableFuture<Errors> addPartitions(String transactionalId, long producerId, short producerEpoch,
                                                   Set<TopicPartition> partitions) {
        Errors status = state.status(transactionalId);
        if (status != Errors.NONE) {
            return CompletableFuture.completedFuture(status);
        }
        TransactionMetadata md = state.get(transactionalId);
        if (md == null) {
            return CompletableFuture.completedFuture(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(CONCURRENT_WAIT_MS);
        return executeWaiting(md, (current, pending) -> TxnTransitions.addPartitions(current, pending, producerId, producerEpoch,
                partitions, time.milliseconds()), deadline).thenApply(TxnTransitions.Decision::error);
    }

    /**
     * How long an AddPartitionsToTxn that finds its id busy (the previous transaction's markers being written, or
     * another write of its state in flight) is held before it is answered CONCURRENT_TRANSACTIONS. A producer
     * that commits and at once begins its next transaction finds the markers of the last one still being written;
     * answered at once, its client waits out a retry backoff (kafka-clients 20 ms, the JMS provider's transaction
     * client too): with an fsync under every write ({@code log.flush.group.commit.enable}) that backoff was most
     * of a JMS commit (p50 24 ms, against 1 ms without the fsyncs). Held, it is decided again as soon as the
     * state changes.
     */
    static final long CONCURRENT_WAIT_MS = 200;

    /**
     * {@link #execute}, decided again at each change of the id's state while the decision is CONCURRENT_TRANSACTIONS
     * and the deadline ({@link System#nanoTime}) is ahead; then answered as decided.
     */
    private CompletableFuture<TxnTransitions.Decision> executeWaiting(TransactionMetadata md,
                                                                    BiFunction<TxnRecord, Boolean, TxnTransitions.Decision> decide,
                                                                    long deadlineNanos) {
        CompletableFuture<Void> seen = md.nextChange(); // taken before the decision: a change after it completes this
        return execute(md, decide).thenCompose(d -> {
            long leftNanos = deadlineNanos - System.nanoTime();
            boolean removed;
            synchronized (md) {
                removed = md.removed;
            }
            if (d.error() != Errors.CONCURRENT_TRANSACTIONS || d.toWrite() != null || leftNanos <= 0 || removed) {
                return CompletableFuture.completedFuture(d);
            }
            CompletableFuture<Void> wake = new CompletableFuture<>();
            seen.whenComplete((v, e) -> wake.complete(null));
            wake.completeOnTimeout(null, leftNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            return wake.thenCompose(v -> executeWaiting(md, decide, deadlineNanos));
        });
    }

    /**
     * A partition this broker leads joins the transaction of {@code transactionalId} (producer id and epoch checked),
     * wherever its coordinator is: for acknowledgements that a share-partition leader records inside the
     * transaction, so that the partition gets the transaction's marker (see {@link TxnPartitionJoiner}).
     */
    public CompletableFuture<Errors> joinFromPartitionLeader(String transactionalId, long producerId, short producerEpoch,
                                                             TopicPartition tp) {
        return joiner.join(transactionalId, producerId, producerEpoch, tp);
    }

    /** EndTxn: commit or abort. Answered once the decision is persisted; the markers follow. */
    public CompletableFuture<Errors> endTxn(String transactionalId, long producerId, short producerEpoch, boolean commit) {
        Errors status = state.status(transactionalId);
        if (status != Errors.NONE) {
            return CompletableFuture.completedFuture(status);
        }
        TransactionMetadata md = state.get(transactionalId);
        if (md == null) {
            return CompletableFuture.completedFuture(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        long now = time.milliseconds();
        return execute(md, (current, pending) -> TxnTransitions.endTxn(current, pending, producerId, producerEpoch, commit, now))
                .thenApply(TxnTransitions.Decision::error);
    }

    /** DescribeTransactions for one id. */
    public Description describe(String transactionalId) {
        Errors status = state.status(transactionalId);
        if (status != Errors.NONE) {
            return new Description(status, null);
        }
        TransactionMetadata md = state.get(transactionalId);
        if (md == null) {
            return new Description(Errors.TRANSACTIONAL_ID_NOT_FOUND, null);
        }
        synchronized (md) {
            return md.current == null ? new Description(Errors.TRANSACTIONAL_ID_NOT_FOUND, null)
                    : new Description(Errors.NONE, md.current);
        }
    }

    /** Every transactional id this broker coordinates, with its state. */
    public List<TxnRecord> listTransactions() {
        return state.all().stream().map(md -> {
            synchronized (md) {
                return Optional.ofNullable(md.current);
            }
        }).flatMap(Optional::stream).toList();
    }

    // ---------------------------------------------------------------- the engine

    /**
     * Decides under the id's monitor; when the decision writes, marks the id pending, writes, applies
     * the state once acknowledged (if this broker still coordinates it) and starts the markers of a
     * prepared transaction.
     */
    private CompletableFuture<TxnTransitions.Decision> execute(TransactionMetadata md,
                                                             BiFunction<TxnRecord, Boolean, TxnTransitions.Decision> decide) {
        TxnTransitions.Decision d;
        int coordinatorEpoch = state.coordinatorEpoch(md.partition);
        synchronized (md) {
            if (md.removed) {
                return CompletableFuture.completedFuture(TxnTransitions.Decision.fail(Errors.CONCURRENT_TRANSACTIONS));
            }
            d = decide.apply(md.current, md.pending);
            if (d.toWrite() == null) {
                return CompletableFuture.completedFuture(d);
            }
            md.pending = true;
        }
        TxnRecord next = d.toWrite();
        CompletableFuture<?> written;
        try {
            written = state.write(md, next);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((v, e) -> {
            boolean owner = state.owns(md.partition, coordinatorEpoch);
            synchronized (md) {
                md.pending = false;
                if (e == null && owner) {
                    md.current = next;
                }
            }
            md.signalChange();
            if (e != null || !owner) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                log.info("Writing the state {} of transactional id {} failed: {}", next.state(), md.transactionalId,
                        cause == null ? "no longer its coordinator" : cause.toString());
                return TxnTransitions.Decision.fail(cause == null || cause instanceof NotLeaderOrFollowerException
                        ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE);
            }
            if (next.state().isPrepare()) {
                writeMarkers(md, next, coordinatorEpoch);
            }
            return d;
        });
    }

    /** Writes the markers of a prepared transaction, then its completion. */
    private void writeMarkers(TransactionMetadata md, TxnRecord prepared, int coordinatorEpoch) {
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        markers.send(prepared.producerId(), prepared.producerEpoch(), coordinatorEpoch, commit, prepared.partitions(),
                () -> state.owns(md.partition, coordinatorEpoch)).whenComplete((v, e) -> {
                    if (e != null) {
                        log.info("Markers of transactional id {} not completed here: {}", md.transactionalId, e.toString());
                        return;
                    }
                    execute(md, (current, pending) -> current != null && !pending && current.equals(prepared)
                            ? TxnTransitions.Decision.write(TxnTransitions.complete(current, time.milliseconds()))
                            : TxnTransitions.Decision.fail(Errors.NONE)).whenComplete((d, e2) -> {
                                if (d != null && d.error() != Errors.NONE && state.owns(md.partition, coordinatorEpoch)) {
                                    // the completion could not be written: markers are idempotent, try again
                                    scheduler.scheduleOnce("txn-complete-" + md.transactionalId,
                                            () -> retryPrepared(md, coordinatorEpoch), config.markerRetryBackoffMs());
                                }
                            });
                });
    }

    private void retryPrepared(TransactionMetadata md, int coordinatorEpoch) {
        TxnRecord current;
        synchronized (md) {
            current = md.current;
        }
        if (current != null && current.state().isPrepare() && state.owns(md.partition, coordinatorEpoch)) {
            writeMarkers(md, current, coordinatorEpoch);
        }
    }

    /** Aborts (with a bumped epoch, fencing the producer) every transaction open longer than its timeout. */
    void abortTimedOutTransactions() {
        long now = time.milliseconds();
        for (TransactionMetadata md : state.all()) {
            boolean timedOut;
            synchronized (md) {
                timedOut = md.current != null && TxnTransitions.timeout(md.current, md.pending, now) != null;
            }
            if (timedOut) {
                log.info("Transaction of transactional id {} timed out; aborting it", md.transactionalId);
                execute(md, (current, pending) -> {
                    TxnRecord aborted = current == null ? null : TxnTransitions.timeout(current, pending, now);
                    return aborted == null ? TxnTransitions.Decision.fail(Errors.NONE) : TxnTransitions.Decision.write(aborted);
                });
            }
        }
    }

    /**
     * Forgets the transactional ids without a transaction (Empty, CompleteCommit, CompleteAbort) for
     * longer than {@code transactional.id.expiration.ms}: a tombstone in {@code __transaction_state},
     * then the id is dropped from memory. A prepared two-phase transaction is Ongoing and never expires.
     */
    void removeExpiredTransactionalIds() {
        long now = time.milliseconds();
        for (TransactionMetadata md : state.all()) {
            TxnRecord expired;
            synchronized (md) {
                TxnRecord c = md.current;
                boolean idle = c != null && (c.state() == TransactionState.EMPTY || c.state() == TransactionState.COMPLETE_COMMIT
                        || c.state() == TransactionState.COMPLETE_ABORT);
                if (md.pending || md.removed || !idle || now - c.lastUpdateTimestamp() < config.idExpirationMs()) {
                    continue;
                }
                md.pending = true;
                expired = c;
            }
            CompletableFuture<?> written;
            try {
                written = state.writeTombstone(md);
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            written.whenComplete((v, e) -> {
                synchronized (md) {
                    md.pending = false;
                    if (e == null && md.current == expired) {
                        md.removed = true;
                        state.remove(md);
                    }
                }
                md.signalChange();
                if (e == null) {
                    log.info("Transactional id {} expired (producer id {}, idle since {})", md.transactionalId,
                            expired.producerId(), expired.lastUpdateTimestamp());
                }
            });
        }
    }

    // ---------------------------------------------------------------- failover

    /**
     * Becomes the coordinator of one {@code __transaction_state} partition: replays it and finishes the
     * markers of the transactions found prepared.
     *
     * @param coordinatorEpoch the partition's leader epoch
     */
    public void load(int partition, int coordinatorEpoch, PartitionLog partitionLog) {
        Collection<TransactionMetadata> loaded = state.load(partition, coordinatorEpoch, partitionLog);
        for (TransactionMetadata md : loaded) {
            TxnRecord current;
            synchronized (md) {
                current = md.current;
            }
            if (current != null && current.state().isPrepare()) {
                log.info("Transactional id {} was {} at failover; writing its markers", md.transactionalId,
                        current.state().displayName());
                writeMarkers(md, current, coordinatorEpoch);
            }
        }
    }

    /** Stops coordinating the ids of one partition. */
    public void unload(int partition) {
        state.unload(partition);
    }

    /** Bounds the size of one {@code __transaction_state} partition. */
    public boolean maybeCompact(int partition, PartitionLog partitionLog) {
        return state.maybeCompact(partition, partitionLog, 2L * config.stateTopicSegmentBytes());
    }

    @Override
    public void close() {
        joiner.close();
        markers.close();
    }
}
