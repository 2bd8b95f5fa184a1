package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ShareGroupCoordinatorTest {
    private final MockTime time = new MockTime();
    private final Uuid topicId = Uuid.randomUuid();
    private final ShareGroupCoordinator coordinator = new ShareGroupCoordinator(ShareConfig.defaults(), time,
            name -> name.equals("t") ? Optional.of(new ShareGroupAssignor.TopicPartitions(topicId, 1)) : Optional.empty());

    @Test
    void membersJoinAtOnceAndShareAOnePartitionTopic() {
        var a = coordinator.heartbeat("g", "a", 0, null, List.of("t"), "ca", "/h");
        assertThat(a.error()).isEqualTo(Errors.NONE);
        assertThat(a.assignment()).isEqualTo(Map.of(topicId, List.of(0)));
        var b = coordinator.heartbeat("g", "b", 0, null, List.of("t"), "cb", "/h");
        assertThat(b.memberEpoch()).isGreaterThan(a.memberEpoch());
        assertThat(b.assignment()).as("more members than partitions: they share it").isEqualTo(Map.of(topicId, List.of(0)));
        // a learns the new epoch; its assignment did not change but is sent with it
        var a2 = coordinator.heartbeat("g", "a", a.memberEpoch(), null, null, "ca", "/h");
        assertThat(a2.memberEpoch()).isEqualTo(b.memberEpoch());
        var a3 = coordinator.heartbeat("g", "a", a2.memberEpoch(), null, null, "ca", "/h");
        assertThat(a3.assignment()).as("nothing changed: no assignment sent").isNull();
        assertThat(coordinator.describe("g").orElseThrow().members()).hasSize(2);
    }

    @Test
    void staleEpochsAreFencedUnknownMembersRefusedAndLeavingWorks() {
        var a = coordinator.heartbeat("g", "a", 0, null, List.of("t"), "ca", "/h");
        coordinator.heartbeat("g", "b", 0, null, List.of("t"), "cb", "/h");
        var a2 = coordinator.heartbeat("g", "a", a.memberEpoch(), null, null, "ca", "/h");
        coordinator.heartbeat("g", "c", 0, null, List.of("t"), "cc", "/h");
        coordinator.heartbeat("g", "a", a2.memberEpoch(), null, null, "ca", "/h");
        assertThat(coordinator.heartbeat("g", "a", a.memberEpoch(), null, null, "ca", "/h").error())
                .isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(coordinator.heartbeat("g", "nobody", 3, null, null, "cx", "/h").error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.heartbeat("g", "a", -1, null, null, "ca", "/h").memberEpoch()).isEqualTo(-1);
        assertThat(coordinator.describe("g").orElseThrow().members()).extracting(ShareGroupCoordinator.MemberView::memberId)
                .containsExactlyInAnyOrder("b", "c");
        assertThat(coordinator.delete("g")).isEqualTo(Errors.NON_EMPTY_GROUP);
    }

    @Test
    void badJoinsAreRefused() {
        assertThat(coordinator.heartbeat("g", "", 0, null, List.of("t"), "c", "/h").error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(coordinator.heartbeat("g", "a", 0, null, null, "c", "/h").error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(coordinator.heartbeat("g", "a", -2, null, List.of("t"), "c", "/h").error()).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void silentMembersExpireAfterTheSessionTimeout() {
        coordinator.heartbeat("g", "a", 0, null, List.of("t"), "ca", "/h");
        time.advance(ShareConfig.defaults().sessionTimeoutMs() - 1);
        coordinator.expireMembers();
        assertThat(coordinator.describe("g").orElseThrow().members()).hasSize(1);
        time.advance(1);
        coordinator.expireMembers();
        assertThat(coordinator.describe("g").orElseThrow().state()).isEqualTo("Empty");
        assertThat(coordinator.delete("g")).isEqualTo(Errors.NONE);
        assertThat(coordinator.describe("g")).isEmpty();
    }

    @Test
    void aGroupThatAssignsEveryPartitionGivesEachMemberAllOfThemAndSwitchesAtTheNextHeartbeat() {
        Uuid four = Uuid.randomUuid();
        java.util.concurrent.atomic.AtomicBoolean every = new java.util.concurrent.atomic.AtomicBoolean(true);
        ShareGroupCoordinator c = new ShareGroupCoordinator(ShareConfig.defaults(), time,
                name -> Optional.of(new ShareGroupAssignor.TopicPartitions(four, 4)), group -> every.get());
        var a = c.heartbeat("q", "a", 0, null, List.of("t4"), "ca", "/h");
        var b = c.heartbeat("q", "b", 0, null, List.of("t4"), "cb", "/h");
        assertThat(a.assignment()).isEqualTo(Map.of(four, List.of(0, 1, 2, 3)));
        assertThat(b.assignment()).isEqualTo(Map.of(four, List.of(0, 1, 2, 3)));
        var a2 = c.heartbeat("q", "a", a.memberEpoch(), null, null, "ca", "/h");
        assertThat(a2.assignment()).as("a join changes nobody's partitions").isEqualTo(Map.of(four, List.of(0, 1, 2, 3)));
        every.set(false); // the group config changed: spread again
        var a3 = c.heartbeat("q", "a", a2.memberEpoch(), null, null, "ca", "/h");
        assertThat(a3.memberEpoch()).isGreaterThan(a2.memberEpoch());
        assertThat(a3.assignment()).isEqualTo(Map.of(four, List.of(0, 2)));
    }

    @Test
    void aTopicCreatedLaterIsAssignedAtTheNextHeartbeat() {
        var a = coordinator.heartbeat("g", "a", 0, null, List.of("later"), "ca", "/h");
        assertThat(a.assignment()).isEmpty();
        assertThat(coordinator.heartbeat("g", "a", a.memberEpoch(), null, List.of("t"), "ca", "/h").assignment())
                .isEqualTo(Map.of(topicId, List.of(0)));
    }
}
