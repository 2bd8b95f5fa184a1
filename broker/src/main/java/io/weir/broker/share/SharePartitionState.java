package io.weir.broker.share;

import java.util.ArrayList;
import java.util.List;

/**
 * The record states of one share-partition (KIP-932), as a pure state machine: no I/O, no clock of
 * its own (every call that depends on time is given {@code now}).
 *
 * <pre>
 *   SPSO = startOffset                                  SPEO = endOffset             high watermark
 *   |  in flight: AVAILABLE / ACQUIRED / ACKNOWLEDGED / ARCHIVED  |  never acquired yet  |
 * </pre>
 *
 * Every offset in {@code [startOffset, endOffset)} has an entry; offsets from {@code endOffset} on have
 * never been delivered. Acquisition takes available in-flight records first (redeliveries), then new
 * records from the end offset up to the high watermark, while no more than {@code maxInFlight}
 * offsets are in flight. Each acquisition counts one delivery; a record released (by RELEASE, by its
 * lock expiring or by its member's connection closing) after {@code deliveryLimit} deliveries is archived; a
 * record released by its member closing its share session is not counted (its count goes back by one). The
 * start offset moves past leading acknowledged and archived records, which are then forgotten.
 *
 * <p>An ACCEPT inside a Kafka transaction ({@link #acceptInTransaction}) makes records PENDING_TXN: they hold no lock,
 * are not acquirable, cannot be acknowledged or released by anyone, and hold the start offset back until the
 * transaction's marker ({@link #completeTransaction}) acknowledges them (commit) or releases them (abort).
 *
 * <p>The in-flight records are kept in rings of arrays indexed by offset (a slot per offset of the window, which
 * {@code maxInFlight} bounds), with counts of the acquired, available and pending records and a lower bound of the
 * acquisition locks' deadlines, so that the checks a fetch makes (expired locks, anything acquirable, anything held)
 * do not walk the window when their answer is known, and the walks that remain touch a few arrays, not a tree of
 * boxed offsets.
 *
 * <p>Not thread-safe: its owner ({@link SharePartition}) serializes calls.
 */
public final class SharePartitionState {
    private static final int MIN_CAPACITY = 64;

    private final int deliveryLimit;
    private final int maxInFlight;
    private long startOffset;
    private long endOffset;
    private int stateEpoch;
    /** How many offsets were archived as undeliverable so far (a change to write). */
    private long undeliverableArchived;

    // one slot per offset of [startOffset, endOffset), at index offset & mask; slots outside the window are cleared
    private DeliveryState[] states;
    private int[] deliveryCounts;
    private String[] members;
    private long[] lockDeadlines;
    /** The transaction a PENDING_TXN record waits for, else null. */
    private Txn[] txns;
    private int mask;

    /** In-flight records ACQUIRED, AVAILABLE and PENDING_TXN. */
    private int acquiredCount;
    private int availableCount;
    private int pendingCount;
    /** No acquired record's lock ends before this (exact after a walk of the window; Long.MAX_VALUE when none is acquired). */
    private long deadlineBound = Long.MAX_VALUE;

    /** The transaction of a pending acknowledgement (see {@link PendingTxnAck}). */
    private record Txn(long producerId, short producerEpoch, long markerFrom) {
        boolean endedBy(long markerProducerId, short markerEpoch, long markerOffset) {
            return new PendingTxnAck(0, 0, producerId, producerEpoch, markerFrom).endedBy(markerProducerId, markerEpoch, markerOffset);
        }
    }

    /** The outcome of an acknowledgement. */
    public enum AckResult {
        OK,
        /** An offset of the batch is not acquired by this member (or no longer in flight): nothing changed. */
        INVALID_RECORD_STATE
    }

    private SharePartitionState(int stateEpoch, long startOffset, int deliveryLimit, int maxInFlight) {
        this.stateEpoch = stateEpoch;
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        this.deliveryLimit = deliveryLimit;
        this.maxInFlight = maxInFlight;
        allocate(MIN_CAPACITY);
    }

    /** A share-partition that starts at {@code startOffset} with nothing delivered. */
    public static SharePartitionState fresh(long startOffset, int deliveryLimit, int maxInFlight) {
        return fresh(startOffset, 0, deliveryLimit, maxInFlight);
    }

    /** A share-partition that starts at {@code startOffset} in state epoch {@code stateEpoch} with nothing delivered. */
    public static SharePartitionState fresh(long startOffset, int stateEpoch, int deliveryLimit, int maxInFlight) {
        return new SharePartitionState(stateEpoch, startOffset, deliveryLimit, maxInFlight);
    }

    /**
     * The state a snapshot describes. Offsets between its batches (never persisted as delivered) are
     * available with no delivery yet.
     */
    public static SharePartitionState restore(ShareSnapshot snapshot, int deliveryLimit, int maxInFlight) {
        SharePartitionState s = new SharePartitionState(snapshot.stateEpoch(), snapshot.startOffset(), deliveryLimit, maxInFlight);
        long end = snapshot.endOffset();
        for (StateBatch b : snapshot.batches()) {
            end = Math.max(end, b.last() + 1);
        }
        while (s.endOffset < end) {
            s.appendAvailable();
        }
        for (StateBatch b : snapshot.batches()) {
            DeliveryState state = b.state() == DeliveryState.ACQUIRED ? DeliveryState.AVAILABLE : b.state();
            for (long o = Math.max(b.first(), s.startOffset); o <= b.last(); o++) {
                int i = s.slot(o);
                s.setState(i, state);
                s.deliveryCounts[i] = b.deliveryCount();
            }
        }
        for (PendingTxnAck p : snapshot.pending()) {
            Txn txn = new Txn(p.producerId(), p.producerEpoch(), p.markerFrom());
            for (long o = Math.max(p.first(), s.startOffset); o <= p.last() && o < s.endOffset; o++) {
                int i = s.slot(o);
                s.setState(i, DeliveryState.PENDING_TXN);
                s.txns[i] = txn;
            }
        }
        s.advanceStart();
        return s;
    }

    /**
     * Acquires up to {@code maxRecords} records below {@code highWatermark} for {@code member}, locked
     * until {@code now + lockMs}. Expired locks are released first.
     *
     * @return the acquired offsets, as ranges of consecutive offsets with one delivery count, in offset order
     */
    public List<AcquiredRange> acquire(String member, int maxRecords, long highWatermark, long lockMs, long now) {
        return acquire(member, maxRecords, highWatermark, lockMs, now, offset -> true);
    }

    /**
     * As {@link #acquire(String, int, long, long, long)}, acquiring only offsets {@code eligible}
     * accepts (a member's record filter): the others stay available, with no delivery counted, for
     * other members; new ones among them still enter the in-flight window so that others can take them.
     */
    public List<AcquiredRange> acquire(String member, int maxRecords, long highWatermark, long lockMs, long now,
                                       java.util.function.LongPredicate eligible) {
        return acquire(member, maxRecords, highWatermark, lockMs, now, eligible, offset -> false);
    }

    /**
     * As {@link #acquire(String, int, long, long, long, java.util.function.LongPredicate)}, archiving on the way
     * the available offsets {@code undeliverable} names (control batches, aborted transactions under
     * read_committed: see {@link Undeliverable}) instead of acquiring them: no member ever gets them and no
     * delivery is counted.
     */
    public List<AcquiredRange> acquire(String member, int maxRecords, long highWatermark, long lockMs, long now,
                                       java.util.function.LongPredicate eligible, java.util.function.LongPredicate undeliverable) {
        expireLocks(now);
        List<AcquiredRange> ranges = new ArrayList<>();
        int taken = 0;
        boolean archived = false;
        long inWindow = Math.min(endOffset, highWatermark);
        for (long o = startOffset; o < inWindow && taken < maxRecords && availableCount > 0; o++) {
            int i = slot(o);
            if (states[i] != DeliveryState.AVAILABLE) {
                continue;
            }
            if (undeliverable.test(o)) {
                complete(i, DeliveryState.ARCHIVED);
                undeliverableArchived++;
                archived = true;
            } else if (eligible.test(o)) {
                take(i, member, lockMs, now);
                add(ranges, o, deliveryCounts[i]);
                taken++;
            }
        }
        while (taken < maxRecords && endOffset < highWatermark && endOffset - startOffset < maxInFlight) {
            long o = endOffset;
            int i = appendAvailable();
            if (undeliverable.test(o)) {
                complete(i, DeliveryState.ARCHIVED);
                undeliverableArchived++;
                archived = true;
            } else if (eligible.test(o)) {
                take(i, member, lockMs, now);
                add(ranges, o, deliveryCounts[i]);
                taken++;
            }
        }
        if (archived) {
            advanceStart();
        }
        return ranges;
    }

    private void take(int i, String member, long lockMs, long now) {
        setState(i, DeliveryState.ACQUIRED);
        deliveryCounts[i]++;
        members[i] = member;
        long deadline = now + lockMs;
        lockDeadlines[i] = deadline;
        deadlineBound = Math.min(deadlineBound, deadline);
    }

    private static void add(List<AcquiredRange> ranges, long offset, int deliveryCount) {
        if (!ranges.isEmpty()) {
            AcquiredRange last = ranges.get(ranges.size() - 1);
            if (last.last() + 1 == offset && last.deliveryCount() == deliveryCount) {
                ranges.set(ranges.size() - 1, new AcquiredRange(last.first(), offset, deliveryCount));
                return;
            }
        }
        ranges.add(new AcquiredRange(offset, offset, deliveryCount));
    }

    /** Whether a call to {@link #acquire} now would acquire something. */
    public boolean hasAcquirable(long highWatermark, long now) {
        expireLocks(now);
        if (endOffset < highWatermark && endOffset - startOffset < maxInFlight) {
            return true;
        }
        return firstAvailableInWindow(highWatermark) >= 0;
    }

    /**
     * The first offset below {@code highWatermark} that {@link #acquire} would take first: an available in-flight
     * record, else the end offset when it is below the high watermark, else -1. (Whether the in-flight limit lets
     * new records in is {@link #hasAcquirable}'s question.)
     */
    public long firstAvailable(long highWatermark) {
        long o = firstAvailableInWindow(highWatermark);
        return o >= 0 ? o : endOffset < highWatermark ? endOffset : -1;
    }

    private long firstAvailableInWindow(long highWatermark) {
        if (availableCount == 0) {
            return -1;
        }
        long inWindow = Math.min(endOffset, highWatermark);
        for (long o = startOffset; o < inWindow; o++) {
            if (states[slot(o)] == DeliveryState.AVAILABLE) {
                return o;
            }
        }
        return -1;
    }

    /**
     * Applies one acknowledgement batch of {@code member}: all offsets {@code first..last} must be
     * acquired by it, else nothing changes. ACCEPT and GAP complete the records, REJECT archives them,
     * RELEASE makes them available again (archived at the delivery limit), RENEW extends their locks.
     */
    public AckResult acknowledge(String member, long first, long last, AckType type, long lockMs, long now) {
        if (checkAcquired(member, first, last) != AckResult.OK) {
            return AckResult.INVALID_RECORD_STATE;
        }
        for (long o = first; o <= last; o++) {
            int i = slot(o);
            switch (type) {
                case ACCEPT, GAP -> complete(i, DeliveryState.ACKNOWLEDGED);
                case REJECT -> complete(i, DeliveryState.ARCHIVED);
                case RELEASE -> release(i);
                case RENEW -> {
                    // not necessarily later than before (the group's lock duration lowered, the clock stepped back)
                    lockDeadlines[i] = now + lockMs;
                    deadlineBound = Math.min(deadlineBound, lockDeadlines[i]);
                }
                default -> throw new IllegalArgumentException("Unknown acknowledge type " + type);
            }
        }
        advanceStart();
        return AckResult.OK;
    }

    /** Whether every offset {@code first..last} is acquired by {@code member} (what an acknowledgement needs). */
    public AckResult checkAcquired(String member, long first, long last) {
        if (first > last || first < startOffset || last >= endOffset) {
            return AckResult.INVALID_RECORD_STATE;
        }
        for (long o = first; o <= last; o++) {
            int i = slot(o);
            if (states[i] != DeliveryState.ACQUIRED || !members[i].equals(member)) {
                return AckResult.INVALID_RECORD_STATE;
            }
        }
        return AckResult.OK;
    }

    /**
     * Accepts offsets {@code first..last} of {@code member} inside the transaction of producer {@code producerId} at
     * {@code producerEpoch}: they become PENDING_TXN (no lock, not delivered, not acknowledged) until
     * {@link #completeTransaction} sees the transaction's marker. All must be acquired by the member, else nothing
     * changes.
     *
     * @param markerFrom the data partition's log end offset once it joined the transaction (see {@link PendingTxnAck})
     */
    public AckResult acceptInTransaction(String member, long first, long last, long producerId, short producerEpoch,
                                         long markerFrom) {
        if (checkAcquired(member, first, last) != AckResult.OK) {
            return AckResult.INVALID_RECORD_STATE;
        }
        Txn txn = new Txn(producerId, producerEpoch, markerFrom);
        for (long o = first; o <= last; o++) {
            int i = slot(o);
            setState(i, DeliveryState.PENDING_TXN);
            members[i] = null;
            txns[i] = txn;
        }
        return AckResult.OK;
    }

    /**
     * A COMMIT ({@code commit}) or ABORT marker of producer {@code producerId} at {@code producerEpoch}, written at
     * {@code markerOffset} of the data partition: the pending acknowledgements it ends (see {@link PendingTxnAck})
     * become ACKNOWLEDGED on commit, and on abort are released as a RELEASE releases (available again with the
     * delivery already counted; archived at the delivery limit).
     *
     * @return how many offsets changed
     */
    public int completeTransaction(long producerId, short producerEpoch, long markerOffset, boolean commit) {
        int changed = 0;
        for (long o = startOffset; o < endOffset && pendingCount > 0; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.PENDING_TXN && txns[i].endedBy(producerId, producerEpoch, markerOffset)) {
                txns[i] = null;
                if (commit) {
                    complete(i, DeliveryState.ACKNOWLEDGED);
                } else {
                    release(i);
                }
                changed++;
            }
        }
        if (changed > 0) {
            advanceStart();
        }
        return changed;
    }

    /** The lowest offset from which a marker may end a pending acknowledgement, or -1 when none is pending. */
    public long pendingMarkerFrom() {
        long from = Long.MAX_VALUE;
        for (long o = startOffset; o < endOffset && pendingCount > 0; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.PENDING_TXN) {
                from = Math.min(from, txns[i].markerFrom());
            }
        }
        return from == Long.MAX_VALUE ? -1 : from;
    }

    private void complete(int i, DeliveryState state) {
        setState(i, state);
        members[i] = null;
    }

    private void release(int i) {
        members[i] = null;
        setState(i, deliveryCounts[i] >= deliveryLimit ? DeliveryState.ARCHIVED : DeliveryState.AVAILABLE);
    }

    /**
     * Releases the records whose acquisition lock has expired.
     *
     * @return how many were released
     */
    public int expireLocks(long now) {
        if (acquiredCount == 0) {
            deadlineBound = Long.MAX_VALUE;
            return 0;
        }
        if (now < deadlineBound) {
            return 0;
        }
        int released = 0;
        long next = Long.MAX_VALUE;
        for (long o = startOffset; o < endOffset; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.ACQUIRED) {
                if (lockDeadlines[i] <= now) {
                    release(i);
                    released++;
                } else {
                    next = Math.min(next, lockDeadlines[i]);
                }
            }
        }
        deadlineBound = next;
        if (released > 0) {
            advanceStart();
        }
        return released;
    }

    /** The earliest lock deadline of an acquired record, or {@link Long#MAX_VALUE} when none is acquired. */
    public long nextLockDeadline() {
        long next = Long.MAX_VALUE;
        for (long o = startOffset; o < endOffset && acquiredCount > 0; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.ACQUIRED) {
                next = Math.min(next, lockDeadlines[i]);
            }
        }
        deadlineBound = next;
        return next;
    }

    /** Whether {@code member} holds acquired records whose locks have not expired. */
    public boolean holds(String member, long now) {
        if (acquiredCount == 0) {
            return false;
        }
        for (long o = startOffset; o < endOffset; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.ACQUIRED && lockDeadlines[i] > now && member.equals(members[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Releases everything {@code member} holds. {@code closedSession}: the member closed its share session (share
     * fetch or acknowledge with epoch -1, a consumer closing in order): as in KIP-932 (Kafka's
     * {@code SharePartition.releaseAcquiredRecords}), the acquisitions released this way are not counted (the count
     * goes back by one), so that records a member fetched and left unacknowledged, in particular those it never
     * handed to its application, do not move towards the delivery limit. Otherwise (its connection closed: a
     * consumer process killed, which may have been processing them) they are counted as a RELEASE is, and archived
     * at the delivery limit: a record that kills its consumers still reaches the limit.
     *
     * @return how many were released
     */
    public int releaseMember(String member, boolean closedSession) {
        int released = 0;
        for (long o = startOffset; o < endOffset && acquiredCount > 0; o++) {
            int i = slot(o);
            if (states[i] == DeliveryState.ACQUIRED && member.equals(members[i])) {
                if (closedSession) {
                    deliveryCounts[i] = Math.max(0, deliveryCounts[i] - 1);
                    members[i] = null;
                    setState(i, DeliveryState.AVAILABLE);
                } else {
                    release(i);
                }
                released++;
            }
        }
        if (released > 0) {
            advanceStart();
        }
        return released;
    }

    /**
     * Moves the start offset forward to {@code offset} when it is behind (the log start moved past it:
     * those records are gone). Records before it are forgotten.
     */
    public void advanceStartTo(long offset) {
        if (offset <= startOffset) {
            return;
        }
        for (long o = startOffset; o < Math.min(offset, endOffset); o++) {
            clear(slot(o));
        }
        startOffset = offset;
        endOffset = Math.max(endOffset, offset);
        advanceStart();
    }

    /** Starts again at {@code offset} with nothing in flight (offsets altered or deleted), in a new state epoch. */
    public void reset(long offset) {
        for (long o = startOffset; o < endOffset; o++) {
            clear(slot(o));
        }
        startOffset = offset;
        endOffset = offset;
        deadlineBound = Long.MAX_VALUE;
        stateEpoch++;
    }

    private void advanceStart() {
        while (startOffset < endOffset) {
            int i = slot(startOffset);
            if (!states[i].terminal()) {
                break;
            }
            clear(i);
            startOffset++;
        }
    }

    // ------------------------------------------------------------------ the rings

    private int slot(long offset) {
        return (int) offset & mask;
    }

    private void allocate(int capacity) {
        states = new DeliveryState[capacity];
        deliveryCounts = new int[capacity];
        members = new String[capacity];
        lockDeadlines = new long[capacity];
        txns = new Txn[capacity];
        mask = capacity - 1;
    }

    /** Adds offset {@code endOffset} to the window, available with no delivery; returns its slot. */
    private int appendAvailable() {
        if (endOffset - startOffset >= states.length) {
            grow();
        }
        int i = slot(endOffset);
        states[i] = DeliveryState.AVAILABLE;
        deliveryCounts[i] = 0;
        members[i] = null;
        lockDeadlines[i] = 0;
        txns[i] = null;
        availableCount++;
        endOffset++;
        return i;
    }

    private void grow() {
        DeliveryState[] oldStates = states;
        int[] oldCounts = deliveryCounts;
        String[] oldMembers = members;
        long[] oldDeadlines = lockDeadlines;
        Txn[] oldTxns = txns;
        int oldMask = mask;
        allocate(oldStates.length * 2);
        for (long o = startOffset; o < endOffset; o++) {
            int from = (int) o & oldMask;
            int to = slot(o);
            states[to] = oldStates[from];
            deliveryCounts[to] = oldCounts[from];
            members[to] = oldMembers[from];
            lockDeadlines[to] = oldDeadlines[from];
            txns[to] = oldTxns[from];
        }
    }

    /** Moves slot {@code i} to {@code state}, keeping the counts of acquired, available and pending records. */
    private void setState(int i, DeliveryState state) {
        count(states[i], -1);
        states[i] = state;
        count(state, 1);
    }

    private void count(DeliveryState state, int delta) {
        if (state == DeliveryState.ACQUIRED) {
            acquiredCount += delta;
        } else if (state == DeliveryState.AVAILABLE) {
            availableCount += delta;
        } else if (state == DeliveryState.PENDING_TXN) {
            pendingCount += delta;
        }
    }

    /** Empties slot {@code i} as its offset leaves the window. */
    private void clear(int i) {
        count(states[i], -1);
        states[i] = null;
        members[i] = null;
        txns[i] = null;
    }

    /** The durable form: acquired records appear as available with their delivery count. */
    public ShareSnapshot snapshot() {
        List<StateBatch> batches = new ArrayList<>();
        List<PendingTxnAck> pending = new ArrayList<>();
        // runs of adjacent offsets with one state and count become one batch (a record made per run, not per offset)
        long runFirst = -1;
        DeliveryState runState = null;
        int runCount = 0;
        for (long o = startOffset; o < endOffset; o++) {
            int i = slot(o);
            DeliveryState recorded = states[i];
            if (recorded == DeliveryState.PENDING_TXN) {
                addPending(pending, o, txns[i]);
            }
            DeliveryState state = recorded == DeliveryState.ACQUIRED || recorded == DeliveryState.PENDING_TXN
                    ? DeliveryState.AVAILABLE : recorded;
            if (runState == state && runCount == deliveryCounts[i]) {
                continue;
            }
            if (runState != null) {
                batches.add(new StateBatch(runFirst, o - 1, runState, runCount));
            }
            runFirst = o;
            runState = state;
            runCount = deliveryCounts[i];
        }
        if (runState != null) {
            batches.add(new StateBatch(runFirst, endOffset - 1, runState, runCount));
        }
        return new ShareSnapshot(stateEpoch, startOffset, batches, pending);
    }

    private static void addPending(List<PendingTxnAck> pending, long offset, Txn txn) {
        if (!pending.isEmpty()) {
            PendingTxnAck last = pending.get(pending.size() - 1);
            if (last.last() + 1 == offset && last.producerId() == txn.producerId() && last.producerEpoch() == txn.producerEpoch()
                    && last.markerFrom() == txn.markerFrom()) {
                pending.set(pending.size() - 1, new PendingTxnAck(last.first(), offset, txn.producerId(), txn.producerEpoch(),
                        txn.markerFrom()));
                return;
            }
        }
        pending.add(new PendingTxnAck(offset, offset, txn.producerId(), txn.producerEpoch(), txn.markerFrom()));
    }

    public long startOffset() {
        return startOffset;
    }

    /** How many offsets {@link #acquire} archived as undeliverable since this state was made. */
    public long undeliverableArchived() {
        return undeliverableArchived;
    }

    public long endOffset() {
        return endOffset;
    }

    public int stateEpoch() {
        return stateEpoch;
    }

    /** Offsets in flight (between the start and end offsets). */
    public int inFlightCount() {
        return (int) (endOffset - startOffset);
    }

    /** The state of {@code offset}: in flight, done (before the start offset), or null when never acquired. */
    public DeliveryState stateOf(long offset) {
        if (offset < startOffset) {
            return DeliveryState.ACKNOWLEDGED;
        }
        return offset < endOffset ? states[slot(offset)] : null;
    }

    /** The delivery count of an in-flight offset, or 0. */
    public int deliveryCountOf(long offset) {
        return offset >= startOffset && offset < endOffset ? deliveryCounts[slot(offset)] : 0;
    }
}
