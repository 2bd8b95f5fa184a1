package io.weir.broker.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * <p>Not thread-safe: its owner ({@link SharePartition}) serializes calls.
 */
public final class SharePartitionState {
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private final int deliveryLimit;
    private final int maxInFlight;
    private long startOffset;
    private long endOffset;
    private int stateEpoch;
    /** How many offsets were archived as undeliverable so far (a change to write). */
    private long undeliverableArchived;

    /** One in-flight record. */
    private static final class InFlight {
        DeliveryState state;
        int deliveryCount;
        String member;
        long lockDeadline;
        /** The transaction a PENDING_TXN record waits for, else null. */
        Txn txn;

        InFlight(DeliveryState state, int deliveryCount) {
            this.state = state;
            this.deliveryCount = deliveryCount;
        }
    }

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
        s.endOffset = snapshot.endOffset();
        for (long o = s.startOffset; o < s.endOffset; o++) {
            s.inFlight.put(o, new InFlight(DeliveryState.AVAILABLE, 0));
        }
        for (StateBatch b : snapshot.batches()) {
            DeliveryState state = b.state() == DeliveryState.ACQUIRED ? DeliveryState.AVAILABLE : b.state();
            for (long o = Math.max(b.first(), s.startOffset); o <= b.last(); o++) {
                s.inFlight.put(o, new InFlight(state, b.deliveryCount()));
            }
        }
        for (PendingTxnAck p : snapshot.pending()) {
            Txn txn = new Txn(p.producerId(), p.producerEpoch(), p.markerFrom());
            for (long o = Math.max(p.first(), s.startOffset); o <= p.last() && o < s.endOffset; o++) {
                InFlight r = s.inFlight.get(o);
                r.state = DeliveryState.PENDING_TXN;
                r.txn = txn;
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
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            if (taken >= maxRecords || e.getKey() >= highWatermark) {
                break;
            }
            InFlight r = e.getValue();
            if (r.state != DeliveryState.AVAILABLE) {
                continue;
            }
            if (undeliverable.test(e.getKey())) {
                complete(r, DeliveryState.ARCHIVED);
                undeliverableArchived++;
                archived = true;
            } else if (eligible.test(e.getKey())) {
                take(r, member, lockMs, now);
                add(ranges, e.getKey(), r.deliveryCount);
                taken++;
            }
        }
        while (taken < maxRecords && endOffset < highWatermark && endOffset - startOffset < maxInFlight) {
            InFlight r = new InFlight(DeliveryState.AVAILABLE, 0);
            inFlight.put(endOffset, r);
            if (undeliverable.test(endOffset)) {
                complete(r, DeliveryState.ARCHIVED);
                undeliverableArchived++;
                archived = true;
            } else if (eligible.test(endOffset)) {
                take(r, member, lockMs, now);
                add(ranges, endOffset, r.deliveryCount);
                taken++;
            }
            endOffset++;
        }
        if (archived) {
            advanceStart();
        }
        return ranges;
    }

    private static void take(InFlight r, String member, long lockMs, long now) {
        r.state = DeliveryState.ACQUIRED;
        r.deliveryCount++;
        r.member = member;
        r.lockDeadline = now + lockMs;
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
        for (Map.Entry<Long, InFlight> e : inFlight.headMap(highWatermark).entrySet()) {
            if (e.getValue().state == DeliveryState.AVAILABLE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies one acknowledgement batch of {@code member}: all offsets {@code first..last} must be
     * acquired by it, else nothing changes. ACCEPT and GAP complete the records, REJECT archives them,
     * RELEASE makes them available again (archived at the delivery limit), RENEW extends their locks.
     */
    public AckResult acknowledge(String member, long first, long last, AckType type, long lockMs, long now) {
        if (first > last || first < startOffset || last >= endOffset) {
            return AckResult.INVALID_RECORD_STATE;
        }
        for (long o = first; o <= last; o++) {
            InFlight r = inFlight.get(o);
            if (r == null || r.state != DeliveryState.ACQUIRED || !r.member.equals(member)) {
                return AckResult.INVALID_RECORD_STATE;
            }
        }
        for (long o = first; o <= last; o++) {
            InFlight r = inFlight.get(o);
            switch (type) {
                case ACCEPT, GAP -> complete(r, DeliveryState.ACKNOWLEDGED);
                case REJECT -> complete(r, DeliveryState.ARCHIVED);
                case RELEASE -> release(r);
                case RENEW -> r.lockDeadline = now + lockMs;
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
            InFlight r = inFlight.get(o);
            if (r == null || r.state != DeliveryState.ACQUIRED || !r.member.equals(member)) {
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
            InFlight r = inFlight.get(o);
            r.state = DeliveryState.PENDING_TXN;
            r.member = null;
            r.txn = txn;
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
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.PENDING_TXN && r.txn.endedBy(producerId, producerEpoch, markerOffset)) {
                r.txn = null;
                if (commit) {
                    complete(r, DeliveryState.ACKNOWLEDGED);
                } else {
                    release(r);
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
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.PENDING_TXN) {
                from = Math.min(from, r.txn.markerFrom());
            }
        }
        return from == Long.MAX_VALUE ? -1 : from;
    }

    private static void complete(InFlight r, DeliveryState state) {
        r.state = state;
        r.member = null;
    }

    private void release(InFlight r) {
        r.member = null;
        r.state = r.deliveryCount >= deliveryLimit ? DeliveryState.ARCHIVED : DeliveryState.AVAILABLE;
    }

    /**
     * Releases the records whose acquisition lock has expired.
     *
     * @return how many were released
     */
    public int expireLocks(long now) {
        int released = 0;
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.ACQUIRED && r.lockDeadline <= now) {
                release(r);
                released++;
            }
        }
        if (released > 0) {
            advanceStart();
        }
        return released;
    }

    /** The earliest lock deadline of an acquired record, or {@link Long#MAX_VALUE} when none is acquired. */
    public long nextLockDeadline() {
        long next = Long.MAX_VALUE;
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.ACQUIRED) {
                next = Math.min(next, r.lockDeadline);
            }
        }
        return next;
    }

    /** Whether {@code member} holds acquired records whose locks have not expired. */
    public boolean holds(String member, long now) {
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.ACQUIRED && member.equals(r.member) && r.lockDeadline > now) {
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
        for (InFlight r : inFlight.values()) {
            if (r.state == DeliveryState.ACQUIRED && member.equals(r.member)) {
                if (closedSession) {
                    r.deliveryCount = Math.max(0, r.deliveryCount - 1);
                    r.member = null;
                    r.state = DeliveryState.AVAILABLE;
                } else {
                    release(r);
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
        inFlight.headMap(offset).clear();
        startOffset = offset;
        endOffset = Math.max(endOffset, offset);
        advanceStart();
    }

    /** Starts again at {@code offset} with nothing in flight (offsets altered or deleted), in a new state epoch. */
    public void reset(long offset) {
        inFlight.clear();
        startOffset = offset;
        endOffset = offset;
        stateEpoch++;
    }

    private void advanceStart() {
        Iterator<Map.Entry<Long, InFlight>> it = inFlight.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, InFlight> e = it.next();
            if (!e.getValue().state.terminal()) {
                break;
            }
            it.remove();
            startOffset = e.getKey() + 1;
        }
        if (inFlight.isEmpty()) {
            startOffset = Math.max(startOffset, endOffset);
        }
    }

    /** The durable form: acquired records appear as available with their delivery count. */
    public ShareSnapshot snapshot() {
        List<StateBatch> batches = new ArrayList<>();
        List<PendingTxnAck> pending = new ArrayList<>();
        // runs of adjacent offsets with one state and count become one batch (a record made per run, not per offset)
        long runFirst = -1;
        long runLast = -1;
        DeliveryState runState = null;
        int runCount = 0;
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            long o = e.getKey();
            InFlight r = e.getValue();
            if (r.state == DeliveryState.PENDING_TXN) {
                addPending(pending, o, r.txn);
            }
            DeliveryState state = r.state == DeliveryState.ACQUIRED || r.state == DeliveryState.PENDING_TXN
                    ? DeliveryState.AVAILABLE : r.state;
            if (runState != null && runLast + 1 == o && runState == state && runCount == r.deliveryCount) {
                runLast = o;
                continue;
            }
            if (runState != null) {
                batches.add(new StateBatch(runFirst, runLast, runState, runCount));
            }
            runFirst = o;
            runLast = o;
            runState = state;
            runCount = r.deliveryCount;
        }
        if (runState != null) {
            batches.add(new StateBatch(runFirst, runLast, runState, runCount));
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
        return inFlight.size();
    }

    /** The state of {@code offset}: in flight, done (before the start offset), or null when never acquired. */
    public DeliveryState stateOf(long offset) {
        if (offset < startOffset) {
            return DeliveryState.ACKNOWLEDGED;
        }
        InFlight r = inFlight.get(offset);
        return r == null ? null : r.state;
    }

    /** The delivery count of an in-flight offset, or 0. */
    public int deliveryCountOf(long offset) {
        InFlight r = inFlight.get(offset);
        return r == null ? 0 : r.deliveryCount;
    }
}
