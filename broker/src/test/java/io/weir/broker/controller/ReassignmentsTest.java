package io.weir.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.zk.LeaderAndIsr;
import io.weir.broker.zk.TopicRecord;
import io.weir.broker.zk.TopicRecord.Reassignment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class ReassignmentsTest {
    private static final Set<Integer> REGISTERED = Set.of(1, 2, 3, 4, 5);

    private static TopicRecord topic(List<Integer> p0, List<Integer> p1) {
        TreeMap<Integer, List<Integer>> a = new TreeMap<>();
        a.put(0, p0);
        a.put(1, p1);
        return new TopicRecord("t", Uuid.randomUuid(), a, Map.of(), 3);
    }

    private static LeaderAndIsr state(int leader, int epoch, List<Integer> isr) {
        return new LeaderAndIsr(leader, epoch, isr, 1, 9);
    }

    @Test
    void startingPutsTheTargetFirstThenTheReplicasBeingRemoved() {
        TopicRecord started = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 0, List.of(4, 2, 5), REGISTERED, true);
        assertThat(started.assignment().get(0)).containsExactly(4, 2, 5, 1, 3);
        assertThat(started.reassignments()).containsOnlyKeys(0);
        assertThat(started.reassignments().get(0)).isEqualTo(new Reassignment(List.of(4, 5), List.of(1, 3)));
        assertThat(started.reassignments().get(0).target(started.assignment().get(0))).containsExactly(4, 2, 5);
        assertThat(started.reassignments().get(0).original(started.assignment().get(0))).containsExactly(2, 1, 3);
        assertThat(started.assignment().get(1)).as("other partitions untouched").containsExactly(2, 3, 1);
        assertThat(started.version()).as("written conditionally on the version read").isEqualTo(3);
    }

    @Test
    void aReorderingIsDoneAtOnce() {
        TopicRecord reordered = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 0, List.of(3, 1, 2), REGISTERED, false);
        assertThat(reordered.assignment().get(0)).containsExactly(3, 1, 2);
        assertThat(reordered.reassignments()).isEmpty();
    }

    @Test
    void aNewTargetStartsOverFromTheOriginalReplicas() {
        TopicRecord first = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 0, List.of(4, 2, 3), REGISTERED, true);
        TopicRecord second = Reassignments.start(first, 0, List.of(5, 2, 3), REGISTERED, true);
        assertThat(second.assignment().get(0)).as("4, never in sync, is dropped").containsExactly(5, 2, 3, 1);
        assertThat(second.reassignments().get(0)).isEqualTo(new Reassignment(List.of(5), List.of(1)));
        TopicRecord back = Reassignments.start(second, 0, List.of(1, 2, 3), REGISTERED, true);
        assertThat(back.assignment().get(0)).containsExactly(1, 2, 3);
        assertThat(back.reassignments()).isEmpty();
    }

    @Test
    void cancellingRestoresTheOriginalReplicas() {
        TopicRecord started = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 1, List.of(4, 5), REGISTERED, true);
        TopicRecord cancelled = Reassignments.cancel(started, 1);
        assertThat(cancelled.assignment().get(1)).containsExactly(2, 3, 1);
        assertThat(cancelled.reassignments()).isEmpty();
        assertThatThrownBy(() -> Reassignments.cancel(cancelled, 1)).isInstanceOf(NoReassignmentInProgressException.class)
                .hasMessageContaining("t-1");
    }

    @Test
    void invalidTargetsAreRefusedWithTheReason() {
        TopicRecord t = topic(List.of(1, 2, 3), List.of(2, 3, 1));
        assertThatThrownBy(() -> Reassignments.start(t, 0, List.of(), REGISTERED, true))
                .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("Empty");
        assertThatThrownBy(() -> Reassignments.start(t, 0, List.of(1, 1, 2), REGISTERED, true))
                .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> Reassignments.start(t, 0, List.of(1, 2, 9), REGISTERED, true))
                .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("[9]");
        assertThatThrownBy(() -> Reassignments.start(t, 0, List.of(1, 2, -1), REGISTERED, true))
                .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("[-1]");
        assertThatThrownBy(() -> Reassignments.start(t, 0, List.of(1, 2), REGISTERED, false))
                .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("from 3 to 2");
        assertThatThrownBy(() -> Reassignments.start(t, 7, List.of(1, 2, 3), REGISTERED, true))
                .isInstanceOf(UnknownTopicOrPartitionException.class).hasMessageContaining("partition 7");
        assertThatThrownBy(() -> Reassignments.cancel(t, 7)).isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void completesOnlyWhenEveryTargetReplicaIsInSync() {
        TopicRecord started = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 0, List.of(4, 2, 3), REGISTERED, true);
        Set<Integer> live = Set.of(1, 2, 3, 4);
        assertThat(Reassignments.completion(started, 0, state(2, 5, List.of(1, 2, 3)), live, 1)).isEmpty();
        Reassignments.Completion done = Reassignments.completion(started, 0, state(2, 5, List.of(1, 2, 3, 4)), live, 1)
                .orElseThrow();
        assertThat(done.replicas()).containsExactly(4, 2, 3);
        assertThat(done.state()).as("the leader stays; the removed replica leaves the ISR")
                .isEqualTo(new LeaderAndIsr(2, 5, List.of(2, 3, 4), 1, 9));
        assertThat(Reassignments.completion(started, 1, state(2, 5, List.of(1, 2, 3)), live, 1)).as("not reassigned").isEmpty();
    }

    @Test
    void aLeaderBeingRemovedHandsOverToALiveTargetReplicaAtTheNextEpoch() {
        TopicRecord started = Reassignments.start(topic(List.of(1, 2, 3), List.of(2, 3, 1)), 0, List.of(4, 5), REGISTERED, true);
        Reassignments.Completion done = Reassignments.completion(started, 0, state(1, 5, List.of(1, 2, 3, 4, 5)),
                Set.of(1, 2, 3, 5), 2).orElseThrow();
        assertThat(done.state()).as("4 is dead, so 5 leads").isEqualTo(new LeaderAndIsr(5, 6, List.of(4, 5), 2, 9));
        assertThat(Reassignments.completion(started, 0, state(1, 5, List.of(1, 2, 3, 4, 5)), Set.of(1, 2, 3), 2))
                .as("no target replica alive: wait").isEqualTo(Optional.empty());
    }
}
