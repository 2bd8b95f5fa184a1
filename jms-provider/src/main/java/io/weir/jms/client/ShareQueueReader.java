package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A JMS queue consumer over a share group (KIP-932): the records it is given are <i>acquired</i> by it at the
 * broker (locked for {@code group.share.record.lock.duration.ms}), and each ends with an acknowledgement:
 * ACCEPT (consumed), RELEASE (back to the queue for any consumer, the broker counting the delivery) or REJECT
 * (never again; after a copy to the dead-letter queue when the delivery limit is reached).
 *
 * <p><b>Lanes.</b> The broker acquires one batch at a time for a member of the provider's groups
 * ({@code weir.share.single.batch}), and a member that holds undecided records may not fetch more, while a JMS session
 * may hold delivered, unacknowledged messages (CLIENT_ACKNOWLEDGE, transactions) and ask for more. So the reader owns up
 * to {@link #MAX_LANES} share-group members ({@link ShareLane}, each a {@link ShareGroupMember} the provider speaks on
 * the wire itself: a join is one heartbeat, no client or thread pool of its own), each holding at most one fetch's
 * batch: it fetches through a free lane, and opens another only when a consumer waits for a message while every lane
 * still has undecided records. An auto-acknowledging consumer never needs more than one.
 *
 * <p><b>Lane sizes.</b> A lane starts small ({@link #SMALL_BATCH} records a poll), so that the consumers of a queue
 * in several processes share it evenly and a consumer that is slow or about to close holds few records. Every poll
 * costs a round trip to the broker, though, so a consumer that shows it takes records fast (two full small batches
 * each taken within {@link #FAST_DRAIN_MS}: at least 500 messages a second) gets a lane of {@link #LARGE_BATCH}
 * instead, about a second of its work, and the small lane retires once its records are decided. The last lane a
 * consumer may open is large too: a consumer that holds many records unacknowledged (CLIENT_ACKNOWLEDGE every
 * hundred messages) must be able to get more. A consumer with a selector keeps small lanes (the broker's filters
 * name the members it may open). When the connection's consumer settings name {@code max.poll.records}, every
 * lane uses it.
 *
 * <p><b>Refill.</b> A consumer on large lanes does not wait for its buffer to run dry: once fewer than
 * {@link #REFILL_BELOW} offered records are left, a lane whose batch is decided fetches the next one (or, when every
 * lane still holds undecided records, one more lane opens for it), so the broker's round trip overlaps with the
 * application's work on the rest. The broker acquires one batch per member at a time for the provider's groups
 * ({@code weir.share.single.batch}), so overlapping needs a second member; a fast consumer therefore holds up to
 * about two large batches.
 *
 * <p><b>Decisions.</b> Every acquired record is {@link Held held} here until a decision is made for it:
 * {@link #consumed} ACCEPT; {@link #giveBack}, a record the consumer's selector does not match
 * ({@link Choice#SKIP}) and close (for a record it delivered) RELEASE; a record whose delivery count reached
 * {@code maxDeliveryAttempts} is copied to the dead-letter queue and REJECTed instead of released (the broker
 * would archive it), as is one that arrives with a count above the limit. {@link #rewind} (recover, rollback)
 * decides nothing: what was delivered is offered again here, first and in order, and what was fetched and not
 * delivered stays acquired behind it. Close leaves the records it never delivered unacknowledged ({@code LEAVE}):
 * the share session's close releases them (uncounted on Weir: broker/SHARE-GROUPS.md). The owning lane hands decisions to its
 * member on its own thread (on the next fetch, or on their own); {@link #commit} makes them durable.
 *
 * <p><b>Locks.</b> A record the application holds undecided (delivered, offered again after a rewind, or parked) keeps
 * its acquisition lock for as long as it is held: its lane renews it ({@link ShareLockRenewal}). A record fetched and
 * not taken within its first lock duration is given back or dropped.
 *
 * <p>Thread-safety: all state is guarded by one lock; each member is used by its lane's thread alone.
 */
public final class ShareQueueReader implements ReaderEngine {

    private static final Logger log = LoggerFactory.getLogger(ShareQueueReader.class);
    /** Share-group members one consumer may use at most (see "Lanes"). */
    static final int MAX_LANES = 4;
    /** Records a small lane acquires a poll (see "Lane sizes"). */
    static final int SMALL_BATCH = 10;
    /** Records a large lane acquires a poll. */
    static final int LARGE_BATCH = 500;
    /**
     * How long the acknowledgements of part of a batch may wait to be sent together (AUTO_ACKNOWLEDGE decides message by
     * message): a consumer taking thousands a second sends one request per this interval or per fetch, not one per
     * message. A batch decided in full is sent at once.
     */
    static final long ACK_LINGER_MS = 5;
    /** On large lanes, the next batch is fetched once fewer records than this are offered (see "Refill"). */
    static final int REFILL_BELOW = LARGE_BATCH / 2;
    /** A small batch taken within this time of its arrival shows a fast consumer. */
    static final long FAST_DRAIN_MS = 20;
    /** Fast small batches in a row after which a consumer gets a large lane. */
    private static final int FAST_BATCHES = 2;
    /** How long after a take a lane keeps fetching without anybody waiting (a listener polls every 100 ms). */
    private static final long DEMAND_MS = 1000;
    /**
     * A lane whose undecided records were all fetched ahead and none handed to the application, while nobody asked
     * for a message for this long, gives them back: it closes, and its share session's close releases them (on Weir
     * without counting a delivery; on Apache Kafka counted, as their lock's expiry would have). An open consumer that
     * is not being read from thus holds nothing for other consumers for the lock duration (30 s by default).
     */
    static final long IDLE_HAND_BACK_MS = 2000;
    /**
     * How long a lane that handed a record back for other consumers (selector) waits before it fetches again, per
     * delivery the record already had (capped): the release is sent at once, and the queue's other members, whose
     * fetches wait at the broker, get the first go, the longer the more often the record came back here.
     */
    private static final long HAND_BACK_PAUSE_MS = 80;
    private static final long HAND_BACK_MAX_PAUSE_MS = 400;

    /** Sends a copy of a record to the dead-letter queue; returns once the broker has it, else throws. */
    @FunctionalInterface
    public interface DeadLetters {
        void send(ConsumerRecord<byte[], byte[]> record, int deliveryCount) throws Exception;
    }

    /** Whether the broker lists a member with this client id in the share group (null: cannot tell). */
    @FunctionalInterface
    public interface MemberCheck {
        Boolean isMember(String groupId, String clientId);
    }

    /** What this reader is: the share group, its topic and the redelivery limit. */
    public record Settings(String name, Properties base, String topic, String groupId, int maxDeliveryAttempts) {
    }

    /**
     * A decision for a held record; DEAD_LETTER is REJECT after a copy to the dead-letter queue; LEAVE sends nothing:
     * the record was never handed to the application, and the member's share session, closing, releases it (Weir's
     * broker without counting a delivery, broker/SHARE-GROUPS.md; Apache Kafka 4.4 counts one).
     */
    enum Decision { ACCEPT, RELEASE, REJECT, DEAD_LETTER, LEAVE,
        /** ACCEPTed inside a Kafka transaction by its lane ({@link #acceptInTransaction}): nothing more to send. */
        IN_TRANSACTION }

    /** Records to ACCEPT inside a Kafka transaction, sent by their lane; {@code done} completes with the broker's answer. */
    record TransactionalAccept(List<Held> records, TransactionalShareAcks.Transaction transaction, CompletableFuture<Void> done) {
    }

    /** One acquired record and what is known of it. Guarded by the reader's lock. */
    static final class Held {
        final ConsumerRecord<byte[], byte[]> record;
        final ShareLane lane;
        final long acquiredAt;
        Decision decision;
        int localDeliveries;
        /** When it was last handed out ({@link #take} order), for redelivering in the order of delivery. */
        long takenSeq;
        /** Handed to the application or parked for it: its lock is renewed until it is decided (ShareLockRenewal). */
        boolean claimed;
        /** When its acquisition lock runs out, as far as this consumer knows (acquisition or last renewal). */
        long lockedUntil;
        /** Its renewal failed: the broker gives it to another consumer, and this member no longer holds it. */
        boolean lost;

        Held(ConsumerRecord<byte[], byte[]> record, ShareLane lane, long acquiredAt) {
            this.record = record;
            this.lane = lane;
            this.acquiredAt = acquiredAt;
        }

        int brokerCount() {
            return record.deliveryCount().map(Short::intValue).orElse(1);
        }

        /** How often it was delivered: the broker's count, plus the local redeliveries since it was acquired. */
        int deliveries() {
            return brokerCount() + Math.max(0, localDeliveries - 1);
        }
    }

    private record Parked(long dueAt, long seq, Held held) implements Comparable<Parked> {
        @Override
        public int compareTo(Parked o) {
            int c = Long.compare(dueAt, o.dueAt);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Settings settings;
    private final LongSupplier clock;
    private final Runnable onRecords;
    private final DeadLetters deadLetters;
    private final MemberCheck memberCheck;
    private final Predicate<ConsumerRecord<byte[], byte[]>> selects;

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    private final ArrayDeque<Held> buffer = new ArrayDeque<>();
    private final PriorityQueue<Parked> parked = new PriorityQueue<>();
    /**
     * The records held, by identity: a HashMap, as ConsumerRecord keeps Object's identity equality and hash code
     * (ConsumerRecordIdentityTest checks it), which spares the IdentityHashMap's relocation of a cluster at every removal (a
     * get, a put and a remove per message).
     */
    private final Map<ConsumerRecord<byte[], byte[]>, Held> held = new java.util.HashMap<>(1024);
    /** The lanes not yet finished: the working ones and those retiring (guarded for changes). */
    private final List<ShareLane> lanes = new CopyOnWriteArrayList<>();
    /** Lanes opened so far: the next lane's client-id suffix (guarded). */
    private int lanesOpened;
    private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();
    private ShareLane fetching;
    private int waitingTakers;
    private long lastDemandAt;
    private long parkSeq;
    private long takeSeq;
    private long takeGeneration;
    private int fastBatches;
    private boolean largeLanes;
    private volatile boolean closing;
    private volatile RuntimeException failure;
    /** A message consumed after its lane lost it: the next synchronous commit reports it (guarded). */
    private RuntimeException lostAccept;
    /** The acquisition lock the broker grants (Kafka's default until a lane learns it). */
    private volatile long lockMs = 30_000;
    private volatile CompletableFuture<?> groupReady = CompletableFuture.completedFuture(null);
    private volatile TopicLayouts layouts;
    private volatile Runnable onQueueDefaults;
    /**
     * Whether lanes renew the locks of held records. The lanes fetch with {@code share.acquire.mode=record_limit}, which
     * kafka-clients sends only in ShareFetch v2, the version that brought RENEW (KIP-1206/KIP-1222, Kafka 4.2; Weir):
     * a lane that got records talks to a broker that renews. A connection configured for {@code batch_optimized} may
     * reach older brokers: no renewal then; nor after a broker answered a renewal with an unsupported version.
     */
    private volatile boolean renewLocks;

    /**
     * @param selects whether the consumer's selector takes a record, or null when it takes all: a record it does
     *                not take is handed back as soon as it arrives, so that it does not wait, acquired, in a
     *                consumer that is not asked for messages meanwhile
     */
    public ShareQueueReader(Settings settings, LongSupplier clock, Runnable onRecords, DeadLetters deadLetters,
                            MemberCheck memberCheck, Predicate<ConsumerRecord<byte[], byte[]>> selects) {
        this.selects = selects;
        this.settings = settings;
        this.clock = clock;
        this.onRecords = onRecords;
        this.deadLetters = deadLetters;
        this.memberCheck = memberCheck;
        Object mode = settings.base().get("share.acquire.mode");
        this.renewLocks = mode == null || "record_limit".equalsIgnoreCase(String.valueOf(mode).trim());
    }

    Settings settings() {
        return settings;
    }

    /** Starts the first member and waits until the broker lists it in the group (bounded by the timeout). */
    @Override
    public void start(long readyTimeoutMs) throws Exception {
        lock.lock();
        try {
            lastDemandAt = clock.getAsLong(); // a new consumer counts as asked for: what it fetches first is kept a while
        } finally {
            lock.unlock();
        }
        ShareLane first = addLane(SMALL_BATCH, readyTimeoutMs);
        long deadline = clock.getAsLong() + readyTimeoutMs;
        first.awaitFirstPoll(readyTimeoutMs);
        if (failure != null) {
            close();
            throw failure;
        }
        if (first.joined()) {
            return; // the broker answered the member's join: it is in the group
        }
        while (clock.getAsLong() < deadline) {
            Boolean member = memberCheck.isMember(settings.groupId(), first.clientId());
            if (member == null || member) {
                return;
            }
            if (failure != null) {
                close();
                throw failure;
            }
            Thread.sleep(20);
        }
        log.debug("Member {} of share group {} not listed after {} ms", first.clientId(), settings.groupId(), readyTimeoutMs);
    }

    /** The client ids of the members a reader named {@code name} may open (at most {@link #MAX_LANES}). */
    public static List<String> laneClientIds(String name) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < MAX_LANES; i++) {
            ids.add(name + "-" + i);
        }
        return ids;
    }

    /**
     * Members join at once but fetch only after {@code ready} completes (the group's configurations are set: a
     * share partition's start is fixed by its first fetch). Call before {@link #start}.
     */
    public void fetchAfter(CompletableFuture<?> ready) {
        this.groupReady = ready;
    }

    /**
     * Runs {@code action} when a member learns that the brokers give the queue's share group the queue's settings by
     * default (a Weir broker), so that its configurations need not be written. Call before {@link #start}.
     */
    public void onQueueDefaults(Runnable action) {
        this.onQueueDefaults = action;
    }

    /** A member's coordinator gives the group the queue's settings by default: fetching need not wait for them. */
    void queueDefaultsServed() {
        Runnable action = onQueueDefaults;
        if (action != null) {
            action.run();
        }
    }

    /** Whether the group may be fetched from now, without waiting (see {@link #fetchAfter}). */
    boolean mayFetchNow() {
        CompletableFuture<?> ready = groupReady;
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** Where known queues' partitions are, shared with the factory's other consumers (null: not shared). */
    TopicLayouts layouts() {
        return layouts;
    }

    /** Shares the layouts of queues' topics with the factory's other consumers. Call before {@link #start}. */
    public void layouts(TopicLayouts layouts) {
        this.layouts = layouts;
    }

    /**
     * Waits (bounded) until the group may be fetched from, see {@link #fetchAfter}; false when the brokers have not
     * answered yet (the future given there completes either way once they do, or once the admin request times out).
     */
    boolean awaitGroupReady(long timeoutMs) throws InterruptedException {
        try {
            groupReady.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // answered, with an error (logged where it was sent): nothing more to wait for
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** Runs {@code action} once the reader has closed its members. */
    public void onClosed(Runnable action) {
        closeActions.add(action);
    }

    private ShareLane addLane(int maxRecords) {
        return addLane(maxRecords, -1);
    }

    /**
     * @param hereMs when 0 or more, the lane joins and fetches first on this thread, its join waiting at most this long
     *               for an assignment ({@link ShareLane#startHere})
     */
    private ShareLane addLane(int maxRecords, long hereMs) {
        ShareLane lane = new ShareLane(this, settings.name() + "-" + lanesOpened++, maxRecords);
        lanes.add(lane);
        if (hereMs >= 0) {
            lane.startHere(hereMs);
        } else {
            lane.start();
        }
        return lane;
    }

    /**
     * Lanes that fetch (not retiring): at most {@link #MAX_LANES}. Retired lanes do not count: a consumer that moved
     * to large lanes while its small ones were still open must still be able to open a lane when every working lane
     * holds undecided records (a CLIENT_ACKNOWLEDGE consumer holding more than one large batch), else it waits for a
     * record no lane may fetch. Under the lock.
     */
    private int workingLanes() {
        int n = 0;
        for (ShareLane lane : lanes) {
            if (!lane.retiring) {
                n++;
            }
        }
        return n;
    }

    /** A lane's thread ended: it no longer counts. */
    void laneFinished(ShareLane lane) {
        lock.lock();
        try {
            lanes.remove(lane);
            if (fetching == lane) {
                fetching = null; // it ended between taking a fetch and making it (a failed flush, heartbeat or renewal)
            }
            held.values().removeIf(h -> h.lane == lane && (h.decision != null || !h.lost));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ lane side (under the lock unless said)

    /** Records a lane polled: held here; those past the delivery limit go to the dead-letter queue. */
    void accept(ShareLane lane, ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            lane.offeredAt = clock.getAsLong();
            lane.offered = records.count();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Held h = new Held(r, lane, clock.getAsLong());
                h.lockedUntil = h.acquiredAt + lockMs;
                lane.batch.add(h);
                held.put(r, h);
                int limit = settings.maxDeliveryAttempts();
                if (closing) {
                    decide(h, Decision.LEAVE);
                } else if (limit > 0 && h.brokerCount() > limit) {
                    decide(h, Decision.DEAD_LETTER);
                } else if (selects != null && !selects.test(r)) {
                    handBack(h, clock.getAsLong());
                } else {
                    buffer.add(h);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onRecords.run();
    }

    /** The broker's acquisition lock duration, as a lane's client reports it. */
    void lockDuration(long ms) {
        if (ms > 0) {
            lockMs = ms;
        }
    }

    /**
     * The records {@code lane} renews now ({@link ShareLockRenewal}); the ones it gives back instead are decided here.
     * Under the lock.
     */
    List<Held> renewals(ShareLane lane) {
        if (!renewLocks || closing || lane.batch.isEmpty()) {
            return List.of();
        }
        ShareLockRenewal.Plan plan = ShareLockRenewal.plan(lane.batch, clock.getAsLong(), lockMs);
        for (Held h : plan.release()) {
            buffer.remove(h);
            releaseOrDeadLetter(h);
        }
        return plan.renew();
    }

    private record Position(int partition, long offset) {
        static Position of(ConsumerRecord<?, ?> r) {
            return new Position(r.partition(), r.offset());
        }
    }

    /**
     * What came of {@code lane}'s renewal of {@code renewing}, sent at {@code sentAt}: the records its client handed
     * back ({@code back}, the renewed ones) hold a new lock; the others lost theirs (the broker refused the renewal):
     * they are not delivered here again, and the application's acknowledgement of one fails. Returns what came back
     * and was not being renewed (new records: the lane takes them as a poll's).
     */
    ConsumerRecords<byte[], byte[]> renewed(ShareLane lane, List<Held> renewing, ConsumerRecords<byte[], byte[]> back,
                                            long sentAt) {
        lock.lock();
        try {
            Map<Position, Held> waiting = new java.util.HashMap<>();
            renewing.forEach(h -> waiting.put(Position.of(h.record), h));
            Map<org.apache.kafka.common.TopicPartition, List<ConsumerRecord<byte[], byte[]>>> others = new java.util.HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : back) {
                Held h = waiting.remove(Position.of(r));
                if (h != null) {
                    h.lockedUntil = sentAt + lockMs;
                } else {
                    others.computeIfAbsent(new org.apache.kafka.common.TopicPartition(r.topic(), r.partition()),
                            tp -> new ArrayList<>()).add(r);
                }
            }
            for (Held h : waiting.values()) {
                lost(h);
            }
            if (!waiting.isEmpty()) {
                log.warn("Consumer {} of {}: the acquisition locks of {} held messages could not be renewed; the broker "
                        + "delivers them again, to any consumer", settings.name(), settings.topic(), waiting.size());
            }
            changed.signalAll();
            return others.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(others, Map.of());
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code lane}'s member lost its records at the broker (its connection failed, their leader moved, its share
     * session was lost): the broker hands them out again. What the application was not given is dropped here; what it
     * holds can no longer be acknowledged (a commit that covers one fails). The lane retires. Under no lock.
     *
     * @param acceptsUnconfirmed whether the lane had sent, or was about to send, ACCEPTs the broker did not confirm:
     *                           like ACCEPTs decided and not yet taken by the lane, they may be lost, and the next
     *                           synchronous commit fails (the broker delivers those messages again)
     * @param told               whether a synchronous commit waiting on the lane was failed by the break: it covered
     *                           every decision made so far (a consumer's commits come from its session's thread), so
     *                           the next commit need not fail again
     * @return the lane's acknowledgements still travelling (taken in this hold of the lock), for the caller to fail
     */
    CompletableFuture<Void> laneBroken(ShareLane lane, boolean acceptsUnconfirmed, boolean told) {
        CompletableFuture<Void> travelling;
        lock.lock();
        try {
            travelling = lane.acksInFlight;
            lane.acksInFlight = null;
            lane.retiring = true;
            lane.broken = true;
            boolean acceptsLost = acceptsUnconfirmed;
            for (Held h : new ArrayList<>(lane.batch)) {
                if (h.decision == null) {
                    lost(h);
                } else if (h.decision == Decision.ACCEPT) {
                    acceptsLost = true; // decided, never sent
                }
            }
            if (acceptsLost && !told && lane.syncFlushes.isEmpty()) { // those waiting are failed as the lane finishes
                lostAccept = new org.apache.kafka.common.errors.InvalidRecordStateException("Acknowledgements of consumer "
                        + settings.name() + " of " + settings.topic() + " may not have reached the broker (its member "
                        + lane.clientId() + " broke): the broker delivers those messages again");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onRecords.run();
        return travelling;
    }

    /** {@code h}'s lock is gone: not offered again here; a record the application never saw is simply dropped. */
    private void lost(Held h) {
        h.lost = true;
        buffer.remove(h);
        parked.removeIf(p -> p.held == h);
        if (h.localDeliveries == 0 && h.takenSeq == 0) {
            decide(h, Decision.LEAVE);
        }
    }

    /** A broker answered a renewal with an unsupported version: this reader renews no more. */
    void renewalsUnsupported(Exception e) {
        if (renewLocks) {
            renewLocks = false;
            log.warn("The brokers do not renew share acquisition locks ({}): consumer {} of {} holds messages for at most "
                    + "the lock duration", e.toString(), settings.name(), settings.topic());
        }
    }

    /** Whether {@code lane} should fetch now: nothing offered, somebody asking, no other lane fetching. */
    boolean wantsFetch(ShareLane lane) {
        if (closing || lane.retiring || fetching != null || buffer.size() >= refillBelow() || lane.holdsUndecided()
                || clock.getAsLong() < lane.fetchNotBefore) {
            return false;
        }
        return waitingTakers > 0 || clock.getAsLong() - lastDemandAt < DEMAND_MS;
    }

    /**
     * See {@link #IDLE_HAND_BACK_MS}: when nobody asked for a message for that long and every undecided record of
     * {@code lane} is still offered here (fetched ahead, never delivered, never redelivered locally), they are left to
     * the lane's closing share session and the lane retires; the next demand opens a new lane. Under the lock.
     */
    void handBackIdle(ShareLane lane, long now) {
        if (closing || lane.retiring || waitingTakers > 0 || now - lastDemandAt < IDLE_HAND_BACK_MS
                || !lane.holdsUndecided()) {
            return;
        }
        int undecided = lane.batch.size() - lane.pendingDecisions;
        List<Held> offeredHere = new ArrayList<>();
        for (Held h : buffer) {
            if (h.lane == lane) {
                if (h.localDeliveries > 0) {
                    return; // delivered before (recover, rollback): redelivered here, in order
                }
                offeredHere.add(h);
            }
        }
        if (offeredHere.size() != undecided) {
            return; // some are with the application (or parked): the lane stays
        }
        for (Held h : offeredHere) {
            buffer.remove(h);
            decide(h, Decision.LEAVE);
        }
        lane.retiring = true;
        log.debug("Consumer {} of {} not read for {} ms: member {} gives back {} records it fetched ahead", settings.name(),
                settings.topic(), now - lastDemandAt, lane.clientId(), offeredHere.size());
        changed.signalAll();
    }

    /** Fetch once fewer offered records than this are left: at once on large lanes, only when empty on small ones. */
    private int refillBelow() {
        return largeLanes ? REFILL_BELOW : 1;
    }

    void fetchStarted(ShareLane lane) {
        fetching = lane;
    }

    void fetchDone(ShareLane lane) {
        lock.lock();
        try {
            if (fetching == lane) {
                fetching = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosing() {
        return closing;
    }

    long now() {
        return clock.getAsLong();
    }

    void failed(RuntimeException e) {
        if (!closing) {
            log.warn("Share consumer of {} (group {}) failed: {}", settings.topic(), settings.groupId(), e.toString());
            failure = e;
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onRecords.run();
    }

    /** The record is acknowledged to the lane's client: forget it. */
    void applied(Held h) {
        held.remove(h.record);
    }

    /** Sends a record to the dead-letter queue (on a lane thread, outside the lock); false when that failed. */
    boolean deadLetter(Held h) {
        try {
            deadLetters.send(h.record, h.deliveries());
            log.warn("Message {}-{}@{} of share group {} reached {} delivery attempts: moved to the dead-letter queue",
                    h.record.topic(), h.record.partition(), h.record.offset(), settings.groupId(), h.deliveries());
            return true;
        } catch (Exception e) {
            log.warn("Could not move {}-{}@{} to the dead-letter queue (it is released and will be tried again): {}",
                    h.record.topic(), h.record.partition(), h.record.offset(), e.toString());
            return false;
        }
    }

    // ------------------------------------------------------------------ decisions (under the lock)

    private void decide(Held h, Decision d) {
        if (h.decision != null) {
            return;
        }
        h.decision = d;
        h.lane.pendingDecisions++;
        if (!h.lane.holdsUndecided() || closing || h.lane.retiring) {
            changed.signalAll(); // the lane may fetch (or close) now; a decision alone waits for the next send
        }
    }

    /** RELEASE, unless this was the last delivery the limit allows: then the dead-letter queue. */
    private void releaseOrDeadLetter(Held h) {
        int limit = settings.maxDeliveryAttempts();
        decide(h, limit > 0 && h.brokerCount() + h.localDeliveries - Math.min(1, h.localDeliveries) >= limit
                ? Decision.DEAD_LETTER : Decision.RELEASE);
    }

    /** Releases a record this consumer's selector does not take, at once, and lets the others fetch first. */
    private void handBack(Held h, long now) {
        releaseOrDeadLetter(h);
        h.lane.asyncFlush = true;
        h.lane.fetchNotBefore = Math.max(h.lane.fetchNotBefore,
                now + Math.min(HAND_BACK_MAX_PAUSE_MS, HAND_BACK_PAUSE_MS * h.brokerCount()));
    }

    // ------------------------------------------------------------------ app side

    @Override
    public ConsumerRecord<byte[], byte[]> take(long timeoutMs, Chooser chooser) throws InterruptedException {
        long deadline = timeoutMs > 0 ? clock.getAsLong() + timeoutMs : Long.MAX_VALUE;
        lock.lock();
        try {
            long generation = takeGeneration;
            waitingTakers++;
            try {
                while (true) {
                    if (closing || generation != takeGeneration) {
                        return null;
                    }
                    if (failure != null) {
                        throw failure;
                    }
                    long now = clock.getAsLong();
                    lastDemandAt = now;
                    while (!parked.isEmpty() && parked.peek().dueAt <= now) {
                        buffer.addFirst(parked.poll().held);
                    }
                    Iterator<Held> it = buffer.iterator();
                    while (it.hasNext()) {
                        Held h = it.next();
                        if (now >= h.lockedUntil - ShareLockRenewal.margin(lockMs)) {
                            // not taken within its lock (nor renewed): the broker has given it to another consumer by
                            // now, so it is not delivered here (its release is refused by the broker, harmlessly)
                            it.remove();
                            decide(h, Decision.RELEASE);
                            it = buffer.iterator();
                            continue;
                        }
                        Choice choice = chooser.choose(h.record);
                        it.remove();
                        if (buffer.isEmpty()) {
                            drained(h.lane, now);
                        }
                        if (buffer.size() == refillBelow() - 1 && refillBelow() > 1) {
                            refill(); // large lanes: the next batch is fetched while the application works on these
                        }
                        switch (choice) {
                            case TAKE -> {
                                h.takenSeq = ++takeSeq;
                                h.claimed = true;
                                return h.record;
                            }
                            case CONSUMED -> decide(h, Decision.ACCEPT);
                            case SKIP -> handBack(h, now);
                            case PARKED -> {
                            }
                        }
                        it = buffer.iterator();
                    }
                    maybeAddLane();
                    changed.signalAll(); // lanes look at the demand
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
                waitingTakers--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The offered records fell below the refill mark: a lane fetches, or one more opens when all are busy. */
    private void refill() {
        maybeAddLane();
        changed.signalAll();
    }

    /** A consumer wants a message, few or none are offered and every lane is busy with undecided records: one more lane. */
    private void maybeAddLane() {
        if (closing || fetching != null) {
            return;
        }
        for (ShareLane lane : lanes) {
            if (!lane.retiring && (!lane.hasPolled() || !lane.holdsUndecided())) {
                return; // that lane fetches next (decided records are handed to its client first)
            }
        }
        if (workingLanes() >= MAX_LANES) {
            if (largeLanes || selects != null) {
                return; // as many records held as the lanes may acquire: more come as they are decided
            }
            // every lane busy with undecided records (a consumer acknowledging every few hundred), small ones among
            // them: large lanes take over, the small ones close once their records are decided
            useLargeLanes();
        }
        log.debug("Consumer {} of {} holds undecided records on every member: adding member {}", settings.name(),
                settings.topic(), lanesOpened);
        addLane(largeLanes || workingLanes() == MAX_LANES - 1 ? LARGE_BATCH : SMALL_BATCH);
    }

    /**
     * The last offered record of {@code lane}'s poll was taken: a full small batch taken fast counts towards a large
     * lane (see "Lane sizes").
     */
    private void drained(ShareLane lane, long now) {
        if (largeLanes || selects != null || lane.maxRecords != SMALL_BATCH || lane.retiring) {
            return;
        }
        if (lane.offered >= SMALL_BATCH && now - lane.offeredAt <= FAST_DRAIN_MS) {
            fastBatches++;
        } else {
            fastBatches = 0;
        }
        if (fastBatches < FAST_BATCHES || closing) {
            return;
        }
        useLargeLanes();
        log.debug("Consumer {} of {} takes records fast: member {} acquires {} a poll", settings.name(), settings.topic(),
                lanesOpened, LARGE_BATCH);
        addLane(LARGE_BATCH);
        changed.signalAll();
    }

    /** From now on every new lane is large; the small lanes retire (they close once their records are decided). */
    private void useLargeLanes() {
        largeLanes = true;
        for (ShareLane l : lanes) {
            if (l.maxRecords == SMALL_BATCH) {
                l.retiring = true;
            }
        }
    }

    @Override
    public void park(ConsumerRecord<byte[], byte[]> r, long dueAt) {
        lock.lock();
        try {
            Held h = held.get(r);
            if (h != null) {
                h.claimed = true;
                parked.add(new Parked(dueAt, parkSeq++, h));
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long nextDueAt() {
        lock.lock();
        try {
            Parked due = parked.peek();
            return due == null ? Long.MAX_VALUE : due.dueAt;
        } finally {
            lock.unlock();
        }
    }

    /** The broker's delivery count, plus the deliveries made here since (a listener that threw). */
    @Override
    public int recordDelivery(ConsumerRecord<byte[], byte[]> r) {
        lock.lock();
        try {
            Held h = held.get(r);
            if (h == null) {
                return r.deliveryCount().map(Short::intValue).orElse(1);
            }
            h.localDeliveries++;
            return h.brokerCount() + h.localDeliveries - 1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void consumed(ConsumerRecord<byte[], byte[]> r) {
        lock.lock();
        try {
            consumedLocked(r);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The records' ACCEPTs and the commit's request to send them are made under one hold of the lock: a lane
     * thread woken by the decisions (the last undecided record of its batch decided, it fetches) cannot carry them off
     * in a fetch or take them before the commit asks to wait for them, which let a synchronous commit (a
     * {@code blockOnAcknowledge} acknowledge) return before the broker had answered for them.
     */
    @Override
    public CompletableFuture<Void> consumedAndCommit(List<ConsumerRecord<byte[], byte[]>> records, boolean sync) {
        lock.lock();
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                consumedLocked(r);
            }
            return commit(sync);
        } finally {
            lock.unlock();
        }
    }

    private void consumedLocked(ConsumerRecord<byte[], byte[]> r) {
        Held h = held.get(r);
        if (h == null) {
            return;
        }
        if (h.lost) {
            // its lock went with its member: the acknowledgement cannot be sent (whether or not the lane has
            // finished yet), and the next synchronous commit must say so
            held.remove(r);
            lostAccept = new org.apache.kafka.common.errors.InvalidRecordStateException("Message " + r.topic() + "-"
                    + r.partition() + "@" + r.offset() + " was consumed after its member lost it: the broker delivers it again");
            return;
        }
        decide(h, Decision.ACCEPT);
    }

    @Override
    public boolean giveBack(ConsumerRecord<byte[], byte[]> r) {
        lock.lock();
        try {
            Held h = held.get(r);
            if (h != null) {
                if (h.lost && h.lane.isFinished()) {
                    held.remove(r); // the broker has it back already
                    return true;
                }
                releaseOrDeadLetter(h);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends the decisions made so far: {@code sync} waits until the broker answered for each (commitSync), else
     * each lane sends them soon (commitAsync, ahead of its next fetch).
     */
    @Override
    public CompletableFuture<Void> commit(boolean sync) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        lock.lock();
        try {
            if (lostAccept != null && sync) {
                RuntimeException e = lostAccept;
                lostAccept = null;
                return CompletableFuture.failedFuture(e);
            }
            if (failure != null && sync) {
                // a lane ended with an unexpected error: the decisions it had taken were never sent, and the reader
                // delivers nothing more (take throws the same)
                return CompletableFuture.failedFuture(failure);
            }
            for (ShareLane lane : lanes) {
                if (lane.isFinished() || lane.broken) {
                    continue; // a broken lane sends nothing more: what it may have lost was reported above (lostAccept)
                }
                if (sync && lane.acksInFlight != null) {
                    // decisions already on their way (in a fetch, an asynchronous flush): their answer counts too
                    fs.add(lane.acksInFlight);
                }
                if (lane.stopped) {
                    if (sync) {
                        fs.add(lane.finished()); // its client commits what it was handed as it closes
                    }
                    continue;
                }
                if (lane.pendingDecisions == 0 && !lane.unsentAcks) {
                    continue;
                }
                if (sync) {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    lane.syncFlushes.add(f);
                    fs.add(f);
                } else if (!lane.holdsUndecided()) {
                    lane.asyncFlush = true; // the batch is decided: sent now (just ahead of the next fetch when one is wanted)
                } else {
                    lane.flushDueAt = Math.min(lane.flushDueAt, clock.getAsLong() + ACK_LINGER_MS);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
    }

    /**
     * ACCEPTs {@code records} (delivered by this consumer, undecided) inside the Kafka transaction {@code txn}, on the
     * members that hold them (Weir's transactional share acknowledgement, broker/SHARE-GROUPS.md): the broker keeps them
     * locked until the transaction's marker, then acknowledges them (commit) or makes them available again to any
     * consumer (abort). Completes once every member's broker took them; then they are no longer this reader's (a
     * rewind after an abort finds nothing to redeliver here). Fails with
     * {@link org.apache.kafka.common.errors.UnsupportedVersionException} when a broker does not take them (Apache
     * Kafka): the caller then ACCEPTs after the commit, at-least-once; with another error when a record can no longer
     * be acknowledged (its lock or member was lost).
     */
    public CompletableFuture<Void> acceptInTransaction(java.util.Collection<ConsumerRecord<byte[], byte[]>> records,
                                                       TransactionalShareAcks.Transaction txn) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        lock.lock();
        try {
            Map<ShareLane, List<Held>> byLane = new java.util.LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Held h = held.get(r);
                if (h == null || h.decision != null || h.lost || h.lane.isFinished() || h.lane.stopped) {
                    return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.InvalidRecordStateException(
                            "Message " + r.topic() + "-" + r.partition() + "@" + r.offset()
                                    + " can no longer be acknowledged by this consumer (its lock or member was lost)"));
                }
                byLane.computeIfAbsent(h.lane, l -> new ArrayList<>()).add(h);
            }
            for (Map.Entry<ShareLane, List<Held>> e : byLane.entrySet()) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                e.getKey().transactionalAccepts.add(new TransactionalAccept(e.getValue(), txn, f));
                fs.add(f);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
    }

    /** A lane's transactional ACCEPT was taken by the broker: its records are decided (nothing more to send). */
    void acceptedInTransaction(List<Held> records) {
        lock.lock();
        try {
            for (Held h : records) {
                buffer.remove(h);
                decide(h, Decision.IN_TRANSACTION);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Everything this consumer delivered and did not consume is delivered again, here, in the order it was first
     * delivered and before what was fetched and not delivered yet (which stays acquired and offered: nothing is
     * released, so the broker counts no delivery for records the application never saw). See
     * {@link #rewind(java.util.Collection)}.
     */
    @Override
    public CompletableFuture<Void> rewind() {
        lock.lock();
        try {
            java.util.Set<Held> offered = offered();
            List<Held> back = new ArrayList<>();
            for (Held h : held.values()) {
                if (h.decision == null && h.localDeliveries > 0 && !offered.contains(h)) {
                    back.add(h);
                }
            }
            back.sort(java.util.Comparator.comparingLong(h -> h.takenSeq));
            redeliverLocally(back);
        } finally {
            lock.unlock();
        }
        return commit(false);
    }

    /**
     * {@code delivered} (in delivery order) is delivered again by this consumer, ahead of the records it fetched and
     * has not delivered yet; the records stay acquired at the broker (no RELEASE: a release would count a delivery
     * at the broker and hand the record to any member, out of order). {@code JMSXDeliveryCount} goes on from the
     * broker's count by one per local delivery ({@link #recordDelivery}); a record whose count reached
     * {@code maxDeliveryAttempts} goes to the dead-letter queue instead. Their locks are renewed meanwhile; a record
     * whose lock could not be renewed is dropped at the next {@link #take} (the broker hands it out again).
     */
    @Override
    public CompletableFuture<Void> rewind(java.util.Collection<ConsumerRecord<byte[], byte[]>> delivered) {
        lock.lock();
        try {
            List<Held> back = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : delivered) {
                Held h = held.get(r);
                if (h != null && h.decision == null && !back.contains(h)) {
                    back.add(h);
                }
            }
            redeliverLocally(back);
        } finally {
            lock.unlock();
        }
        return commit(false);
    }

    /** Offers {@code back} again, first, in that order (dead-letters those at the delivery limit). Under the lock. */
    private void redeliverLocally(List<Held> back) {
        int limit = settings.maxDeliveryAttempts();
        List<Held> again = new ArrayList<>();
        for (Held h : back) {
            if (h.lost) {
                decide(h, Decision.LEAVE); // its lock is gone: the broker delivers it again, to any consumer
                continue;
            }
            if (isParked(h)) {
                continue;
            }
            buffer.remove(h);
            if (limit > 0 && h.deliveries() >= limit) {
                decide(h, Decision.DEAD_LETTER);
            } else {
                again.add(h);
            }
        }
        for (int i = again.size() - 1; i >= 0; i--) {
            buffer.addFirst(again.get(i));
        }
        changed.signalAll();
    }

    private java.util.Set<Held> offered() {
        java.util.Set<Held> set = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(buffer);
        return set;
    }

    private boolean isParked(Held h) {
        for (Parked p : parked) {
            if (p.held == h) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void interruptTakers() {
        lock.lock();
        try {
            takeGeneration++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        return closing;
    }

    /**
     * Releases every undecided record that was delivered (the dead-letter queue for those at the limit) and leaves
     * the others to the closing share sessions, which release them without counting a delivery; then closes the
     * members.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closing) {
                closing = true;
                takeGeneration++;
                buffer.clear();
                parked.clear();
                for (Held h : new ArrayList<>(held.values())) {
                    if (h.decision == null) {
                        if (h.localDeliveries > 0) {
                            releaseOrDeadLetter(h);
                        } else {
                            decide(h, Decision.LEAVE);
                        }
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (ShareLane lane : lanes) {
            lane.awaitFinished(10_000);
        }
        for (Runnable action : closeActions) {
            closeActions.remove(action);
            try {
                action.run();
            } catch (RuntimeException e) {
                log.debug("Share consumer {}: a close action failed: {}", settings.name(), e.toString());
            }
        }
    }
}
