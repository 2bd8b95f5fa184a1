package io.weir.jms.client;

import java.util.ArrayList;
import java.util.List;

/**
 * When a {@link ShareLane} renews the acquisition locks of the records it holds, and which ones (KIP-1222,
 * {@code AcknowledgeType.RENEW}): pure decisions over a lane's batch, made under the reader's lock.
 *
 * <p>A record the application holds undecided (<i>claimed</i>: delivered and not yet acknowledged, committed or rolled
 * back, offered again after recover/rollback, or parked until its delivery time) keeps its lock for as long as it is
 * held: its lane renews it once less than half a lock duration is left. A {@code KafkaShareConsumer} in explicit mode
 * polls again only once every record of its last poll has an acknowledgement, and renewed records come back to the
 * application through that poll, so a renewal covers the whole batch: a record fetched and never handed out is renewed
 * with the others during its first lock duration only, and released at the first renewal after that, for the queue's
 * other consumers (the broker counts that delivery, as it counts an expired lock). So the locks of records nobody asks
 * for are not renewed for ever, and a lane whose records are all unclaimed renews nothing (they are dropped at the
 * lock, less {@link #margin}, as {@link ShareQueueReader#take} always did).
 */
final class ShareLockRenewal {

    private ShareLockRenewal() {
    }

    /** What a renewal does with a lane's undecided records. */
    record Plan(List<ShareQueueReader.Held> renew, List<ShareQueueReader.Held> release) {
        boolean isEmpty() {
            return renew.isEmpty() && release.isEmpty();
        }
    }

    private static final Plan NOTHING = new Plan(List.of(), List.of());

    /** How long before its lock runs out a record is no longer handed out (the broker may give it away any moment). */
    static long margin(long lockMs) {
        return Math.min(1000, lockMs / 10);
    }

    /**
     * What {@code batch} (one lane's records, in poll order) needs now: nothing until a claimed, undecided record has
     * less than half a lock duration left; then every undecided record is renewed, except the unclaimed ones held for a
     * lock duration already, which are released. Records whose renewal failed ({@code lost}) take no part.
     */
    static Plan plan(List<ShareQueueReader.Held> batch, long now, long lockMs) {
        boolean due = false;
        for (ShareQueueReader.Held h : batch) {
            if (h.decision == null && !h.lost && h.claimed && h.lockedUntil - now <= lockMs / 2) {
                due = true;
                break;
            }
        }
        if (!due) {
            return NOTHING;
        }
        List<ShareQueueReader.Held> renew = new ArrayList<>();
        List<ShareQueueReader.Held> release = new ArrayList<>();
        for (ShareQueueReader.Held h : batch) {
            if (h.decision != null || h.lost) {
                continue;
            }
            if (h.claimed || now - h.acquiredAt < lockMs - margin(lockMs)) {
                renew.add(h);
            } else {
                release.add(h);
            }
        }
        return new Plan(renew, release);
    }
}
