package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One member of a queue's share group and the thread that owns its {@link KafkaShareConsumer} (explicit
 * acknowledgement): it polls one batch when its {@link ShareQueueReader} asks for records and every record of
 * the previous batch has a decision, hands the decisions to the Kafka client, and commits them when asked.
 * State marked "guarded" belongs to the reader's lock.
 */
final class ShareLane {

    private static final Logger log = LoggerFactory.getLogger(ShareLane.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** Polls while joining: short, so that the lane reports its membership as soon as the broker answered it. */
    private static final Duration JOIN_POLL = Duration.ofMillis(5);
    private static final long JOIN_POLLS_MS = 50;
    /** kafka-clients settings a share consumer refuses (they belong to classic groups). */
    private static final List<String> NOT_FOR_SHARE = List.of("auto.offset.reset", "enable.auto.commit",
            "group.instance.id", "isolation.level", "partition.assignment.strategy", "interceptor.classes",
            "session.timeout.ms", "heartbeat.interval.ms", "group.protocol", "group.remote.assignor");

    private final ShareQueueReader reader;
    private final String clientId;
    private final KafkaShareConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    /** The broker answered this member's join with its assignment (the client's first reconciliation ended). */
    private volatile boolean joined;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    /** How many records one poll acquires at most ({@code max.poll.records}). */
    final int maxRecords;

    /** Records of the last poll not yet acknowledged to the Kafka client (guarded). */
    final List<ShareQueueReader.Held> batch = new ArrayList<>();
    /** Records of {@link #batch} with a decision not yet handed to the client (guarded). */
    int pendingDecisions;
    /** Acknowledgements handed to the client and not yet sent (guarded). */
    boolean unsentAcks;
    /** Asked to send the acknowledgements now (guarded). */
    boolean asyncFlush;
    /** When the decisions made so far are sent at the latest, unless a fetch or a flush takes them first (guarded). */
    long flushDueAt = Long.MAX_VALUE;
    /** Not to fetch before this time (guarded; see ShareQueueReader's hand-back pause). */
    long fetchNotBefore;
    /** Waiting for the broker's answer to the acknowledgements (guarded). */
    final List<CompletableFuture<Void>> syncFlushes = new ArrayList<>();
    /** Replaced by a lane that acquires more: fetches no more, closes once its batch is decided (guarded). */
    boolean retiring;
    /** The thread has taken its last work and closes the Kafka client (guarded). */
    boolean stopped;
    /** When the last poll's records were offered, and how many (guarded; see ShareQueueReader's lane sizing). */
    long offeredAt;
    int offered;

    /**
     * @param maxRecords {@code max.poll.records}, unless the connection's consumer settings name one
     */
    ShareLane(ShareQueueReader reader, String clientId, int maxRecords) {
        this.reader = reader;
        this.clientId = clientId;
        ShareQueueReader.Settings s = reader.settings();
        Properties p = new Properties();
        p.putAll(s.base());
        NOT_FOR_SHARE.forEach(p::remove);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("group.id", s.groupId());
        p.put("client.id", clientId);
        p.put("share.acknowledgement.mode", "explicit");
        // small acquisitions, so that the members of a queue share even a one-partition queue evenly
        p.putIfAbsent("share.acquire.mode", "record_limit");
        p.putIfAbsent("max.poll.records", Integer.toString(maxRecords));
        this.maxRecords = Integer.parseInt(String.valueOf(p.get("max.poll.records")).trim());
        this.consumer = KafkaClients.create(() -> new KafkaShareConsumer<>(p));
        this.thread = new Thread(this::run, "weir-jms-share-" + clientId);
        this.thread.setDaemon(true);
    }

    String clientId() {
        return clientId;
    }

    void start() {
        thread.start();
    }

    /** Whether a record of this lane's batch still waits for a decision (guarded). */
    boolean holdsUndecided() {
        return batch.size() > pendingDecisions;
    }

    boolean hasPolled() {
        return firstPoll.isDone();
    }

    /** Whether the broker has answered this member's join with its assignment (else ask the broker). */
    boolean joined() {
        return joined;
    }

    /**
     * Whether the client completed its first reconciliation: it joined and the broker sent its assignment (the share
     * consumer's {@code rebalance-total} metric counts them; absent from a client that has none, then false).
     */
    private boolean reconciled() {
        for (var e : consumer.metrics().entrySet()) {
            if ("rebalance-total".equals(e.getKey().name()) && e.getKey().group().endsWith("coordinator-metrics")) {
                Object v = e.getValue().metricValue();
                return v instanceof Number n && n.doubleValue() >= 1;
            }
        }
        return false;
    }

    boolean isFinished() {
        return finished.isDone();
    }

    void awaitFirstPoll(long timeoutMs) throws Exception {
        try {
            firstPoll.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.debug("Share consumer {} has not polled within {} ms", clientId, timeoutMs);
        }
    }

    CompletableFuture<Void> finished() {
        return finished;
    }

    void awaitFinished(long timeoutMs) {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            finished.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Share consumer {} did not close within {} ms", clientId, timeoutMs);
        }
    }

    /** What the thread does next, taken under the reader's lock. */
    private record Work(List<ShareQueueReader.Held> decided, List<CompletableFuture<Void>> syncFlushes,
                        boolean asyncFlush, boolean fetch, boolean stop) {
    }

    private Work nextWork() throws InterruptedException {
        reader.lock.lock();
        try {
            while (true) {
                // decisions are handed to the client only when something is sent (a fetch carries them, or a flush),
                // so that a consumer acknowledging message by message does not wake this thread for each
                long now = reader.now();
                reader.handBackIdle(this, now);
                boolean async = asyncFlush || now >= flushDueAt;
                boolean settle = (reader.isClosing() || retiring) && pendingDecisions > 0;
                boolean stop = (reader.isClosing() || retiring) && batch.size() == pendingDecisions;
                boolean fetch = !stop && reader.wantsFetch(this);
                if (stop || fetch || async || settle || !syncFlushes.isEmpty()) {
                    List<ShareQueueReader.Held> decided = new ArrayList<>();
                    if (pendingDecisions > 0) {
                        for (Iterator<ShareQueueReader.Held> it = batch.iterator(); it.hasNext(); ) {
                            ShareQueueReader.Held h = it.next();
                            if (h.decision != null) {
                                decided.add(h);
                                it.remove();
                            }
                        }
                        pendingDecisions = 0;
                    }
                    List<CompletableFuture<Void>> flushes = new ArrayList<>(syncFlushes);
                    syncFlushes.clear();
                    asyncFlush = false;
                    flushDueAt = Long.MAX_VALUE;
                    if (stop) {
                        stopped = true;
                    }
                    if (fetch) {
                        reader.fetchStarted(this);
                    }
                    return new Work(decided, flushes, async, fetch, stop);
                }
                reader.changed.await(Math.max(1, Math.min(100, flushDueAt - now)), TimeUnit.MILLISECONDS);
            }
        } finally {
            reader.lock.unlock();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(reader.settings().topic()));
            // short polls until records arrive or the broker knows the member, bounded as one ordinary poll was
            ConsumerRecords<byte[], byte[]> first;
            long joinUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_POLLS_MS);
            do {
                first = consumer.poll(JOIN_POLL);
                joined = joined || !first.isEmpty() || reconciled(); // records come only to an assigned member
            } while (first.isEmpty() && !joined && System.nanoTime() < joinUntil);
            if (!first.isEmpty()) {
                consumer.acquisitionLockTimeoutMs().ifPresent(reader::lockDuration);
            }
            reader.accept(this, first);
            firstPoll.complete(null);
            while (true) {
                Work w = nextWork();
                apply(w.decided());
                if (!w.syncFlushes().isEmpty() || (w.stop() && unsent())) {
                    commitSync(w.syncFlushes());
                } else if (w.asyncFlush() && !w.fetch() && unsent()) {
                    consumer.commitAsync();
                    setUnsent(false);
                }
                if (w.stop()) {
                    break;
                }
                if (w.fetch()) {
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        if (unsent()) {
                            // the decisions go as a ShareAcknowledge of their own, ahead of the poll's fetch, never on
                            // that fetch: kafka-clients keeps the acknowledgements a poll hands it while an earlier fetch
                            // (one it sent ahead) is in flight for the fetch after that one, and sends no further fetch
                            // once the earlier one returned records, until the next poll; this lane polls only once the
                            // records it got are decided, so they waited there until their locks ran out and came back
                            consumer.commitAsync();
                            setUnsent(false);
                        }
                        records = consumer.poll(POLL);
                        if (!records.isEmpty() && log.isTraceEnabled()) {
                            log.trace("Share consumer {} polled {} records: {}", clientId, records.count(), offsets(records));
                        }
                        if (!records.isEmpty()) {
                            consumer.acquisitionLockTimeoutMs().ifPresent(reader::lockDuration);
                        }
                    } finally {
                        reader.fetchDone(this);
                    }
                    reader.accept(this, records);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            reader.failed(e);
        } finally {
            firstPoll.complete(null);
            failWaiting();
            try {
                consumer.close(Duration.ofSeconds(5)); // commits what was acknowledged, releases the rest
            } catch (RuntimeException e) {
                log.debug("Closing share consumer {} failed", clientId, e);
            }
            finished.complete(null);
            reader.laneFinished(this);
        }
    }

    private static String offsets(ConsumerRecords<byte[], byte[]> records) {
        StringBuilder b = new StringBuilder();
        for (var r : records) {
            b.append(r.partition()).append('@').append(r.offset()).append(' ');
        }
        return b.toString();
    }

    private boolean unsent() {
        reader.lock.lock();
        try {
            return unsentAcks;
        } finally {
            reader.lock.unlock();
        }
    }

    private void setUnsent(boolean value) {
        reader.lock.lock();
        try {
            unsentAcks = value;
        } finally {
            reader.lock.unlock();
        }
    }

    /** Hands decisions to the Kafka client (the dead-letter copy first, on this thread). */
    private void apply(List<ShareQueueReader.Held> decided) {
        if (decided.isEmpty()) {
            return;
        }
        for (ShareQueueReader.Held h : decided) {
            ShareQueueReader.Decision d = h.decision;
            if (d == ShareQueueReader.Decision.LEAVE) {
                continue; // never delivered: the share session's close releases it, uncounted
            }
            if (d == ShareQueueReader.Decision.DEAD_LETTER && !reader.deadLetter(h)) {
                d = ShareQueueReader.Decision.RELEASE;
            }
            consumer.acknowledge(h.record, ShareQueueReader.type(d));
        }
        reader.lock.lock();
        try {
            for (ShareQueueReader.Held h : decided) {
                reader.applied(h);
            }
            unsentAcks = true;
            reader.changed.signalAll();
        } finally {
            reader.lock.unlock();
        }
    }

    private void commitSync(List<CompletableFuture<Void>> flushes) {
        try {
            Map<TopicIdPartition, Optional<KafkaException>> result = consumer.commitSync();
            setUnsent(false);
            KafkaException failed = null;
            for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : result.entrySet()) {
                if (e.getValue().isPresent()) {
                    failed = e.getValue().get();
                    log.warn("Acknowledging records of {} in share group {} failed: {}", e.getKey(),
                            reader.settings().groupId(), failed.toString());
                }
            }
            for (CompletableFuture<Void> f : flushes) {
                if (failed == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failed);
                }
            }
        } catch (RuntimeException e) {
            flushes.forEach(f -> f.completeExceptionally(e));
            throw e;
        }
    }

    private void failWaiting() {
        reader.lock.lock();
        try {
            for (CompletableFuture<Void> f : syncFlushes) {
                f.completeExceptionally(new java.lang.IllegalStateException("share consumer " + clientId + " closed"));
            }
            syncFlushes.clear();
        } finally {
            reader.lock.unlock();
        }
    }
}
