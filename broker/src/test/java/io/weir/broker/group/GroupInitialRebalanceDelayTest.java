package io.weir.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The first rebalance of an empty group waits the broker's {@code group.initial.rebalance.delay.ms} unless the group's
 * own {@link GroupSettings#INITIAL_REBALANCE_DELAY_MS} says otherwise. Mock clock and scheduler.
 */
class GroupInitialRebalanceDelayTest {
    private static final int BROKER_DELAY = 3_000;
    private static final int SESSION = 10_000;
    private static final int REBALANCE = 30_000;

    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    /** The group configs: group → delay. */
    private final Map<String, Integer> delays = new ConcurrentHashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final GroupCoordinator coordinator = new GroupCoordinator(
            new GroupConfig(1_000, 60_000, BROKER_DELAY, 10, 5, 1 << 20, 100),
            (groupId, brokerDefault) -> {
                synchronized (lookups) {
                    lookups.add(groupId);
                }
                return delays.getOrDefault(groupId, brokerDefault);
            },
            (partition, records) -> CompletableFuture.completedFuture(null), scheduler, time);

    private CompletableFuture<JoinResult> join(String group, String memberId, boolean requireKnownMemberId) {
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put("range", "range".getBytes(StandardCharsets.UTF_8));
        return coordinator.join(group, memberId, null, "client", "/127.0.0.1", SESSION, REBALANCE, "consumer", protocols,
                requireKnownMemberId);
    }

    @Test
    void anEmptyGroupWaitsTheBrokersDelayWithoutAConfigOfItsOwn() {
        CompletableFuture<JoinResult> first = join("plain", "", false);
        scheduler.advance(BROKER_DELAY - 1);
        assertThat(first).isNotDone();
        scheduler.advance(1);
        assertThat(first.join().error()).isEqualTo(Errors.NONE);
        assertThat(first.join().generationId()).isEqualTo(1);
    }

    @Test
    void aGroupWhoseDelayIsZeroCompletesItsFirstJoinAtOnce() {
        delays.put("durable", 0);
        CompletableFuture<JoinResult> first = join("durable", "", false);
        assertThat(first).as("no initial delay").isCompleted();
        assertThat(first.join().error()).isEqualTo(Errors.NONE);
        assertThat(first.join().leaderId()).isEqualTo(first.join().memberId());
        // another group on the same coordinator keeps the broker's delay
        assertThat(join("other", "", false)).isNotDone();
    }

    @Test
    void aGroupsOwnDelayReplacesTheBrokers() {
        delays.put("short", 500);
        CompletableFuture<JoinResult> first = join("short", "", false);
        scheduler.advance(499);
        assertThat(first).isNotDone();
        // a second member joining during the delay is in the same first generation
        CompletableFuture<JoinResult> second = join("short", "", false);
        scheduler.advance(1);
        assertThat(first.join().generationId()).isEqualTo(1);
        assertThat(second.join().generationId()).isEqualTo(1);
        assertThat(first.join().members().size() + second.join().members().size()).as("the leader sees both").isEqualTo(2);
    }

    @Test
    void theDelayIsLookedUpOnlyWhenAMemberJoinsTheEmptyGroup() {
        delays.put("g", 0);
        // JoinGroup v4+: the first round only hands out a member id
        JoinResult idRound = join("g", "", true).join();
        assertThat(idRound.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(lookups).isEmpty();
        JoinResult joined = join("g", idRound.memberId(), true).join();
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        assertThat(lookups).containsExactly("g");
        coordinator.sync("g", 1, joined.memberId(), null, null, null, Map.of()).join();
        // a second member of the stable group: a rebalance, but not the first one, so no lookup
        join("g", "", false);
        assertThat(lookups).containsExactly("g");
    }

    @Test
    void theGroupReadsItsConfigAgainWhenItStartsAfresh() {
        delays.put("g", 0);
        JoinResult first = join("g", "", false).join();
        coordinator.sync("g", 1, first.memberId(), null, null, null, Map.of()).join();
        coordinator.leave("g", List.of(new GroupCoordinator.MemberIdentity(first.memberId(), null)));
        delays.remove("g");
        CompletableFuture<JoinResult> again = join("g", "", false);
        assertThat(again).as("the config is gone: the broker's delay again").isNotDone();
        scheduler.advance(BROKER_DELAY);
        assertThat(again.join().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void aFailingLookupFallsBackToTheBrokersDelay() {
        GroupCoordinator failing = new GroupCoordinator(new GroupConfig(1_000, 60_000, BROKER_DELAY, 10, 5, 1 << 20, 100),
                (groupId, brokerDefault) -> {
                    throw new IllegalStateException("ZooKeeper is away");
                }, (partition, records) -> CompletableFuture.completedFuture(null), scheduler, time);
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put("range", new byte[0]);
        CompletableFuture<JoinResult> first = failing.join("g", "", null, "client", "/127.0.0.1", SESSION, REBALANCE,
                "consumer", protocols, false);
        assertThat(first).isNotDone();
        scheduler.advance(BROKER_DELAY);
        assertThat(first.join().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void valuesAreIntegersOfZeroOrMore() {
        assertThat(GroupSettings.parseInitialRebalanceDelayMs(" 0 ")).isZero();
        assertThat(GroupSettings.parseInitialRebalanceDelayMs("2500")).isEqualTo(2500);
        for (String bad : new String[] {"-1", "1.5", "", "soon", "99999999999"}) {
            assertThatThrownBy(() -> GroupSettings.parseInitialRebalanceDelayMs(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(GroupSettings.INITIAL_REBALANCE_DELAY_MS);
        }
    }
}
