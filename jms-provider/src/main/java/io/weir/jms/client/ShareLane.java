package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One member of a queue's share group ({@link ShareGroupMember}, spoken on the wire by the provider) and the thread
 * that owns it: it fetches one batch when its {@link ShareQueueReader} asks for records and every record of the
 * previous batch has a decision, sends the decisions (on the next fetch, or on their own when asked or when they have
 * lingered), and waits for the broker's answer when asked to commit. While the application holds records of its
 * batch undecided, it renews their acquisition locks before they run out ({@link ShareLockRenewal}). A lane whose
 * broker connection fails, or whose records' leader moved, gives up what it held (the broker hands it out again) and
 * retires; the reader opens another when a consumer asks. State marked "guarded" belongs to the reader's lock.
 */
final class ShareLane {

    private static final Logger log = LoggerFactory.getLogger(ShareLane.class);
    /** How long a fetch waits at the broker for records when none can be acquired at once. */
    private static final int FETCH_WAIT_MS = 50;
    /** How long a new member waits for its assignment before it reports itself started anyway. */
    private static final long JOIN_MS = 5_000;
    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 2_000;
    private static final byte ACCEPT = 1;
    private static final byte RELEASE = 2;
    private static final byte REJECT = 3;
    private static final byte RENEW = 4;

    private final ShareQueueReader reader;
    private final String clientId;
    private final ShareGroupMember member;
    /** The thread running the lane, once it runs (a pooled one: see {@link #THREADS}). */
    private volatile Thread thread;
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    /** Set by {@link #startHere} before the thread starts: counted down once the creating thread has opened the lane. */
    private volatile java.util.concurrent.CountDownLatch openingHere;
    /** Joined and fetched once by {@link #startHere} (written before {@link #openingHere} is counted down). */
    private boolean opened;
    /** What stopped {@link #startHere} after the join, for the thread to report (as {@link #opened}). */
    private Throwable openFailure;
    /** The broker answered this member's join with its assignment. */
    private volatile boolean joined;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    /** How many records one fetch acquires at most. */
    final int maxRecords;
    /** Decisions taken from the batch and not yet sent (this lane's thread only). */
    private final List<ShareGroupMember.Ack> acks = new ArrayList<>();
    /**
     * ACCEPTs taken from the batch whose request has not been answered yet (this lane's thread only): when the member
     * breaks meanwhile, they may not have been recorded, and the next synchronous commit must say so.
     */
    private int acceptsUnconfirmed;
    /** The synchronous flushes the thread took and has not completed yet (this lane's thread only). */
    private List<CompletableFuture<Void>> flushing = List.of();
    /**
     * The group's configurations were not confirmed when the member opened ({@link #open}): its fetches wait for them.
     * Set by the opening thread before the lane's thread takes over, then the lane thread's.
     */
    private boolean groupPending;

    /** Records of the last fetch not yet acknowledged (guarded). */
    final List<ShareQueueReader.Held> batch = new ArrayList<>();
    /** Records of {@link #batch} with a decision not yet taken by the thread (guarded). */
    int pendingDecisions;
    /** Decisions taken by the thread and not yet sent (guarded). */
    boolean unsentAcks;
    /**
     * Completes with the broker's answer to the acknowledgements sent and not yet answered (in a fetch, an
     * asynchronous flush or the leave), null when none travel: a synchronous commit waits for them as well (guarded).
     */
    CompletableFuture<Void> acksInFlight;
    /** Asked to send the acknowledgements now (guarded). */
    boolean asyncFlush;
    /** When the decisions made so far are sent at the latest, unless a fetch or a flush takes them first (guarded). */
    long flushDueAt = Long.MAX_VALUE;
    /** Not to fetch before this time (guarded; see ShareQueueReader's hand-back pause). */
    long fetchNotBefore;
    /** ACCEPTs to send inside Kafka transactions (guarded). */
    final List<ShareQueueReader.TransactionalAccept> transactionalAccepts = new ArrayList<>();
    /** Waiting for the broker's answer to the acknowledgements (guarded). */
    final List<CompletableFuture<Void>> syncFlushes = new ArrayList<>();
    /** Replaced by a lane that acquires more: fetches no more, closes once its batch is decided (guarded). */
    boolean retiring;
    /** The thread has taken its last work and leaves the group (guarded). */
    boolean stopped;
    /** Its member broke: it sends nothing more and finishes (guarded). */
    boolean broken;
    /** When the last fetch's records were offered, and how many (guarded; see ShareQueueReader's lane sizing). */
    long offeredAt;
    int offered;

    /**
     * @param maxRecords records a fetch acquires, unless the connection's consumer settings name {@code max.poll.records}
     */
    ShareLane(ShareQueueReader reader, String clientId, int maxRecords) {
        this.reader = reader;
        this.clientId = clientId;
        ShareQueueReader.Settings s = reader.settings();
        Properties p = s.base();
        this.maxRecords = intSetting(p, "max.poll.records", maxRecords, 1);
        Object mode = p.get("share.acquire.mode");
        boolean recordLimit = mode == null || "record_limit".equalsIgnoreCase(String.valueOf(mode).trim());
        this.member = new ShareGroupMember(s.groupId(), s.topic(), clientId, p, this.maxRecords, recordLimit,
                socketTimeoutMs(p));
        this.member.layouts(reader.layouts());
    }

    private static int socketTimeoutMs(Properties p) {
        return Math.max(intSetting(p, "request.timeout.ms", 30_000, 1), FETCH_WAIT_MS * 20);
    }

    /** A positive integer setting of the connection's kafka-clients properties; a bad value is a ConfigException naming it. */
    static int intSetting(Properties p, String name, int absent, int min) {
        Object v = p.get(name);
        if (v == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(String.valueOf(v).trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new org.apache.kafka.common.config.ConfigException(name, v, "must be an integer of at least " + min);
    }

    String clientId() {
        return clientId;
    }

    void start() {
        THREADS.execute(this::runNamed);
    }

    /**
     * The threads lanes run on: kept a minute after their lane ends, so that a consumer created after another closed
     * (a consumer per request, a test's fresh consumers) takes an idle thread instead of starting one, which waits for
     * the new thread to be scheduled (a millisecond or more on two busy cores). Daemon threads; none is kept idle longer.
     */
    private static final java.util.concurrent.ThreadPoolExecutor THREADS = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "weir-jms-share-lane");
                t.setDaemon(true);
                return t;
            });

    private void runNamed() {
        Thread current = Thread.currentThread();
        String idle = current.getName();
        current.setName("weir-jms-share-" + clientId);
        thread = current;
        try {
            run();
        } finally {
            current.setName(idle);
        }
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

    boolean isFinished() {
        return finished.isDone();
    }

    void awaitFirstPoll(long timeoutMs) throws Exception {
        try {
            firstPoll.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.debug("Share consumer {} has not fetched within {} ms", clientId, timeoutMs);
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
                        boolean asyncFlush, boolean fetch, boolean stop, List<ShareQueueReader.Held> renew,
                        boolean heartbeat, List<ShareQueueReader.TransactionalAccept> transactional) {
    }

    private Work nextWork() throws InterruptedException {
        reader.lock.lock();
        try {
            while (true) {
                // decisions are taken only when something is sent (a fetch carries them, or a flush), so that a
                // consumer acknowledging message by message does not wake this thread for each
                long now = reader.now();
                reader.handBackIdle(this, now);
                // then: it may decide records (those given back instead of renewed go with this round's decisions)
                List<ShareQueueReader.Held> renew = reader.renewals(this);
                boolean async = asyncFlush || now >= flushDueAt;
                boolean settle = (reader.isClosing() || retiring) && pendingDecisions > 0;
                boolean stop = (reader.isClosing() || retiring) && batch.size() == pendingDecisions;
                boolean fetch = !stop && renew.isEmpty() && reader.wantsFetch(this);
                boolean beat = !stop && now >= member.nextHeartbeatAt();
                if (stop || fetch || async || settle || beat || !syncFlushes.isEmpty() || !renew.isEmpty()
                        || !transactionalAccepts.isEmpty()) {
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
                        // taken, not yet acknowledgements (apply() makes them so, outside the lock): a synchronous
                        // commit meanwhile must still find something to wait for
                        unsentAcks |= !decided.isEmpty();
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
                    List<ShareQueueReader.TransactionalAccept> transactional = new ArrayList<>(transactionalAccepts);
                    transactionalAccepts.clear();
                    return new Work(decided, flushes, async, fetch, stop, renew, beat, transactional);
                }
                long wait = Math.min(100, Math.min(flushDueAt - now, member.nextHeartbeatAt() - now));
                reader.changed.await(Math.max(1, wait), TimeUnit.MILLISECONDS);
            }
        } finally {
            reader.lock.unlock();
        }
    }

    /**
     * Joins and fetches once on the calling thread (the one creating the consumer) while the lane's thread, started
     * first, waits for that opening and then takes over: a new consumer's first records are in hand when
     * {@code createConsumer} returns, without waiting for the hand-back of its first fetch from another thread (on two
     * busy cores such a hand-off costs a millisecond or more). A join that fails leaves the retrying to the thread, as
     * {@link #start} does. Connects to the brokers are bounded by {@code timeoutMs}.
     */
    void startHere(long timeoutMs) {
        member.connectTimeoutMs((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMs)));
        openingHere = new java.util.concurrent.CountDownLatch(1);
        start();
        try {
            joined = member.join(Math.min(JOIN_MS, Math.max(1, timeoutMs)), reader.mayFetchNow());
            opened = true;
            open();
        } catch (ShareGroupMember.Broken e) {
            if (opened) {
                openFailure = e; // the thread reports it as it would its own
            } else {
                log.debug("Share consumer {} cannot join group {} yet: {}", clientId, reader.settings().groupId(), e.getMessage());
                firstPoll.complete(null); // the thread joins when the brokers answer
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            openFailure = e;
            opened = true;
        } catch (RuntimeException e) {
            openFailure = e;
            opened = true;
        } finally {
            openingHere.countDown();
        }
    }

    /** After the join: the group's configurations, then the first fetch, offered to the reader. */
    private void open() throws ShareGroupMember.Broken, InterruptedException {
        if (member.appliesQueueDefaults()) {
            reader.queueDefaultsServed(); // the group's configurations need not be waited for (nor written again)
        } else if (!reader.awaitGroupReady(JOIN_MS)) {
            // a share partition's start is fixed by its first fetch: before share.auto.offset.reset=earliest is set, it
            // would be the log end, and the messages sent before the first consumer would never be delivered
            groupPending = true;
            log.info("Share consumer {}: the configurations of share group {} are not confirmed after {} ms; it fetches "
                    + "once the brokers answered", clientId, reader.settings().groupId(), JOIN_MS);
        }
        // the first fetch does not wait at the broker: what the queue holds now is offered at once
        ConsumerRecords<byte[], byte[]> first = !groupPending && (joined || member.fetchedAtJoin()) ? fetch(0)
                : ConsumerRecords.empty();
        reader.accept(this, first);
        firstPoll.complete(null);
    }

    private void run() {
        try {
            if (openingHere != null) {
                openingHere.await(); // the creating thread joins and fetches first (startHere)
            }
            if (!opened) {
                if (!join()) {
                    return;
                }
                open();
            } else if (openFailure instanceof ShareGroupMember.Broken b) {
                throw b;
            } else if (openFailure instanceof RuntimeException e) {
                throw e;
            } else if (openFailure != null) {
                return; // interrupted while opening: the consumer is being given up
            }
            while (true) {
                Work w = nextWork();
                flushing = w.syncFlushes();
                if (w.heartbeat()) {
                    member.heartbeatIfDue(reader.now());
                }
                KafkaException lostAck = apply(w.decided());
                if (w.stop()) {
                    failTransactional(w.transactional());
                    leave(w.syncFlushes(), lostAck);
                    break;
                }
                if (!w.syncFlushes().isEmpty()) {
                    flushSync(w.syncFlushes(), lostAck);
                } else if (w.asyncFlush() && !w.fetch() && !acks.isEmpty()) {
                    flushSync(List.of(), null);
                }
                if (!w.transactional().isEmpty()) {
                    acceptInTransactions(w.transactional());
                }
                if (!w.renew().isEmpty()) {
                    renew(w.renew());
                }
                if (w.fetch()) {
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        records = fetch(FETCH_WAIT_MS);
                    } finally {
                        reader.fetchDone(this);
                    }
                    reader.accept(this, records);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ShareGroupMember.Broken e) {
            log.info("Share consumer {} of {}: {}; what it held goes back to the queue, another member takes over", clientId,
                    reader.settings().topic(), e.getMessage());
            boolean told = false; // a synchronous commit waiting on this lane learns of the break
            for (CompletableFuture<Void> f : flushing) {
                told |= f.completeExceptionally(e) || f.isCompletedExceptionally(); // failed here or by flushSync
            }
            // every ACCEPT in acks is counted there; the acknowledgements still travelling are taken in the same hold of
            // the lock that marks the lane broken (so that no commit in between finds nothing to wait for), failed after
            CompletableFuture<Void> travelling = reader.laneBroken(this, acceptsUnconfirmed > 0, told);
            if (travelling != null) {
                travelling.completeExceptionally(e);
            }
        } catch (RuntimeException e) {
            acksSettled(e);
            flushing.forEach(f -> f.completeExceptionally(e));
            reader.failed(e);
        } catch (Error e) {
            acksSettled(e); // a commit waiting for them must not wait out its timeout
            throw e;
        } finally {
            firstPoll.complete(null);
            failWaiting();
            try {
                member.leave(List.of()); // closes the share sessions (releasing what is still held) and leaves the group
            } catch (RuntimeException e) {
                log.debug("Share consumer {} could not leave its group", clientId, e);
            }
            member.close();
            finished.complete(null);
            reader.laneFinished(this);
        }
    }

    /**
     * Joins the group, retrying (with a growing pause) while the brokers cannot be reached; false when the reader
     * closed meanwhile.
     */
    private boolean join() throws InterruptedException {
        long pause = RETRY_MIN_MS;
        while (true) {
            if (reader.isClosing()) {
                return false;
            }
            try {
                joined = member.join(JOIN_MS, reader.mayFetchNow());
                if (!joined) {
                    log.debug("Share consumer {} joined group {} without an assignment yet", clientId, reader.settings().groupId());
                }
                return true;
            } catch (ShareGroupMember.Broken e) {
                log.debug("Share consumer {} cannot join group {} yet: {}", clientId, reader.settings().groupId(), e.getMessage());
                firstPoll.complete(null); // start() does not wait for the brokers: the member joins when they answer
                Thread.sleep(pause);
                pause = Math.min(RETRY_MAX_MS, pause * 2);
            }
        }
    }

    /** One fetch, carrying the decisions not yet sent (their failures are logged: nobody waits for them). */
    private ConsumerRecords<byte[], byte[]> fetch(int maxWaitMs) throws ShareGroupMember.Broken {
        // the first fetch may have gone with the join: what it acquired is this member's, assigned yet or not
        ShareGroupMember.Fetched f = member.takeJoinFetch();
        if (f == null) {
            if (groupPending) {
                member.heartbeatIfDue(reader.now());
                try {
                    if (!reader.awaitGroupReady(FETCH_WAIT_MS)) {
                        return ConsumerRecords.empty();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ConsumerRecords.empty();
                }
                groupPending = false;
            }
            if (!member.assigned()) {
                member.heartbeatIfDue(reader.now());
                if (!member.assigned()) {
                    try {
                        Thread.sleep(Math.max(1, Math.min(FETCH_WAIT_MS, member.nextHeartbeatAt() - reader.now())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ConsumerRecords.empty();
                }
                joined = true;
            }
            f = member.fetch(maxWaitMs, takeAcks());
        }
        acceptsUnconfirmed = 0; // answered (an error per partition is logged: an asynchronous acknowledgement's contract)
        logAckErrors(f.ackErrors());
        acksAnswered(f.ackErrors()); // and reported to a synchronous commit that waits for them
        if (member.lockTimeoutMs() > 0) {
            reader.lockDuration(member.lockTimeoutMs());
        }
        if (f.records().isEmpty()) {
            return ConsumerRecords.empty();
        }
        if (log.isTraceEnabled()) {
            StringBuilder b = new StringBuilder();
            f.records().forEach(r -> b.append(r.partition()).append('@').append(r.offset()).append(' '));
            log.trace("Share consumer {} fetched {} records: {}", clientId, f.records().size(), b);
        }
        return records(f.records());
    }

    private static ConsumerRecords<byte[], byte[]> records(List<ConsumerRecord<byte[], byte[]>> list) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : list) {
            m.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
        }
        return new ConsumerRecords<>(m, Map.of());
    }

    /** The acknowledgements to send now; they travel until {@link #acksAnswered} or {@link #acksSettled}. */
    private List<ShareGroupMember.Ack> takeAcks() {
        List<ShareGroupMember.Ack> out = new ArrayList<>(acks);
        acks.clear();
        reader.lock.lock();
        try {
            unsentAcks = false;
            if (!out.isEmpty() && acksInFlight == null) {
                CompletableFuture<Void> travelling = new CompletableFuture<>();
                acksInFlight = travelling;
                // synchronous commits registered since this round's work was taken expected these acknowledgements in
                // their flush; they go now, in this request: its errors are theirs
                for (CompletableFuture<Void> f : syncFlushes) {
                    travelling.whenComplete((v, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        }
                    });
                }
            }
        } finally {
            reader.lock.unlock();
        }
        return out;
    }

    /** The broker answered the acknowledgements that travelled: a commit waiting on them learns the first error. */
    private void acksAnswered(Map<Integer, KafkaException> errors) {
        acksSettled(errors.isEmpty() ? null : errors.values().iterator().next());
    }

    /** The acknowledgements that travelled were answered ({@code error} null) or may be lost: a waiting commit learns which. */
    private void acksSettled(Throwable error) {
        CompletableFuture<Void> f;
        reader.lock.lock();
        try {
            f = acksInFlight;
            acksInFlight = null;
        } finally {
            reader.lock.unlock();
        }
        if (f == null) {
            return;
        }
        if (error == null) {
            f.complete(null);
        } else {
            f.completeExceptionally(error);
        }
    }

    private void logAckErrors(Map<Integer, KafkaException> errors) {
        for (Map.Entry<Integer, KafkaException> e : errors.entrySet()) {
            log.warn("Acknowledging records of {}-{} in share group {} failed: {}", reader.settings().topic(), e.getKey(),
                    reader.settings().groupId(), e.getValue().toString());
        }
    }

    /**
     * Takes decisions to send (the dead-letter copy first, on this thread). Returns the failure to report for records
     * consumed after their lock was lost (their acknowledgement cannot be sent), or null.
     */
    private KafkaException apply(List<ShareQueueReader.Held> decided) {
        if (decided.isEmpty()) {
            return null;
        }
        KafkaException lostAck = null;
        for (ShareQueueReader.Held h : decided) {
            ShareQueueReader.Decision d = h.decision;
            if (d == ShareQueueReader.Decision.LEAVE || d == ShareQueueReader.Decision.IN_TRANSACTION) {
                continue; // LEAVE: never delivered, the share session's close releases it, uncounted; IN_TRANSACTION: sent
            }
            if (!h.lost && d == ShareQueueReader.Decision.DEAD_LETTER && !reader.deadLetter(h)) {
                d = ShareQueueReader.Decision.RELEASE;
            }
            if (h.lost) {
                if (d == ShareQueueReader.Decision.ACCEPT) {
                    lostAck = new InvalidRecordStateException("Message " + h.record.topic() + "-" + h.record.partition() + "@"
                            + h.record.offset() + " was consumed after its acquisition lock was lost: the broker delivers it again");
                    log.warn("Share consumer {}: {}", clientId, lostAck.getMessage());
                }
                continue;
            }
            acks.add(new ShareGroupMember.Ack(h.record.partition(), h.record.offset(), type(d)));
            if (d == ShareQueueReader.Decision.ACCEPT) {
                acceptsUnconfirmed++;
            }
        }
        reader.lock.lock();
        try {
            for (ShareQueueReader.Held h : decided) {
                reader.applied(h);
            }
            unsentAcks = !acks.isEmpty();
            reader.changed.signalAll();
        } finally {
            reader.lock.unlock();
        }
        return lostAck;
    }

    private static byte type(ShareQueueReader.Decision d) {
        return switch (d) {
            case ACCEPT -> ACCEPT;
            case RELEASE -> RELEASE;
            case REJECT, DEAD_LETTER -> REJECT;
            case LEAVE, IN_TRANSACTION -> throw new IllegalArgumentException(d + " is not acknowledged here");
        };
    }

    /** Sends each transactional ACCEPT (the decisions taken before go first) and completes it with the broker's answer. */
    private void acceptInTransactions(List<ShareQueueReader.TransactionalAccept> todo) throws ShareGroupMember.Broken {
        if (!acks.isEmpty()) {
            flushSync(List.of(), null);
        }
        for (int i = 0; i < todo.size(); i++) {
            ShareQueueReader.TransactionalAccept t = todo.get(i);
            List<ShareGroupMember.Ack> accepts = new ArrayList<>();
            for (ShareQueueReader.Held h : t.records()) {
                accepts.add(new ShareGroupMember.Ack(h.record.partition(), h.record.offset(), ACCEPT));
            }
            Map<Integer, KafkaException> errors;
            try {
                errors = member.acknowledgeInTransaction(accepts, t.transaction());
            } catch (ShareGroupMember.Broken | RuntimeException e) {
                t.done().completeExceptionally(e);
                if (e instanceof ShareGroupMember.Broken b) {
                    failTransactional(todo.subList(i + 1, todo.size()));
                    throw b;
                }
                continue;
            }
            if (errors.isEmpty()) {
                reader.acceptedInTransaction(t.records());
                t.done().complete(null);
            } else {
                t.done().completeExceptionally(errors.values().iterator().next());
            }
        }
    }

    private void failTransactional(List<ShareQueueReader.TransactionalAccept> todo) {
        for (ShareQueueReader.TransactionalAccept t : todo) {
            t.done().completeExceptionally(new java.lang.IllegalStateException("share consumer " + clientId + " closed"));
        }
    }

    /** Sends the decisions taken and completes {@code flushes} with the broker's answer. */
    private void flushSync(List<CompletableFuture<Void>> flushes, KafkaException lostAck) throws ShareGroupMember.Broken {
        Map<Integer, KafkaException> errors;
        try {
            errors = member.acknowledge(takeAcks(), false);
        } catch (ShareGroupMember.Broken | RuntimeException e) {
            flushes.forEach(f -> f.completeExceptionally(e));
            throw e;
        }
        acceptsUnconfirmed = 0;
        acksAnswered(errors);
        complete(flushes, errors, lostAck);
    }

    /** The last decisions go with the requests that close the share sessions; then the member leaves. */
    private void leave(List<CompletableFuture<Void>> flushes, KafkaException lostAck) {
        Map<Integer, KafkaException> errors = member.leave(takeAcks());
        acksAnswered(errors);
        complete(flushes, errors, lostAck);
    }

    private void complete(List<CompletableFuture<Void>> flushes, Map<Integer, KafkaException> errors, KafkaException lostAck) {
        logAckErrors(errors);
        KafkaException failed = errors.isEmpty() ? lostAck : errors.values().iterator().next();
        for (CompletableFuture<Void> f : flushes) {
            if (failed == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(failed);
            }
        }
    }

    /**
     * Renews the locks of {@code records} (RENEW, KIP-1222) and waits for the broker's answer. A record whose
     * partition answered with an error lost its lock (the broker refused the renewal: expired, or its partition moved).
     */
    private void renew(List<ShareQueueReader.Held> records) throws ShareGroupMember.Broken {
        long sentAt = reader.now();
        List<ShareGroupMember.Ack> renewing = new ArrayList<>();
        for (ShareQueueReader.Held h : records) {
            if (!h.lost) {
                renewing.add(new ShareGroupMember.Ack(h.record.partition(), h.record.offset(), RENEW));
            }
        }
        Map<Integer, KafkaException> errors = Map.of();
        if (!renewing.isEmpty()) {
            try {
                errors = member.acknowledge(renewing, true);
            } catch (UnsupportedVersionException e) {
                reader.renewalsUnsupported(e);
                return;
            }
        }
        List<ConsumerRecord<byte[], byte[]>> back = new ArrayList<>();
        for (ShareQueueReader.Held h : records) {
            KafkaException error = errors.get(h.record.partition());
            if (!h.lost && error == null && !renewing.isEmpty()) {
                back.add(h.record);
            }
        }
        for (KafkaException e : errors.values()) {
            if (e instanceof UnsupportedVersionException u) {
                reader.renewalsUnsupported(u);
                return;
            }
            log.warn("Renewing the locks of records of {} in share group {} failed: {}", reader.settings().topic(),
                    reader.settings().groupId(), e.toString());
        }
        if (member.lockTimeoutMs() > 0) {
            reader.lockDuration(member.lockTimeoutMs());
        }
        if (log.isTraceEnabled()) {
            log.trace("Share consumer {} renewed the locks of {} records: {} renewed", clientId, records.size(), back.size());
        }
        reader.accept(this, reader.renewed(this, records, records(back), sentAt));
    }

    private void failWaiting() {
        reader.lock.lock();
        try {
            for (CompletableFuture<Void> f : syncFlushes) {
                f.completeExceptionally(new java.lang.IllegalStateException("share consumer " + clientId + " closed"));
            }
            syncFlushes.clear();
            failTransactional(transactionalAccepts);
            transactionalAccepts.clear();
        } finally {
            reader.lock.unlock();
        }
    }
}
