package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShareLockRenewalTest {

    private static final long LOCK = 10_000;

    private static ShareQueueReader.Held held(long offset, long acquiredAt) {
        ShareQueueReader.Held h = new ShareQueueReader.Held(new ConsumerRecord<>("q", 0, offset, new byte[0], new byte[0]),
                null, acquiredAt);
        h.lockedUntil = acquiredAt + LOCK;
        return h;
    }

    @Test
    void nothingIsRenewedWhileMoreThanHalfTheLockIsLeft() {
        ShareQueueReader.Held a = held(0, 0);
        a.claimed = true;
        assertThat(ShareLockRenewal.plan(List.of(a), 4_999, LOCK).isEmpty()).isTrue();
        assertThat(ShareLockRenewal.plan(List.of(a), 5_000, LOCK).renew()).containsExactly(a);
    }

    @Test
    void recordsNobodyClaimedAreNeverRenewedAlone() {
        ShareQueueReader.Held a = held(0, 0);
        ShareQueueReader.Held b = held(1, 0);
        assertThat(ShareLockRenewal.plan(List.of(a, b), 9_000, LOCK).isEmpty())
                .as("a lane holding only records the application never took renews nothing").isTrue();
    }

    @Test
    void aClaimedRecordRenewsItsWholeBatchButUnclaimedRecordsOnlyWithinTheirFirstLock() {
        ShareQueueReader.Held taken = held(0, 0);
        taken.claimed = true;
        ShareQueueReader.Held offered = held(1, 0);
        ShareQueueReader.Held decided = held(2, 0);
        decided.claimed = true;
        decided.decision = ShareQueueReader.Decision.ACCEPT;
        ShareQueueReader.Held lost = held(3, 0);
        lost.claimed = true;
        lost.lost = true;
        List<ShareQueueReader.Held> batch = List.of(taken, offered, decided, lost);

        ShareLockRenewal.Plan first = ShareLockRenewal.plan(batch, 5_000, LOCK);
        assertThat(first.renew()).containsExactly(taken, offered);
        assertThat(first.release()).isEmpty();

        taken.lockedUntil = 5_000 + LOCK;
        offered.lockedUntil = 5_000 + LOCK;
        ShareLockRenewal.Plan second = ShareLockRenewal.plan(batch, 10_000, LOCK);
        assertThat(second.renew()).containsExactly(taken);
        assertThat(second.release()).as("held a lock duration without being taken: back to the queue")
                .containsExactly(offered);
    }

    @Test
    void aParkedOrRedeliveredRecordIsRenewedForAsLongAsItIsHeld() {
        ShareQueueReader.Held parked = held(0, 0);
        parked.claimed = true;
        long now = 0;
        for (int i = 0; i < 20; i++) {
            now = parked.lockedUntil - LOCK / 2;
            assertThat(ShareLockRenewal.plan(List.of(parked), now, LOCK).renew()).containsExactly(parked);
            parked.lockedUntil = now + LOCK;
        }
        assertThat(now).isGreaterThan(5 * LOCK);
    }
}
