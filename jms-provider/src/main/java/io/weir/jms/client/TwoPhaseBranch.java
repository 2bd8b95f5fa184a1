package io.weir.jms.client;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * The Kafka side of one XA transaction branch: a Kafka transaction of its own {@code transactional.id} (derived from
 * the Xid), initialised with two-phase commit enabled so that the coordinator never times it out, written through
 * {@link TwoPhaseClient}.
 *
 * <ul>
 *   <li>{@link #begin}: InitProducerId v6 ({@code enable_2pc}); an older instance of the id is fenced and what it
 *       left open aborted (a branch id is new per Xid, so that only happens to a reused Xid).</li>
 *   <li>{@link #send}: records are kept here, in order, until {@link #flush} (at prepare or one-phase commit); the
 *       futures and callbacks complete then.</li>
 *   <li>{@link #addOffsets}: consumed positions join the transaction (AddOffsetsToTxn + TxnOffsetCommit).</li>
 *   <li>{@link #flush}: AddPartitionsToTxn for the new partitions, then one transactional batch per partition
 *       (acks=all). After it, everything of the branch is durable in the replicated logs and the transaction is
 *       Ongoing at the coordinator, in {@code __transaction_state}: prepared.</li>
 *   <li>{@link #end}: EndTxn. A branch whose producer is gone is ended by {@link TwoPhaseClient#completePrepared}.</li>
 * </ul>
 * Records with a key go to the partition kafka-clients' default partitioner picks (murmur2 of the key), so a
 * message group stays on one partition whichever sender wrote it; records without a key stick to one partition of
 * the topic per branch. Thread-safe (synchronized).
 */
public final class TwoPhaseBranch {

    private final TwoPhaseClient client;
    private final String transactionalId;
    private final LongSupplier clock;
    private final List<Pending> buffered = new ArrayList<>();
    private final Map<TopicPartition, Integer> sequences = new HashMap<>();
    private final Set<TopicPartition> added = new HashSet<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    /** A session's transaction timeout; -1 for an XA branch (two-phase, never timed out by the coordinator). */
    private final int sessionTimeoutMs;
    private long producerId = -1;
    private short epoch = -1;
    private boolean offsetsAdded;
    /** Share acknowledgements were made inside this transaction (the share-partition leaders joined it). */
    private boolean shareAcks;
    private boolean ended;
    private boolean commitRequested;

    private record Pending(ProducerRecord<byte[], byte[]> record, Callback callback, CompletableFuture<RecordMetadata> future) {
    }

    public TwoPhaseBranch(TwoPhaseClient client, String transactionalId, LongSupplier clock) {
        this(client, transactionalId, clock, -1);
    }

    private TwoPhaseBranch(TwoPhaseClient client, String transactionalId, LongSupplier clock, int sessionTimeoutMs) {
        this.client = client;
        this.transactionalId = transactionalId;
        this.clock = clock;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /**
     * The transactions of a transacted session, one after the other under one producer id and epoch
     * ({@link SessionTransactionEngine}): initialised without two-phase commit (the coordinator aborts a transaction open
     * longer than {@code transactionTimeoutMs}), and {@link #next} after each end.
     */
    public static TwoPhaseBranch forSession(TwoPhaseClient client, String transactionalId, LongSupplier clock,
                                            int transactionTimeoutMs) {
        return new TwoPhaseBranch(client, transactionalId, clock, transactionTimeoutMs);
    }

    public String transactionalId() {
        return transactionalId;
    }

    /**
     * InitProducerId: two-phase for an XA branch; for a session, fences any other instance of the id and ends what it
     * left open.
     */
    public synchronized void begin() {
        TwoPhaseClient.Init init = sessionTimeoutMs < 0 ? client.initProducerId(transactionalId, false)
                : client.initProducerId(transactionalId, sessionTimeoutMs, -1, (short) -1);
        initialized(init);
    }

    /**
     * A session's producer asks for a new epoch after a transaction failed (KIP-360): whatever of it is still open is
     * aborted. Throws {@link TwoPhaseClient.TwoPhaseException} PRODUCER_FENCED when another instance took the id over.
     */
    public synchronized void bumpEpoch() {
        initialized(client.initProducerId(transactionalId, sessionTimeoutMs, producerId, epoch));
    }

    private void initialized(TwoPhaseClient.Init init) {
        if (init.producerId() != producerId || init.producerEpoch() != epoch) {
            sequences.clear(); // sequence numbers count per producer id and epoch
        }
        producerId = init.producerId();
        epoch = init.producerEpoch();
        reset();
    }

    /** A session's next transaction, under the same producer id and epoch, once the previous one ended. */
    public synchronized void next() {
        if (!ended) {
            throw new IllegalStateException("The transaction of " + transactionalId + " has not ended");
        }
        reset();
    }

    private void reset() {
        buffered.clear();
        added.clear();
        offsetsAdded = false;
        shareAcks = false;
        ended = false;
        commitRequested = false;
    }

    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        checkOpen();
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        buffered.add(new Pending(record, callback, f));
        return f;
    }

    public synchronized void addOffsets(ConsumerEngine.TransactionalOffsets offsets) {
        checkOpen();
        if (offsets.isEmpty()) {
            return;
        }
        client.addOffsets(transactionalId, producerId, epoch, offsets.offsets(), offsets.group());
        offsetsAdded = true;
    }

    /**
     * The transaction share acknowledgements join ({@link ShareQueueReader#acceptInTransaction}); from now on the branch
     * counts as having work (its EndTxn ends them).
     */
    public synchronized TransactionalShareAcks.Transaction shareTransaction() {
        checkOpen();
        shareAcks = true;
        return new TransactionalShareAcks.Transaction(transactionalId, producerId, epoch);
    }

    /** Nothing sent, no positions, no share acknowledgements: the branch would commit nothing (XA_RDONLY). */
    public synchronized boolean isEmpty() {
        return buffered.isEmpty() && added.isEmpty() && !offsetsAdded && !shareAcks;
    }

    /** Writes what was sent; on failure every waiting send fails with the cause, and the cause is thrown. */
    public synchronized void flush() {
        checkOpen();
        if (buffered.isEmpty()) {
            return;
        }
        List<Pending> todo = new ArrayList<>(buffered);
        buffered.clear();
        try {
            Map<TopicPartition, List<Pending>> byPartition = new LinkedHashMap<>();
            for (Pending p : todo) {
                byPartition.computeIfAbsent(partitionOf(p.record()), tp -> new ArrayList<>()).add(p);
            }
            List<TopicPartition> fresh = byPartition.keySet().stream().filter(tp -> !added.contains(tp)).toList();
            if (!fresh.isEmpty()) {
                client.addPartitions(transactionalId, producerId, epoch, fresh);
                added.addAll(fresh);
            }
            for (Map.Entry<TopicPartition, List<Pending>> e : byPartition.entrySet()) {
                for (List<Pending> batch : batches(e.getValue())) {
                    write(e.getKey(), batch);
                }
            }
        } catch (RuntimeException e) {
            for (Pending p : todo) {
                if (!p.future().isDone()) {
                    p.future().completeExceptionally(e);
                    if (p.callback() != null) {
                        p.callback().onCompletion(null, e);
                    }
                }
            }
            throw e;
        }
    }

    /** Bytes of record data one batch carries at most: well below the broker's default message.max.bytes (1 MiB). */
    private static final int BATCH_BYTES = 256 * 1024;

    /** The records in batches of at most {@link #BATCH_BYTES} (a larger record alone). */
    private static List<List<Pending>> batches(List<Pending> records) {
        List<List<Pending>> out = new ArrayList<>();
        List<Pending> current = new ArrayList<>();
        int bytes = 0;
        for (Pending p : records) {
            int size = size(p.record());
            if (!current.isEmpty() && bytes + size > BATCH_BYTES) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static int size(ProducerRecord<byte[], byte[]> r) {
        int size = 32 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        if (r.headers() != null) {
            for (Header h : r.headers()) {
                size += 8 + h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
        }
        return size;
    }

    private void write(TopicPartition tp, List<Pending> records) {
        long now = clock.getAsLong();
        List<SimpleRecord> simple = new ArrayList<>(records.size());
        for (Pending p : records) {
            ProducerRecord<byte[], byte[]> r = p.record();
            Header[] headers = r.headers() == null ? new Header[0] : r.headers().toArray();
            simple.add(new SimpleRecord(r.timestamp() == null ? now : r.timestamp(), r.key(), r.value(), headers));
        }
        int sequence = sequences.getOrDefault(tp, 0);
        long base = client.produce(transactionalId, producerId, epoch, tp, sequence, simple);
        sequences.put(tp, sequence + records.size());
        for (int i = 0; i < records.size(); i++) {
            Pending p = records.get(i);
            SimpleRecord s = simple.get(i);
            RecordMetadata md = new RecordMetadata(tp, base, i, s.timestamp(),
                    s.key() == null ? -1 : s.key().remaining(), s.value() == null ? -1 : s.value().remaining());
            p.future().complete(md);
            if (p.callback() != null) {
                p.callback().onCompletion(md, null);
            }
        }
    }

    private TopicPartition partitionOf(ProducerRecord<byte[], byte[]> r) {
        if (r.partition() != null) {
            return new TopicPartition(r.topic(), r.partition());
        }
        int count = partitionCounts.computeIfAbsent(r.topic(), client::partitionCount);
        byte[] key = r.key() != null ? r.key() : transactionalId.getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(r.topic(), Utils.toPositive(Utils.murmur2(key)) % count);
    }

    /**
     * Commits ({@code commit}) or aborts the transaction. Unflushed sends are written first for a commit and dropped
     * (their senders told) for an abort. A branch with nothing on the broker needs no EndTxn.
     */
    public synchronized void end(boolean commit) {
        if (ended) {
            return;
        }
        if (commit) {
            flush();
        } else {
            for (Pending p : buffered) {
                RuntimeException e = new org.apache.kafka.common.KafkaException("The transaction was rolled back");
                p.future().completeExceptionally(e);
                if (p.callback() != null) {
                    p.callback().onCompletion(null, e);
                }
            }
            buffered.clear();
        }
        if (!added.isEmpty() || offsetsAdded || shareAcks) {
            commitRequested = commit;
            client.endTxn(transactionalId, producerId, epoch, commit);
        }
        ended = true;
    }

    /**
     * Whether an EndTxn committing this transaction went out (answered or not): after a failure, the coordinator may
     * have logged the commit.
     */
    public synchronized boolean commitRequested() {
        return commitRequested;
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("The transaction of " + transactionalId + " has ended");
        }
        if (producerId < 0) {
            throw new IllegalStateException("The transaction of " + transactionalId + " has not begun");
        }
    }

    @Override
    public String toString() {
        return "TwoPhaseBranch(" + transactionalId + ", producer " + producerId + "/" + epoch + ")";
    }
}
