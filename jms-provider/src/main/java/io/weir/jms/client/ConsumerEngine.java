package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One {@link KafkaConsumer} and the thread that owns it. The JMS layer never touches the Kafka consumer: it
 * takes records from this engine's buffer and hands back commands (consumed, commit, rewind, close) that the
 * poll thread runs between polls; a command someone waits for (a synchronous commit, a rewind, close) cuts the
 * running poll short ({@link PollWaker}), so it costs a broker round trip, not a poll timeout. Two kinds:
 * <ul>
 *   <li><b>group</b> ({@code groupId != null}): subscribes to the topic in that consumer group; progress is
 *       restored from, and committed to, the group's offsets ({@link PartitionProgress});</li>
 *   <li><b>assigned</b>: takes every partition of the topic without a group, starting at the log end captured at
 *       start (a non-durable subscription); progress lives only in memory.</li>
 * </ul>
 * Thread-safe: the buffer and progress maps are guarded by one lock; the Kafka consumer is used by the poll
 * thread alone.
 */
public final class ConsumerEngine implements ReaderEngine {

    private static final Logger log = LoggerFactory.getLogger(ConsumerEngine.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int MAX_BUFFERED = 1000;
    /**
     * How long a delivery may stay known only to this process: a message delivered and not acknowledged for that
     * long has its delivery count committed (one asynchronous commit for every such delivery of the engine), so a
     * member that gets the partition after this process died still flags it redelivered.
     */
    static final long DELIVERY_FLUSH_MS = 1_000;

    /** Where a new group with no committed offset starts. */
    public enum Start { EARLIEST, LATEST }

    private final String topic;
    private final String groupId;
    private final Start start;
    private final boolean commitInitial;
    private final String signature;
    private final LongSupplier clock;
    private final Runnable onRecords;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PollWaker<byte[], byte[]> waker;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private final java.util.PriorityQueue<Parked> parked = new java.util.PriorityQueue<>();
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Map<TopicPartition, Long> nextExpected = new HashMap<>();
    /**
     * The progress of partitions revoked or lost while they had deliveries not consumed: if such a partition comes
     * back, its delivery counts are merged into the committed progress (the last deliveries may never have been
     * committed), so a message delivered here before is flagged redelivered.
     */
    private final Map<TopicPartition, PartitionProgress> departed = new HashMap<>();
    /** When the oldest delivery not yet in a commit was recorded; Long.MAX_VALUE: none. Guarded by lock. */
    private long unflushedDeliverySince = Long.MAX_VALUE;
    /** The engine's offsets were committed in a transaction: no commits of its own besides acknowledgements. */
    private volatile boolean transactional;
    /** Records handed out by {@link #take} and neither consumed nor given back, by partition and offset. */
    private final Map<TopicPartition, Map<Long, ConsumerRecord<byte[], byte[]>>> handedOut = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean asyncCommitQueued = new AtomicBoolean();
    /** Completes when the broker answered the latest asynchronous commit (written on the poll thread). */
    private volatile CompletableFuture<Void> asyncAnswered = CompletableFuture.completedFuture(null);
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile boolean paused; // the buffer was full: fetching is paused until it drains to half
    private boolean started;
    private volatile RuntimeException failure;
    private long takeGeneration;

    private record Parked(long dueAt, long seq, ConsumerRecord<byte[], byte[]> record) implements Comparable<Parked> {
        @Override
        public int compareTo(Parked o) {
            int c = Long.compare(dueAt, o.dueAt);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private long parkSeq;
    /**
     * For a group-less engine: where its consumed positions are kept between engines (a temporary queue's, in its
     * connection), read when it starts and written on each commit; null for none.
     */
    private volatile Map<TopicPartition, OffsetAndMetadata> positionStore;
    /** What {@link #start} was given, set before the poll thread starts. */
    private volatile long readyTimeoutMs;

    /**
     * @param signature for a durable subscription, what it was created with: a committed position recorded under
     *                  another signature belongs to an older subscription of the same name and is discarded
     */
    public ConsumerEngine(String name, Properties base, String topic, String groupId, Start start,
                          boolean commitInitial, String signature, LongSupplier clock, Runnable onRecords) {
        this.signature = signature;
        this.topic = topic;
        this.groupId = groupId;
        this.start = start;
        this.commitInitial = commitInitial;
        this.clock = clock;
        this.onRecords = onRecords;
        Properties p = new Properties();
        p.putAll(base);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", start == Start.EARLIEST ? "earliest" : "latest");
        p.put("client.id", name);
        if (groupId != null) {
            p.put("group.id", groupId);
            p.putIfAbsent("group.protocol", "classic");
            p.putIfAbsent("heartbeat.interval.ms", "500");
            p.putIfAbsent("session.timeout.ms", "10000");
        } else {
            p.remove("group.id");
        }
        this.consumer = KafkaClients.create(() -> new KafkaConsumer<byte[], byte[]>(p));
        this.waker = new PollWaker<>(consumer, () -> closing || !commands.isEmpty());
        this.thread = new Thread(this::run, "weir-jms-consumer-" + name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts polling and waits (bounded) until the starting position is fixed.
     *
     * @param readyTimeoutMs how long to wait for it; a group-less reader also waits that long for its topic's partitions
     */
    public void start(long readyTimeoutMs) throws Exception {
        synchronized (this) {
            if (!started) {
                started = true;
                this.readyTimeoutMs = readyTimeoutMs;
                thread.start();
            }
        }
        try {
            ready.get(readyTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (groupId == null) {
                close();
                throw e;
            }
            // a group may legitimately hand this member no partition yet (another member holds them)
            log.debug("Consumer of {} in group {} has no assignment after {} ms", topic, groupId, readyTimeoutMs);
        }
    }

    /**
     * A group-less engine starts from the positions in {@code store} (where one is recorded) and records its consumed
     * positions there on each commit: a temporary queue is read by its connection only, so its positions need not
     * travel through a consumer group (whose first join waits out the broker's initial rebalance delay, and whose
     * commits are a broker write per acknowledgement). Before {@link #start}.
     */
    public void keepPositionsIn(Map<TopicPartition, OffsetAndMetadata> store) {
        if (groupId != null) {
            throw new IllegalStateException("A group's positions are the group's");
        }
        this.positionStore = store;
    }

    public String topic() {
        return topic;
    }

    public String groupId() {
        return groupId;
    }

    // ------------------------------------------------------------------ poll thread

    private void run() {
        try {
            if (groupId == null) {
                assignAll();
            } else {
                consumer.subscribe(List.of(topic), new Rebalance());
            }
            while (!closing) {
                runCommands();
                maybeFlushDeliveries();
                manageFlow();
                ConsumerRecords<byte[], byte[]> records = waker.poll(POLL);
                if (!records.isEmpty()) {
                    accept(records);
                }
            }
            runCommands();
            commitNow(true);
        } catch (RuntimeException e) {
            if (!closing) {
                log.warn("Consumer of topic {} (group {}) failed: {}", topic, groupId, e.toString());
                failure = e;
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Closing the consumer of {} failed", topic, e);
            }
            asyncAnswered.complete(null);
            lock.lock();
            try {
                closing = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            ready.complete(null);
            Runnable r;
            while ((r = commands.poll()) != null) {
                r.run();
            }
            closedFuture.complete(null);
            onRecords.run();
        }
    }

    private void assignAll() {
        List<PartitionInfo> infos = null;
        long deadline = clock.getAsLong() + readyTimeoutMs;
        while (!closing && (infos == null || infos.isEmpty())) {
            infos = consumer.partitionsFor(topic, Duration.ofMillis(Math.min(5_000, readyTimeoutMs)));
            if ((infos == null || infos.isEmpty()) && clock.getAsLong() > deadline) {
                throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("No partitions for topic " + topic);
            }
        }
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo pi : infos) {
            tps.add(new TopicPartition(pi.topic(), pi.partition()));
        }
        consumer.assign(tps);
        if (start == Start.LATEST) {
            consumer.seekToEnd(tps);
        } else {
            consumer.seekToBeginning(tps);
        }
        Map<TopicPartition, OffsetAndMetadata> stored = positionStore;
        lock.lock();
        try {
            for (TopicPartition tp : tps) {
                OffsetAndMetadata om = stored == null ? null : stored.get(tp);
                if (om != null) {
                    consumer.seek(tp, om.offset());
                    progress.put(tp, PartitionProgress.restore(om.offset(), om.metadata()));
                    nextExpected.put(tp, om.offset());
                    continue;
                }
                long pos = consumer.position(tp);
                progress.put(tp, new PartitionProgress(pos));
                nextExpected.put(tp, pos);
            }
        } finally {
            lock.unlock();
        }
        ready.complete(null);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            waker.holdWakeups();
            try {
                commitPartitions(partitions);
                drop(partitions);
            } finally {
                waker.releaseWakeups();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            waker.holdWakeups();
            try {
                assigned(partitions);
            } finally {
                waker.releaseWakeups();
            }
        }

        private void assigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> committed = committedPositions(partitions);
                if (signature != null) {
                    List<TopicPartition> stale = new ArrayList<>();
                    for (TopicPartition tp : partitions) {
                        OffsetAndMetadata om = committed.get(tp);
                        if (om != null && !signature.equals(PartitionProgress.restore(om.offset(), om.metadata()).signature())) {
                            committed.remove(tp);
                            stale.add(tp);
                        }
                    }
                    if (!stale.isEmpty()) {
                        log.info("Subscription {} on {} was created anew (selector or no-local changed): starting at the end",
                                groupId, topic);
                        if (start == Start.LATEST) {
                            consumer.seekToEnd(stale);
                        } else {
                            consumer.seekToBeginning(stale);
                        }
                    }
                }
                boolean needCommit = false;
                lock.lock();
                try {
                    for (TopicPartition tp : partitions) {
                        OffsetAndMetadata om = committed.get(tp);
                        PartitionProgress pp;
                        if (om != null) {
                            pp = PartitionProgress.restore(om.offset(), om.metadata());
                        } else {
                            pp = new PartitionProgress(-1);
                        }
                        progress.put(tp, pp);
                    }
                } finally {
                    lock.unlock();
                }
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata om = committed.get(tp);
                    long pos;
                    if (om != null) {
                        consumer.seek(tp, om.offset());
                        pos = om.offset();
                    } else {
                        pos = waker.retryIfWoken(() -> consumer.position(tp));
                        lock.lock();
                        try {
                            PartitionProgress fresh = new PartitionProgress(pos);
                            if (signature != null) {
                                fresh.setSignature(signature);
                            }
                            progress.put(tp, fresh);
                        } finally {
                            lock.unlock();
                        }
                        needCommit |= commitInitial;
                    }
                    lock.lock();
                    try {
                        nextExpected.put(tp, pos);
                        PartitionProgress earlier = departed.remove(tp);
                        if (earlier != null) {
                            progress.get(tp).mergeDeliveries(earlier);
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                if (needCommit) {
                    // a new durable subscription exists from here on, even if nothing is ever acknowledged
                    Map<TopicPartition, OffsetAndMetadata> initial = new HashMap<>();
                    lock.lock();
                    try {
                        for (TopicPartition tp : partitions) {
                            if (committed.get(tp) == null) {
                                PartitionProgress pp = progress.get(tp);
                                initial.put(tp, new OffsetAndMetadata(pp.base(), pp.encodeAbove()));
                                pp.markClean();
                            }
                        }
                    } finally {
                        lock.unlock();
                    }
                    waker.retryIfWoken(() -> {
                        consumer.commitSync(initial);
                        return null;
                    });
                }
            }
            ready.complete(null);
        }
    }

    /**
     * The group's committed positions. They stay unstable while a transaction that added offsets for them is
     * open (a transacted session of a crashed client, until its transactional id is reused or the transaction
     * times out): keep asking rather than fail the consumer.
     */
    private Map<TopicPartition, OffsetAndMetadata> committedPositions(Collection<TopicPartition> partitions) {
        while (true) {
            try {
                return new HashMap<>(waker.retryIfWoken(() -> consumer.committed(new HashSet<>(partitions))));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (closing) {
                    throw e;
                }
                log.warn("Group {}: the committed positions of {} are not known yet (an open transaction?); asking again",
                        groupId, partitions);
            }
        }
    }

    private void drop(Collection<TopicPartition> partitions) {
        Set<TopicPartition> gone = new HashSet<>(partitions);
        lock.lock();
        try {
            buffer.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
            parked.removeIf(p -> gone.contains(new TopicPartition(p.record.topic(), p.record.partition())));
            for (TopicPartition tp : gone) {
                PartitionProgress pp = progress.remove(tp);
                if (pp != null && pp.hasDeliveries()) {
                    departed.put(tp, pp); // what was delivered here stays counted if the partition comes back
                }
                nextExpected.remove(tp);
                handedOut.remove(tp); // the partition's next owner reads them again from its committed position
            }
        } finally {
            lock.unlock();
        }
    }

    private void manageFlow() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return;
        }
        int size;
        lock.lock();
        try {
            size = buffer.size();
        } finally {
            lock.unlock();
        }
        if (size >= MAX_BUFFERED) {
            consumer.pause(assignment);
            paused = true;
        } else if (size <= MAX_BUFFERED / 2 && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        lock.lock();
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                PartitionProgress pp = progress.get(tp);
                if (pp == null) {
                    continue; // revoked meanwhile
                }
                Long expected = nextExpected.get(tp);
                if (expected != null && r.offset() > expected) {
                    // offsets that do not exist (log start moved, compaction): nothing to wait for there
                    if (expected <= pp.base()) {
                        log.debug("Group {}: {} skips from {} to {} (offsets not on the log)", groupId, tp, pp.base(),
                                r.offset());
                        pp.skipTo(r.offset());
                    }
                }
                nextExpected.put(tp, r.offset() + 1);
                if (pp.isConsumed(r.offset())) {
                    continue;
                }
                buffer.add(r);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onRecords.run();
    }

    /**
     * Commits the delivery counts of messages delivered and not acknowledged for {@link #DELIVERY_FLUSH_MS}, so
     * that they are known beyond this process; on the poll thread. Not for an engine whose offsets go through
     * transactions: a commit of its own could overtake a transaction's offsets.
     */
    private void maybeFlushDeliveries() {
        if (groupId == null || transactional) {
            return;
        }
        lock.lock();
        try {
            if (unflushedDeliverySince == Long.MAX_VALUE || clock.getAsLong() - unflushedDeliverySince < DELIVERY_FLUSH_MS) {
                return;
            }
        } finally {
            lock.unlock();
        }
        log.debug("Group {}: committing the delivery counts of messages not acknowledged yet", groupId);
        commitNow(false);
    }

    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            r.run();
        }
    }

    private void commitPartitions(Collection<TopicPartition> partitions) {
        if (groupId == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets;
        lock.lock();
        try {
            offsets = takeDirty(partitions);
        } finally {
            lock.unlock();
        }
        if (!offsets.isEmpty()) {
            try {
                waker.retryIfWoken(() -> {
                    consumer.commitSync(offsets);
                    return null;
                });
            } catch (RuntimeException e) {
                log.warn("Committing {} for group {} on revocation failed: {}", offsets, groupId, e.toString());
            }
        }
    }

    /** Records the consumed positions in the position store, if any (a group-less engine's commit). */
    private void storePositions() {
        Map<TopicPartition, OffsetAndMetadata> store = positionStore;
        if (store == null) {
            return;
        }
        lock.lock();
        try {
            store.putAll(takeDirty(progress.keySet()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The positions of {@code partitions} consumed since they were last taken (each partition of this engine with
     * progress to commit), marked clean; under the lock.
     */
    private Map<TopicPartition, OffsetAndMetadata> takeDirty(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress pp = progress.get(tp);
            if (pp != null && pp.isDirty() && pp.base() >= 0) {
                offsets.put(tp, new OffsetAndMetadata(pp.base(), pp.encodeAbove()));
                pp.markClean();
            }
        }
        return offsets;
    }

    /** Commits every dirty partition; on the poll thread. */
    private void commitNow(boolean sync) {
        if (groupId == null) {
            storePositions();
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets;
        lock.lock();
        try {
            offsets = takeDirty(progress.keySet());
            unflushedDeliverySince = Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
        if (offsets.isEmpty()) {
            return;
        }
        log.debug("Group {}: committing {} ({})", groupId, offsets, sync ? "sync" : "async");
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            CompletableFuture<Void> answered = new CompletableFuture<>();
            asyncAnswered = answered;
            consumer.commitAsync(offsets, (o, ex) -> {
                answered.complete(null);
                if (ex != null) {
                    log.debug("Asynchronous commit for group {} failed: {}", groupId, ex.toString());
                }
            });
        }
    }

    // ------------------------------------------------------------------ app side

    /**
     * The next record {@code chooser} takes: a parked record that became due first, else the oldest buffered one
     * it accepts; records it skips stay for the engine's other consumers. Waits up to {@code timeoutMs}
     * (negative: for ever, 0: not at all). Null on timeout, close or {@link #interruptTakers()}.
     */
    public ConsumerRecord<byte[], byte[]> take(long timeoutMs, Chooser chooser) throws InterruptedException {
        long deadline = timeoutMs > 0 ? clock.getAsLong() + timeoutMs : Long.MAX_VALUE;
        lock.lock();
        try {
            long generation = takeGeneration;
            while (true) {
                if (closing || generation != takeGeneration) {
                    return null;
                }
                if (failure != null) {
                    throw failure;
                }
                long now = clock.getAsLong();
                while (!parked.isEmpty() && parked.peek().dueAt <= now) {
                    buffer.addFirst(parked.poll().record);
                }
                java.util.Iterator<ConsumerRecord<byte[], byte[]>> it = buffer.iterator();
                while (it.hasNext()) {
                    ConsumerRecord<byte[], byte[]> r = it.next();
                    Choice choice = chooser.choose(r);
                    if (choice == Choice.SKIP) {
                        continue;
                    }
                    it.remove();
                    if (paused && buffer.size() == MAX_BUFFERED / 2) {
                        waker.wake(); // drained to half: resume fetching now, not after the current poll
                    }
                    if (choice == Choice.TAKE) {
                        handedOut.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>())
                                .put(r.offset(), r);
                        return r;
                    }
                    if (choice == Choice.CONSUMED) {
                        consumed(r);
                    }
                    it = buffer.iterator(); // PARKED may have changed the queue; rescan is cheap at these sizes
                }
                if (timeoutMs == 0) {
                    return null;
                }
                long wait = deadline == Long.MAX_VALUE ? 100 : deadline - now;
                Parked due = parked.peek();
                if (due != null) {
                    wait = Math.min(wait, due.dueAt - now);
                }
                if (wait <= 0) {
                    return null;
                }
                changed.await(Math.min(wait, 100), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** When the earliest parked record is due, or Long.MAX_VALUE. */
    public long nextDueAt() {
        lock.lock();
        try {
            Parked due = parked.peek();
            return due == null ? Long.MAX_VALUE : due.dueAt;
        } finally {
            lock.unlock();
        }
    }

    /** How often this record has been handed out (1 on first delivery); call once per delivery. */
    public int recordDelivery(ConsumerRecord<byte[], byte[]> r) {
        lock.lock();
        try {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            PartitionProgress pp = progress.get(tp);
            if (pp == null) {
                // revoked since it was taken: counted where the partition's counts are kept until it comes back
                PartitionProgress earlier = departed.get(tp);
                return earlier == null ? 1 : earlier.recordDelivery(r.offset());
            }
            if (unflushedDeliverySince == Long.MAX_VALUE) {
                unflushedDeliverySince = clock.getAsLong();
            }
            return pp.recordDelivery(r.offset());
        } finally {
            lock.unlock();
        }
    }

    /** Keeps {@code r} back until {@code dueAt} (a delayed message); later records are not held up. */
    public void park(ConsumerRecord<byte[], byte[]> r, long dueAt) {
        lock.lock();
        try {
            parked.add(new Parked(dueAt, parkSeq++, r));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records {@code r} as consumed by this queue or subscription (acknowledged, expired or filtered out). */
    public void consumed(ConsumerRecord<byte[], byte[]> r) {
        lock.lock();
        try {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            PartitionProgress pp = progress.get(tp);
            if (pp != null) {
                pp.consume(r.offset());
            }
            Map<Long, ConsumerRecord<byte[], byte[]>> out = handedOut.get(tp);
            if (out != null) {
                out.remove(r.offset());
            }
            log.debug("Group {}: {}@{} consumed{}", groupId, tp, r.offset(), pp == null ? " (partition no longer assigned)" : "");
        } finally {
            lock.unlock();
        }
    }

    /** Commits what was consumed; {@code sync} waits for the broker's answer. */
    public CompletableFuture<Void> commit(boolean sync) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (groupId == null) {
            storePositions();
            f.complete(null);
            return f;
        }
        if (!sync) {
            // one queued asynchronous commit covers every message consumed before it runs
            if (asyncCommitQueued.compareAndSet(false, true)) {
                submit(() -> {
                    asyncCommitQueued.set(false);
                    try {
                        commitNow(false);
                        f.complete(null);
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                }, f, false);
            } else {
                f.complete(null);
            }
            return f;
        }
        submit(() -> {
            try {
                commitNow(true);
                // an asynchronous commit sent before is answered first (one coordinator connection, in order), but
                // its answer may not have been read yet: a synchronous commit returns once both are
                asyncAnswered.whenComplete((v, e) -> f.complete(null));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, f, true);
        return f;
    }

    /**
     * What a broker transaction commits for this engine's group: the positions the group would have if
     * {@code records} were consumed too, and the group's metadata (generation, member), so the transaction
     * coordinator refuses the offsets of a member that lost its partitions. Empty (no group) for a group-less engine.
     */
    public record TransactionalOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        public boolean isEmpty() {
            return group == null || offsets.isEmpty();
        }
    }

    /**
     * This engine's offsets are committed in transactions (a transacted or XA session consumes through it): it makes
     * no commits of its own besides acknowledgements, from its creation on rather than from its first transaction.
     */
    public void offsetsInTransactions() {
        transactional = true;
    }

    /**
     * On the poll thread (the Kafka consumer's group metadata is read there): the {@link TransactionalOffsets}
     * for consuming {@code records}, which this engine delivered. The progress itself is not changed: once the
     * transaction committed, the caller calls {@link #consumed} for each record. Fails if a record's partition is
     * no longer this member's (it may be delivered elsewhere: the transaction must not commit it).
     */
    public CompletableFuture<TransactionalOffsets> transactionalOffsets(Collection<ConsumerRecord<byte[], byte[]>> records) {
        CompletableFuture<TransactionalOffsets> f = new CompletableFuture<>();
        if (groupId == null) {
            f.complete(new TransactionalOffsets(Map.of(), null));
            return f;
        }
        transactional = true;
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        submitted.whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            }
        });
        submit(() -> {
            try {
                if (!asyncAnswered.isDone()) {
                    // a plain commit still in flight (delivery counts, acknowledgements) must not land after the
                    // transaction's offsets: an empty synchronous commit waits for the asynchronous ones
                    waker.retryIfWoken(() -> {
                        consumer.commitSync(Map.of());
                        return null;
                    });
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                lock.lock();
                try {
                    Map<TopicPartition, PartitionProgress> after = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        PartitionProgress pp = progress.get(tp);
                        if (pp == null) {
                            throw new org.apache.kafka.common.errors.RebalanceInProgressException("Partition " + tp
                                    + " of group " + groupId + " is no longer assigned to this consumer");
                        }
                        after.computeIfAbsent(tp, k -> PartitionProgress.restore(pp.base(), pp.encodeAbove()))
                                .consume(r.offset());
                    }
                    after.forEach((tp, pp) -> offsets.put(tp, new OffsetAndMetadata(pp.base(), pp.encodeAbove())));
                } finally {
                    lock.unlock();
                }
                f.complete(new TransactionalOffsets(offsets, consumer.groupMetadata()));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, submitted, true); // a commit waits for it
        return f;
    }

    /**
     * Forgets everything buffered or parked and reads again from the first record not consumed: what was
     * delivered and not acknowledged is delivered again (recover, rollback).
     */
    public CompletableFuture<Void> rewind() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(() -> {
            try {
                lock.lock();
                Map<TopicPartition, Long> seeks = new HashMap<>();
                try {
                    buffer.clear();
                    parked.clear();
                    handedOut.clear();
                    for (Map.Entry<TopicPartition, PartitionProgress> e : progress.entrySet()) {
                        long base = e.getValue().base();
                        if (base >= 0) {
                            seeks.put(e.getKey(), base);
                            nextExpected.put(e.getKey(), base);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                Set<TopicPartition> assigned = consumer.assignment();
                log.debug("Group {} of {}: rewinding to {}", groupId, topic, seeks);
                for (Map.Entry<TopicPartition, Long> e : seeks.entrySet()) {
                    if (assigned.contains(e.getKey())) {
                        consumer.seek(e.getKey(), e.getValue());
                    }
                }
                f.complete(null);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, f, true);
        return f;
    }

    /**
     * Puts {@code delivered} back at the head of the buffer, in offset order, so that they are delivered again
     * first: nothing is read again from the broker, so what other consumers sharing this engine hold stays theirs
     * (a seek back would hand their records out a second time while they still process them). A record is skipped
     * when it is consumed, or no longer this engine's to give back (its partition was revoked, or
     * a {@link #rewind()} reads it again from the broker). Runs on the caller's thread.
     */
    @Override
    public CompletableFuture<Void> rewind(Collection<ConsumerRecord<byte[], byte[]>> delivered) {
        List<ConsumerRecord<byte[], byte[]>> back = new ArrayList<>();
        lock.lock();
        try {
            for (ConsumerRecord<byte[], byte[]> r : delivered) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Map<Long, ConsumerRecord<byte[], byte[]>> out = handedOut.get(tp);
                PartitionProgress pp = progress.get(tp);
                if (out == null || out.get(r.offset()) != r || pp == null || pp.isConsumed(r.offset())) {
                    continue;
                }
                out.remove(r.offset());
                back.add(r);
            }
            back.sort(java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            for (int i = back.size() - 1; i >= 0; i--) {
                buffer.addFirst(back.get(i));
            }
            if (!back.isEmpty()) {
                log.debug("Group {} of {}: {} record(s) given back for delivery again", groupId, topic, back.size());
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!back.isEmpty()) {
            onRecords.run();
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Hands {@code r} to the poll thread. {@code urgent}: someone waits for it, so a running poll is cut short
     * ({@link PollWaker}); else it runs after the current poll.
     */
    private void submit(Runnable r, CompletableFuture<Void> f, boolean urgent) {
        if (closedFuture.isDone()) {
            f.completeExceptionally(new java.lang.IllegalStateException("consumer closed"));
            return;
        }
        commands.add(r);
        if (closedFuture.isDone() && commands.remove(r)) {
            f.completeExceptionally(new java.lang.IllegalStateException("consumer closed"));
            return;
        }
        if (urgent) {
            waker.wake();
        }
    }

    /** Makes every waiting {@link #take} return null now (consumer closed, connection stopped). */
    public void interruptTakers() {
        lock.lock();
        try {
            takeGeneration++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Commits what was consumed, leaves the group and stops the poll thread; waits up to 10 s. */
    @Override
    public void close() {
        lock.lock();
        try {
            takeGeneration++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        closing = true;
        waker.wake();
        if (Thread.currentThread() != thread) {
            try {
                closedFuture.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("Consumer of {} did not close within 10 s", topic);
            }
        }
    }

    public boolean isClosed() {
        return closing;
    }
}
