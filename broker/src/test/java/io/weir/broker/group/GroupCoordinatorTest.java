package io.weir.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

/** The classic group state machine, with a mock clock and scheduler: no sleeping, no sockets. */
class GroupCoordinatorTest {
    private static final int SESSION = 10_000;
    private static final int REBALANCE = 30_000;

    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    private final List<MemoryRecords> written = new ArrayList<>();
    private final GroupCoordinator coordinator = new GroupCoordinator(
            new GroupConfig(1_000, 60_000, 0, 3, 5, 1 << 20, 100),
            (partition, records) -> {
                written.add(records);
                return CompletableFuture.completedFuture(null);
            }, scheduler, time);

    private static LinkedHashMap<String, byte[]> protocols(String... names) {
        LinkedHashMap<String, byte[]> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, n.getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    private CompletableFuture<JoinResult> join(String group, String memberId, String instanceId, String... protocols) {
        return coordinator.join(group, memberId, instanceId, "client", "/127.0.0.1", SESSION, REBALANCE, "consumer",
                protocols(protocols.length == 0 ? new String[] {"range"} : protocols), false);
    }

    /** Joins a fresh member and returns its result (completes at once when it is alone). */
    private JoinResult joinAlone(String group) {
        JoinResult r = join(group, "", null).join();
        assertThat(r.error()).isEqualTo(Errors.NONE);
        return r;
    }

    @Test
    void aSingleMemberBecomesLeaderOfGenerationOne() {
        JoinResult r = joinAlone("g");
        assertThat(r.generationId()).isEqualTo(1);
        assertThat(r.leaderId()).isEqualTo(r.memberId());
        assertThat(r.members()).hasSize(1);
        SyncResult s = coordinator.sync("g", 1, r.memberId(), null, null, null, Map.of(r.memberId(), new byte[] {7})).join();
        assertThat(s.error()).isEqualTo(Errors.NONE);
        assertThat(s.assignment()).containsExactly(7);
        assertThat(coordinator.describe("g").state()).isEqualTo(GroupState.STABLE);
    }

    @Test
    void aSecondMemberTriggersARebalanceThatWaitsForTheFirstToRejoin() {
        JoinResult first = joinAlone("g");
        coordinator.sync("g", 1, first.memberId(), null, null, null, Map.of()).join();
        CompletableFuture<JoinResult> second = join("g", "", null);
        assertThat(second).isNotDone();
        assertThat(coordinator.heartbeat("g", first.memberId(), null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        CompletableFuture<JoinResult> firstAgain = join("g", first.memberId(), null);
        assertThat(second).isCompleted();
        assertThat(firstAgain).isCompleted();
        assertThat(second.join().generationId()).isEqualTo(2);
        assertThat(firstAgain.join().members()).hasSize(2); // still the leader
        assertThat(second.join().members()).isEmpty();
    }

    @Test
    void aLoneMemberRejoiningAStableGroupGetsTheNextGenerationAtOnce() {
        JoinResult first = joinAlone("g");
        coordinator.sync("g", 1, first.memberId(), null, null, null, Map.of()).join();
        // the leader rejoins (as a Connect worker does after a connector config change), then with new metadata
        CompletableFuture<JoinResult> asLeader = join("g", first.memberId(), null);
        assertThat(asLeader).as("completed without waiting for the rebalance timeout").isCompleted();
        assertThat(asLeader.join().generationId()).isEqualTo(2);
        assertThat(asLeader.join().members()).hasSize(1);
        coordinator.sync("g", 2, first.memberId(), null, null, null, Map.of()).join();
        CompletableFuture<JoinResult> newMetadata = join("g", first.memberId(), null, "range", "roundrobin");
        assertThat(newMetadata).isCompleted();
        assertThat(newMetadata.join().error()).isEqualTo(Errors.NONE);
        assertThat(newMetadata.join().generationId()).isEqualTo(3);
    }

    @Test
    void membersThatDoNotRejoinAreDroppedAtTheRebalanceTimeout() {
        JoinResult first = joinAlone("g");
        coordinator.sync("g", 1, first.memberId(), null, null, null, Map.of()).join();
        CompletableFuture<JoinResult> second = join("g", "", null);
        scheduler.advance(REBALANCE);
        assertThat(second.join().generationId()).isEqualTo(2);
        assertThat(second.join().leaderId()).isEqualTo(second.join().memberId());
        assertThat(coordinator.heartbeat("g", first.memberId(), null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void sessionExpiryRemovesAMemberAndRebalancesTheRest() {
        JoinResult a = joinAlone("g");
        coordinator.sync("g", 1, a.memberId(), null, null, null, Map.of()).join();
        CompletableFuture<JoinResult> bJoin = join("g", "", null);
        JoinResult aAgain = join("g", a.memberId(), null).join();
        JoinResult b = bJoin.join();
        coordinator.sync("g", 2, aAgain.memberId(), null, null, null, Map.of()).join();
        coordinator.sync("g", 2, b.memberId(), null, null, null, Map.of()).join();
        // b keeps heartbeating, a goes silent
        for (int i = 0; i < 4; i++) {
            scheduler.advance(SESSION / 4);
            coordinator.heartbeat("g", b.memberId(), null, 2);
        }
        scheduler.advance(1);
        assertThat(coordinator.heartbeat("g", b.memberId(), null, 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinResult bAlone = join("g", b.memberId(), null).join();
        assertThat(bAlone.generationId()).isEqualTo(3);
        assertThat(bAlone.members()).extracting(JoinResult.JoinedMember::memberId).containsExactly(b.memberId());
    }

    @Test
    void staleGenerationsAndUnknownMembersAreFenced() {
        JoinResult a = joinAlone("g");
        assertThat(coordinator.sync("g", 0, a.memberId(), null, null, null, Map.of()).join().error())
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(coordinator.sync("g", 1, "nobody", null, null, null, Map.of()).join().error())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        coordinator.sync("g", 1, a.memberId(), null, null, null, Map.of()).join();
        assertThat(written).as("the group's metadata record of generation 1").hasSize(1);
        written.clear();
        Map<TopicPartition, Errors> stale = coordinator.commitOffsets("g", a.memberId(), null, 0,
                Map.of(new TopicPartition("t", 0), new CommittedOffset(5, -1, "", 0))).join();
        assertThat(stale.values()).containsOnly(Errors.ILLEGAL_GENERATION);
        Map<TopicPartition, Errors> memberless = coordinator.commitOffsets("g", "", null, -1,
                Map.of(new TopicPartition("t", 0), new CommittedOffset(5, -1, "", 0))).join();
        assertThat(memberless.values()).containsOnly(Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.fetchOffsets("g", null)).isEmpty();
        assertThat(written).isEmpty();
        Map<TopicPartition, Errors> ok = coordinator.commitOffsets("g", a.memberId(), null, 1,
                Map.of(new TopicPartition("t", 0), new CommittedOffset(5, -1, "state", 0))).join();
        assertThat(ok.values()).containsOnly(Errors.NONE);
        assertThat(coordinator.fetchOffsets("g", null).get(new TopicPartition("t", 0)).metadata()).isEqualTo("state");
        assertThat(written).hasSize(1);
    }

    @Test
    void badJoinsGetKafkasErrors() {
        assertThat(join("", "", null).join().error()).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(coordinator.join("g", "", null, "c", "h", 10, REBALANCE, "consumer", protocols("range"), false).join().error())
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        joinAlone("g");
        assertThat(join("g", "", null, "roundrobin").join().error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(join("g", "ghost", null).join().error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void newMembersFirstGetTheirIdWhenTheClientSupportsIt() {
        JoinResult r = coordinator.join("g", "", null, "client", "h", SESSION, REBALANCE, "consumer", protocols("range"), true).join();
        assertThat(r.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(r.memberId()).startsWith("client-");
        JoinResult joined = coordinator.join("g", r.memberId(), null, "client", "h", SESSION, REBALANCE, "consumer",
                protocols("range"), true).join();
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        assertThat(joined.memberId()).isEqualTo(r.memberId());
    }

    @Test
    void theGroupSizeIsCapped() {
        join("g", "", null);
        join("g", "", null);
        join("g", "", null);
        assertThat(join("g", "", null).join().error()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void aRestartingStaticMemberFencesItsOldIdAndKeepsItsAssignment() {
        JoinResult a = join("g", "", "a").join();
        CompletableFuture<JoinResult> bJoin = join("g", "", "b");
        JoinResult aAgain = join("g", a.memberId(), "a").join();
        JoinResult b = bJoin.join();
        String leader = aAgain.leaderId();
        String follower = leader.equals(aAgain.memberId()) ? b.memberId() : aAgain.memberId();
        String followerInstance = follower.equals(b.memberId()) ? "b" : "a";
        coordinator.sync("g", 2, leader, null, null, null, Map.of(follower, new byte[] {1}, leader, new byte[] {2})).join();
        JoinResult rejoined = join("g", "", followerInstance).join();
        assertThat(rejoined.error()).isEqualTo(Errors.NONE);
        assertThat(rejoined.generationId()).isEqualTo(2); // no rebalance
        assertThat(coordinator.sync("g", 2, rejoined.memberId(), followerInstance, null, null, Map.of()).join().assignment())
                .containsExactly(1);
        assertThat(coordinator.heartbeat("g", follower, followerInstance, 2)).isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void leavingMembersAreRemovedAndAnEmptyGroupCanBeDeleted() {
        JoinResult a = joinAlone("g");
        coordinator.sync("g", 1, a.memberId(), null, null, null, Map.of()).join();
        coordinator.commitOffsets("g", a.memberId(), null, 1, Map.of(new TopicPartition("t", 0), new CommittedOffset(3, -1, "", 0))).join();
        assertThat(coordinator.deleteGroup("g").join()).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(coordinator.leave("g", List.of(new GroupCoordinator.MemberIdentity(a.memberId(), null))).values())
                .containsOnly(Errors.NONE);
        assertThat(coordinator.describe("g").state()).isEqualTo(GroupState.EMPTY);
        assertThat(coordinator.deleteGroup("g").join()).isEqualTo(Errors.NONE);
        assertThat(coordinator.fetchOffsets("g", null)).isEmpty();
        assertThat(coordinator.deleteGroup("g").join()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void metadataLongerThanTheLimitIsRefusedPerPartition() {
        Map<TopicPartition, CommittedOffset> commits = new LinkedHashMap<>();
        commits.put(new TopicPartition("t", 0), new CommittedOffset(1, -1, "x".repeat(101), 0));
        commits.put(new TopicPartition("t", 1), new CommittedOffset(1, -1, "ok", 0));
        Map<TopicPartition, Errors> r = coordinator.commitOffsets("simple", "", null, -1, commits).join();
        assertThat(r.get(new TopicPartition("t", 0))).isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(r.get(new TopicPartition("t", 1))).isEqualTo(Errors.NONE);
    }
}
