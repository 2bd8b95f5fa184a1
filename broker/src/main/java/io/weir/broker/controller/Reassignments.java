package io.weir.broker.controller;

import io.weir.broker.zk.LeaderAndIsr;
import io.weir.broker.zk.TopicRecord;
import io.weir.broker.zk.TopicRecord.Reassignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Partition reassignment as pure functions over a {@link TopicRecord} (Kafka's KIP-455 scheme):
 *
 * <ol>
 * <li><b>Start</b>: the partition's replica set becomes the target replicas followed by the original
 *     ones not in the target; the difference is recorded as replicas being added and removed. New
 *     replicas see themselves in the assignment and start fetching from the leader.</li>
 * <li><b>Progress</b>: the leader adds each new replica to the ISR once it has caught up.</li>
 * <li><b>Complete</b> (controller): when every target replica is in the ISR, the replica set
 *     becomes the target, the removed replicas leave the ISR, and the leadership moves to a target
 *     replica if the leader is being removed; removed replicas then delete their logs.</li>
 * </ol>
 *
 * A new target for a partition already being reassigned starts over from its original replicas; a
 * cancellation returns to them at once. No I/O here: {@link TopicManager} writes starts and
 * cancellations, the {@link Controller} completions.
 */
public final class Reassignments {
    private Reassignments() {
    }

    /**
     * The topic with partition {@code p}'s reassignment to {@code target} started (or, when no
     * replica is added or removed, done at once: only the order changes).
     *
     * @param registered                  brokers that are registered now: the only valid targets
     * @param allowReplicationFactorChange whether the target may have another size than the original
     * @throws InvalidReplicaAssignmentException for an empty target, duplicates, unknown brokers, or a
     *                                           replication factor change that is not allowed
     * @throws UnknownTopicOrPartitionException  when the topic has no partition {@code p}
     */
    public static TopicRecord start(TopicRecord topic, int p, List<Integer> target, Set<Integer> registered,
                                    boolean allowReplicationFactorChange) {
        List<Integer> replicas = replicasOf(topic, p);
        String name = topic.name() + "-" + p;
        if (target.isEmpty()) {
            throw new InvalidReplicaAssignmentException("Empty replica list specified in the reassignment of " + name + ".");
        }
        if (new HashSet<>(target).size() != target.size()) {
            throw new InvalidReplicaAssignmentException("Duplicate replica ids in the reassignment of " + name + ": " + target
                    + ".");
        }
        Set<Integer> unknown = new TreeSet<>(target);
        unknown.removeAll(registered);
        if (!unknown.isEmpty()) {
            throw new InvalidReplicaAssignmentException("The reassignment of " + name + " names brokers " + unknown
                    + " that are not registered (registered: " + new TreeSet<>(registered) + ").");
        }
        Reassignment ongoing = topic.reassignments().get(p);
        List<Integer> original = ongoing == null ? replicas : ongoing.original(replicas);
        if (!allowReplicationFactorChange && target.size() != original.size()) {
            throw new InvalidReplicaAssignmentException("The reassignment of " + name + " changes its replication factor from "
                    + original.size() + " to " + target.size() + ", which the request does not allow.");
        }
        List<Integer> adding = target.stream().filter(r -> !original.contains(r)).toList();
        List<Integer> removing = original.stream().filter(r -> !target.contains(r)).toList();
        if (adding.isEmpty() && removing.isEmpty()) {
            return topic.withPartition(p, target, null);
        }
        List<Integer> all = new ArrayList<>(target);
        all.addAll(removing);
        return topic.withPartition(p, all, new Reassignment(adding, removing));
    }

    /**
     * The topic with partition {@code p}'s reassignment cancelled: its replicas are the original ones
     * again (replicas that were being added leave it and delete what they fetched).
     *
     * @throws NoReassignmentInProgressException when none is in progress
     */
    public static TopicRecord cancel(TopicRecord topic, int p) {
        List<Integer> replicas = replicasOf(topic, p);
        Reassignment ongoing = topic.reassignments().get(p);
        if (ongoing == null) {
            throw new NoReassignmentInProgressException("No reassignment of " + topic.name() + "-" + p + " is in progress.");
        }
        return topic.withPartition(p, ongoing.original(replicas), null);
    }

    /** The state and replicas partition {@code p} ends a reassignment with. */
    public record Completion(List<Integer> replicas, LeaderAndIsr state) {
    }

    /**
     * Whether partition {@code p}'s reassignment can complete now, and with what: every target
     * replica is in the ISR, and a live target replica in the ISR can lead.
     */
    public static Optional<Completion> completion(TopicRecord topic, int p, LeaderAndIsr state, Set<Integer> live,
                                                  int controllerEpoch) {
        Reassignment ongoing = topic.reassignments().get(p);
        if (ongoing == null) {
            return Optional.empty();
        }
        List<Integer> target = ongoing.target(replicasOf(topic, p));
        if (!state.isr().containsAll(target)) {
            return Optional.empty();
        }
        return PartitionChangeBuilder.reassigned(target, state, live, controllerEpoch)
                .map(next -> new Completion(target, next));
    }

    private static List<Integer> replicasOf(TopicRecord topic, int p) {
        List<Integer> replicas = topic.assignment().get(p);
        if (replicas == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + topic.name() + "' has no partition " + p + ".");
        }
        return replicas;
    }
}
