package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SharePartitionStateTest {
    private static final long LOCK = 30_000;
    private final MockTime time = new MockTime();

    private SharePartitionState fresh() {
        return SharePartitionState.fresh(0, 3, 100);
    }

    @Test
    void acquiresNewRecordsUpToTheHighWatermarkAndTheLimit() {
        SharePartitionState s = fresh();
        assertThat(s.acquire("a", 4, 10, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 3, 1));
        assertThat(s.acquire("b", 100, 10, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(4, 9, 1));
        assertThat(s.acquire("c", 100, 10, LOCK, time.milliseconds())).isEmpty();
        assertThat(s.hasAcquirable(10, time.milliseconds())).isFalse();
        assertThat(s.hasAcquirable(11, time.milliseconds())).isTrue();
        assertThat(s.endOffset()).isEqualTo(10);
    }

    @Test
    void acceptMovesTheStartOffsetOnlyPastALeadingRun() {
        SharePartitionState s = fresh();
        s.acquire("a", 5, 5, LOCK, time.milliseconds());
        assertThat(s.acknowledge("a", 1, 2, AckType.ACCEPT, LOCK, time.milliseconds())).isEqualTo(SharePartitionState.AckResult.OK);
        assertThat(s.startOffset()).isZero();
        assertThat(s.acknowledge("a", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds())).isEqualTo(SharePartitionState.AckResult.OK);
        assertThat(s.startOffset()).isEqualTo(3);
        assertThat(s.inFlightCount()).isEqualTo(2);
    }

    @Test
    void onlyTheAcquiringMemberMayAcknowledgeAndOnlyOnce() {
        SharePartitionState s = fresh();
        s.acquire("a", 2, 2, LOCK, time.milliseconds());
        assertThat(s.acknowledge("b", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds()))
                .isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.acknowledge("a", 0, 5, AckType.ACCEPT, LOCK, time.milliseconds()))
                .as("beyond the end offset: nothing changes").isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.ACQUIRED);
        assertThat(s.acknowledge("a", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds())).isEqualTo(SharePartitionState.AckResult.OK);
        assertThat(s.acknowledge("a", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds()))
                .isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
    }

    @Test
    void releaseMakesARecordAvailableAgainWithItsDeliveryCountUntilTheLimitArchivesIt() {
        SharePartitionState s = fresh();
        for (int delivery = 1; delivery <= 3; delivery++) {
            assertThat(s.acquire("a", 1, 1, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 0, delivery));
            s.acknowledge("a", 0, 0, AckType.RELEASE, LOCK, time.milliseconds());
        }
        // third release at the limit (3): archived, never delivered again
        assertThat(s.acquire("a", 1, 1, LOCK, time.milliseconds())).isEmpty();
        assertThat(s.startOffset()).isEqualTo(1);
    }

    @Test
    void rejectArchivesAtOnce() {
        SharePartitionState s = fresh();
        s.acquire("a", 2, 2, LOCK, time.milliseconds());
        s.acknowledge("a", 0, 0, AckType.REJECT, LOCK, time.milliseconds());
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.ACKNOWLEDGED); // before the start offset: done with
        assertThat(s.startOffset()).isEqualTo(1);
        s.acknowledge("a", 1, 1, AckType.RELEASE, LOCK, time.milliseconds());
        assertThat(s.acquire("b", 5, 2, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(1, 1, 2));
    }

    @Test
    void anExpiredLockReleasesTheRecordAndRenewExtendsIt() {
        SharePartitionState s = fresh();
        s.acquire("a", 2, 2, 1000, time.milliseconds());
        time.advance(500);
        s.acknowledge("a", 1, 1, AckType.RENEW, 1000, time.milliseconds());
        time.advance(600);
        assertThat(s.expireLocks(time.milliseconds())).isEqualTo(1);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
        assertThat(s.stateOf(1)).isEqualTo(DeliveryState.ACQUIRED);
        assertThat(s.acknowledge("a", 0, 0, AckType.ACCEPT, 1000, time.milliseconds()))
                .as("a lock that expired cannot be acknowledged").isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.acquire("b", 5, 2, 1000, time.milliseconds())).containsExactly(new AcquiredRange(0, 0, 2));
    }

    @Test
    void aRenewalToAShorterLockExpiresAtItsNewDeadline() {
        SharePartitionState s = fresh();
        s.acquire("a", 1, 1, LOCK, 0);
        // the group's lock duration lowered to 1 s meanwhile: the renewal's deadline is earlier than the acquisition's
        assertThat(s.acknowledge("a", 0, 0, AckType.RENEW, 1_000, 0)).isEqualTo(SharePartitionState.AckResult.OK);
        assertThat(s.expireLocks(5_000)).isEqualTo(1);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
    }

    @Test
    void renewalsKeepARecordPastManyLocksWithoutCountingADelivery() {
        SharePartitionState s = fresh();
        s.acquire("a", 1, 1, 1000, time.milliseconds());
        for (int i = 0; i < 10; i++) {
            time.advance(600);
            assertThat(s.acknowledge("a", 0, 0, AckType.RENEW, 1000, time.milliseconds()))
                    .isEqualTo(SharePartitionState.AckResult.OK);
            assertThat(s.expireLocks(time.milliseconds())).isZero();
        }
        assertThat(s.acquire("b", 1, 1, 1000, time.milliseconds())).as("still held by its member").isEmpty();
        s.acknowledge("a", 0, 0, AckType.RELEASE, 1000, time.milliseconds());
        assertThat(s.acquire("b", 1, 1, 1000, time.milliseconds())).as("one delivery counted before, none for the renewals")
                .containsExactly(new AcquiredRange(0, 0, 2));
    }

    @Test
    void aMemberLeavingReleasesOnlyItsRecords() {
        SharePartitionState s = fresh();
        s.acquire("a", 2, 4, LOCK, time.milliseconds());
        s.acquire("b", 2, 4, LOCK, time.milliseconds());
        assertThat(s.releaseMember("a", false)).isEqualTo(2);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
        assertThat(s.stateOf(2)).isEqualTo(DeliveryState.ACQUIRED);
    }

    @Test
    void aClosedShareSessionDoesNotCountWhatItReleasesButAReleaseOrAClosedConnectionDoes() {
        SharePartitionState s = fresh(); // delivery limit 3
        for (int i = 0; i < 5; i++) {
            assertThat(s.acquire("a", 1, 4, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 0, 1));
            assertThat(s.releaseMember("a", true)).isEqualTo(1);
        }
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
        assertThat(s.deliveryCountOf(0)).isZero();
        s.acquire("a", 1, 4, LOCK, time.milliseconds());
        s.acknowledge("a", 0, 0, AckType.RELEASE, LOCK, time.milliseconds());
        assertThat(s.acquire("b", 1, 4, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 0, 2));
        assertThat(s.releaseMember("b", true)).isEqualTo(1);
        assertThat(s.deliveryCountOf(0)).isEqualTo(1);
        // a member whose connection closed may have been processing them: counted, archived at the limit
        s.acquire("c", 1, 4, LOCK, time.milliseconds());
        assertThat(s.releaseMember("c", false)).isEqualTo(1);
        assertThat(s.deliveryCountOf(0)).isEqualTo(2);
        s.acquire("c", 1, 4, LOCK, time.milliseconds());
        assertThat(s.releaseMember("c", false)).isEqualTo(1);
        assertThat(s.startOffset()).as("offset 0 archived at the limit, the start moved past it").isEqualTo(1);
    }

    @Test
    void theInFlightLimitStopsAcquisitionUntilTheStartOffsetMoves() {
        SharePartitionState s = SharePartitionState.fresh(0, 5, 3);
        assertThat(s.acquire("a", 10, 100, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 2, 1));
        assertThat(s.hasAcquirable(100, time.milliseconds())).isFalse();
        s.acknowledge("a", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds());
        assertThat(s.acquire("a", 10, 100, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(3, 3, 1));
    }

    @Test
    void theLogStartMovingPastTheStartOffsetForgetsTheRecordsBeforeIt() {
        SharePartitionState s = fresh();
        s.acquire("a", 3, 3, LOCK, time.milliseconds());
        s.advanceStartTo(2);
        assertThat(s.startOffset()).isEqualTo(2);
        assertThat(s.inFlightCount()).isEqualTo(1);
    }

    @Test
    void aSnapshotRestoresAcknowledgedArchivedAndAcquiredRecordsWithTheirCounts() {
        SharePartitionState s = fresh();
        s.acquire("a", 6, 6, LOCK, time.milliseconds());
        s.acknowledge("a", 1, 1, AckType.ACCEPT, LOCK, time.milliseconds());
        s.acknowledge("a", 2, 2, AckType.REJECT, LOCK, time.milliseconds());
        s.acknowledge("a", 3, 3, AckType.RELEASE, LOCK, time.milliseconds());
        ShareSnapshot snapshot = s.snapshot();
        assertThat(snapshot.startOffset()).isZero();
        assertThat(snapshot.batches()).containsExactly(new StateBatch(0, 0, DeliveryState.AVAILABLE, 1),
                new StateBatch(1, 1, DeliveryState.ACKNOWLEDGED, 1), new StateBatch(2, 2, DeliveryState.ARCHIVED, 1),
                new StateBatch(3, 5, DeliveryState.AVAILABLE, 1));

        // through the record format of __share_group_state
        ShareKey key = new ShareKey("g", Uuid.randomUuid(), 7);
        assertThat(ShareStateRecords.decodeKey(ByteBuffer.wrap(ShareStateRecords.key(key)))).isEqualTo(key);
        ShareStateRecords.Value value = ShareStateRecords.decodeValue(ByteBuffer.wrap(ShareStateRecords.value(4, snapshot)));
        assertThat(value.leaderEpoch()).isEqualTo(4);
        assertThat(value.snapshot()).isEqualTo(snapshot);

        SharePartitionState restored = SharePartitionState.restore(value.snapshot(), 3, 100);
        // the acquired records are available again with their delivery counts kept; done ones never come back
        assertThat(restored.acquire("b", 10, 7, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 0, 2),
                new AcquiredRange(3, 5, 2), new AcquiredRange(6, 6, 1));
        assertThat(restored.acknowledge("b", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds()))
                .isEqualTo(SharePartitionState.AckResult.OK);
        assertThat(restored.startOffset()).isEqualTo(3);
    }

    @Test
    void theAssignorSpreadsPartitionsAndSharesThemWhenMembersOutnumberThem() {
        Uuid t = Uuid.randomUuid();
        Map<String, ShareGroupAssignor.TopicPartitions> topics = Map.of("t", new ShareGroupAssignor.TopicPartitions(t, 2));
        var fewer = ShareGroupAssignor.assign(Map.of("a", List.of("t")), topics);
        assertThat(fewer.get("a").get(t)).containsExactly(0, 1);
        var more = ShareGroupAssignor.assign(Map.of("a", List.of("t"), "b", List.of("t"), "c", List.of("t")), topics);
        assertThat(more.get("a").get(t)).containsExactly(0);
        assertThat(more.get("b").get(t)).containsExactly(1);
        assertThat(more.get("c").get(t)).containsExactly(0);
        var other = ShareGroupAssignor.assign(Map.of("a", List.of("x")), topics);
        assertThat(other.get("a")).isEmpty();
    }

    @Test
    void theAssignorGivesEveryMemberEveryPartitionWhenTheGroupAsks() {
        Uuid t = Uuid.randomUuid();
        Map<String, ShareGroupAssignor.TopicPartitions> topics = Map.of("t", new ShareGroupAssignor.TopicPartitions(t, 3));
        var every = ShareGroupAssignor.assign(Map.of("a", List.of("t"), "b", List.of("t"), "c", List.of("t"), "d", List.of("t"),
                "e", List.of("x")), topics, true);
        for (String m : List.of("a", "b", "c", "d")) {
            assertThat(every.get(m).get(t)).as(m).containsExactly(0, 1, 2);
        }
        assertThat(every.get("e")).as("not subscribed").isEmpty();
    }

    @Test
    void undeliverableOffsetsAreArchivedNotAcquiredAndCountNoDelivery() {
        SharePartitionState s = fresh();
        // 0-2 an aborted transaction, 3 its marker, 4 a plain record
        java.util.function.LongPredicate undeliverable = o -> o <= 3;
        assertThat(s.acquire("a", 10, 5, LOCK, time.milliseconds(), o -> true, undeliverable))
                .containsExactly(new AcquiredRange(4, 4, 1));
        assertThat(s.startOffset()).as("the archived leading run is done with").isEqualTo(4);
        assertThat(s.undeliverableArchived()).isEqualTo(4);
        assertThat(s.acquire("b", 10, 5, LOCK, time.milliseconds(), o -> true, undeliverable)).isEmpty();
    }

    @Test
    void anAvailableInFlightRecordLaterFoundUndeliverableIsArchived() {
        SharePartitionState s = fresh();
        // a filtered member left 0-1 available (not matched), then a read finds 1 undeliverable
        s.acquire("a", 10, 2, LOCK, time.milliseconds(), o -> false);
        assertThat(s.inFlightCount()).isEqualTo(2);
        assertThat(s.acquire("b", 10, 2, LOCK, time.milliseconds(), o -> true, o -> o == 1))
                .containsExactly(new AcquiredRange(0, 0, 1));
        assertThat(s.stateOf(1)).isEqualTo(DeliveryState.ARCHIVED);
        s.acknowledge("b", 0, 0, AckType.ACCEPT, LOCK, time.milliseconds());
        assertThat(s.startOffset()).isEqualTo(2);
    }

    @Test
    void anAcquiredRecordIsNotArchivedByARead() {
        SharePartitionState s = fresh();
        s.acquire("a", 1, 1, LOCK, time.milliseconds());
        assertThat(s.acquire("b", 10, 1, LOCK, time.milliseconds(), o -> true, o -> true)).isEmpty();
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.ACQUIRED);
    }
}
