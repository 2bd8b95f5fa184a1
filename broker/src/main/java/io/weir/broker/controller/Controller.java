package io.weir.broker.controller;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.common.Time;
import io.weir.broker.zk.BrokerRegistration;
import io.weir.broker.zk.ClusterSnapshot;
import io.weir.broker.zk.ControllerElection;
import io.weir.broker.zk.ControllerEpoch;
import io.weir.broker.zk.ControllerFencedException;
import io.weir.broker.zk.LeaderAndIsr;
import io.weir.broker.zk.TopicRecord;
import io.weir.broker.zk.ZkStore;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster controller, active on the one broker that wins the {@link ControllerElection}: on
 * election it takes the next controller epoch, then, whenever the cluster changes (a broker
 * registers or disappears, a topic appears, a broker is fenced by the {@link BrokerLivenessMonitor}),
 * it re-derives every partition's state with {@link PartitionChangeBuilder} and writes the changes
 * to ZooKeeper, each write fenced by the controller epoch and conditional on the partition epoch;
 * and it completes partition reassignments whose new replicas have caught up ({@link Reassignments}).
 * Brokers learn their new roles from those znodes.
 *
 * <p>All controller work runs on one event thread ("weir-controller"); other threads only enqueue.
 * Lifecycle: {@link #start}, {@link #close}.
 */
public final class Controller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final int brokerId;
    private final ZkStore zk;
    private final Supplier<ClusterSnapshot> snapshots;
    private final boolean uncleanElection;
    private final ScheduledExecutorService events;
    private final ControllerElection election;
    private final BrokerLivenessMonitor liveness;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    /** Owned by the event thread. */
    private volatile ControllerEpoch epoch;


    /**
     * @param autoRebalance       {@code auto.leader.rebalance.enable}: periodically move leadership back to
     *                            each partition's preferred (first) replica when it is alive and in sync
     * @param rebalanceIntervalMs {@code leader.imbalance.check.interval.seconds}, in ms
     * @param time                for the liveness monitor's reconnect pauses
     */
    public Controller(int brokerId, ZkStore zk, Supplier<ClusterSnapshot> snapshots, boolean uncleanElection,
                      boolean autoRebalance, long rebalanceIntervalMs, Time time) {
        this.brokerId = brokerId;
        this.zk = zk;
        this.snapshots = snapshots;
        this.uncleanElection = uncleanElection;
        this.events = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("weir-controller", true));
        this.election = new ControllerElection(zk, brokerId, () -> submit(this::onElected), () -> submit(this::onDeposed));
        this.liveness = new BrokerLivenessMonitor(brokerId, time, this::onClusterChange);
        if (autoRebalance) {
            events.scheduleWithFixedDelay(() -> runSafely(this::rebalancePreferredLeaders), rebalanceIntervalMs,
                    rebalanceIntervalMs, TimeUnit.MILLISECONDS);
        }
    }

    public void start() {
        election.start();
    }

    /** Whether this broker is the active controller. */
    public boolean isActive() {
        return election.hasLeadership() && epoch != null;
    }

    /** Called after any change in the watched cluster state. */
    public void onClusterChange() {
        if (reconcileQueued.compareAndSet(false, true)) {
            submit(() -> {
                reconcileQueued.set(false);
                reconcile();
            });
        }
    }

    private void submit(Runnable event) {
        try {
            events.execute(() -> runSafely(event));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("Controller closed; event dropped");
        }
    }

    private void runSafely(Runnable event) {
        try {
            event.run();
        } catch (ControllerFencedException e) {
            log.warn("Broker {} is no longer the controller: {}", brokerId, e.getMessage());
            onDeposed();
        } catch (RuntimeException e) {
            log.error("Controller event failed; retrying on the next change", e);
        }
    }

    /** Moves leadership back to preferred replicas that are alive and in sync. Event thread only. */
    private void rebalancePreferredLeaders() {
        if (epoch == null) {
            return;
        }
        ClusterSnapshot snapshot = snapshots.get();
        Set<Integer> live = liveBrokers(snapshot);
        for (TopicRecord topic : snapshot.topics().values()) {
            for (Map.Entry<Integer, List<Integer>> p : topic.assignment().entrySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.getKey());
                Optional<LeaderAndIsr> current = snapshot.state(tp);
                if (current.isEmpty()) {
                    continue;
                }
                Optional<PartitionChangeBuilder.Change> change = PartitionChangeBuilder.preferredLeader(p.getValue(),
                        current.get(), live, epoch.epoch());
                if (change.isPresent() && zk.writeStateAsController(tp.topic(), tp.partition(), change.get().state(), epoch)
                        .isPresent()) {
                    log.info("Partition {}: leadership back to preferred replica {} (epoch {})", tp,
                            change.get().state().leader(), change.get().state().leaderEpoch());
                }
            }
        }
    }

    /**
     * ElectLeaders (Admin {@code electLeaders}, {@code kafka-leader-election.sh}), run on the event thread.
     * A preferred election moves leadership to the first assigned replica when it is alive and in sync;
     * an unclean one gives a leaderless partition a leader, from the ISR when a member is alive, else
     * any live replica (records only the old ISR had may be lost, and that is logged). With no partitions
     * named, every partition is tried and those that need no election are left out of the answer.
     *
     * @return each partition's outcome; fails with {@link NotControllerException} on a broker that is not
     *         the active controller (the client then asks the controller)
     */
    public CompletableFuture<Map<TopicPartition, ApiError>> electLeaders(boolean unclean, Optional<Set<TopicPartition>> partitions) {
        CompletableFuture<Map<TopicPartition, ApiError>> result = new CompletableFuture<>();
        try {
            events.execute(() -> {
                try {
                    result.complete(runElections(unclean, partitions));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new NotControllerException("Broker " + brokerId + " is stopping"));
        }
        return result;
    }

    private Map<TopicPartition, ApiError> runElections(boolean unclean, Optional<Set<TopicPartition>> requested) {
        ControllerEpoch current = epoch;
        if (current == null) {
            throw new NotControllerException("Broker " + brokerId + " is not the controller");
        }
        ClusterSnapshot snapshot = snapshots.get();
        Set<Integer> live = liveBrokers(snapshot);
        Set<TopicPartition> targets = requested.orElseGet(() -> {
            Set<TopicPartition> all = new java.util.LinkedHashSet<>();
            snapshot.topics().values().forEach(t -> t.assignment().keySet().forEach(p -> all.add(new TopicPartition(t.name(), p))));
            return all;
        });
        Map<TopicPartition, ApiError> out = new java.util.LinkedHashMap<>();
        for (TopicPartition tp : targets) {
            TopicRecord topic = snapshot.topics().get(tp.topic());
            List<Integer> replicas = topic == null ? null : topic.assignment().get(tp.partition());
            ApiError outcome = replicas == null
                    ? new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + tp)
                    : elect(tp, replicas, live, unclean, current);
            if (requested.isPresent() || outcome.error() != Errors.ELECTION_NOT_NEEDED) {
                out.put(tp, outcome);
            }
        }
        return out;
    }

    /** One partition's election against its state read afresh from ZooKeeper; a lost race is tried again. */
    private ApiError elect(TopicPartition tp, List<Integer> replicas, Set<Integer> live, boolean unclean, ControllerEpoch current) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<LeaderAndIsr> state = zk.readState(tp.topic(), tp.partition());
            if (state.isEmpty()) {
                return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No state for " + tp);
            }
            LeaderAndIsr now = state.get();
            Optional<PartitionChangeBuilder.Change> change;
            if (!unclean) {
                int preferred = replicas.get(0);
                if (now.leader() == preferred) {
                    return new ApiError(Errors.ELECTION_NOT_NEEDED, "Preferred replica " + preferred + " already leads " + tp);
                }
                change = PartitionChangeBuilder.preferredLeader(replicas, now, live, current.epoch());
                if (change.isEmpty()) {
                    return new ApiError(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "Preferred replica " + preferred + " of " + tp
                            + (live.contains(preferred) ? " is not in the ISR " + now.isr() : " is not alive"));
                }
            } else {
                if (now.hasLeader() && live.contains(now.leader())) {
                    return new ApiError(Errors.ELECTION_NOT_NEEDED, tp + " has a live leader, broker " + now.leader());
                }
                change = PartitionChangeBuilder.onLiveBrokers(replicas, now, live, true, current.epoch())
                        .filter(c -> c.state().hasLeader());
                if (change.isEmpty()) {
                    return new ApiError(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "No replica of " + tp + " " + replicas + " is alive");
                }
            }
            LeaderAndIsr next = change.get().state();
            if (zk.writeStateAsController(tp.topic(), tp.partition(), next, current).isPresent()) {
                if (change.get().unclean()) {
                    log.warn("Unclean leader election for {} (requested): broker {} leads at epoch {} though it was not in sync; "
                            + "acknowledged records may be lost", tp, next.leader(), next.leaderEpoch());
                } else {
                    log.info("Partition {}: leader {} epoch {} by request (was {})", tp, next.leader(), next.leaderEpoch(),
                            now.leader());
                }
                return ApiError.NONE;
            }
        }
        return new ApiError(Errors.UNKNOWN_SERVER_ERROR, "The state of " + tp + " kept changing during the election; try again");
    }

    private Set<Integer> liveBrokers(ClusterSnapshot snapshot) {
        Set<Integer> live = new HashSet<>();
        for (BrokerRegistration b : snapshot.brokers()) {
            if (!liveness.isFenced(b.id()) && !snapshot.shuttingDown().contains(b.id())) {
                live.add(b.id());
            }
        }
        return live;
    }

    private void onElected() {
        if (!election.hasLeadership()) {
            return;
        }
        epoch = zk.becomeController(brokerId);
        log.info("Broker {} is the controller (epoch {})", brokerId, epoch.epoch());
        reconcile();
    }

    private void onDeposed() {
        if (epoch != null) {
            log.info("Broker {} stopped being the controller (epoch {})", brokerId, epoch.epoch());
        }
        epoch = null;
        liveness.watch(List.of());
        onClusterChange(); // standby duties
    }

    /** Brings every partition's state in line with the live brokers. Event thread only. */
    private void reconcile() {
        ClusterSnapshot snapshot = snapshots.get();
        if (epoch == null) {
            watchActiveController(snapshot);
            return;
        }
        liveness.watch(snapshot.brokers());
        Set<Integer> live = liveBrokers(snapshot);
        boolean retry = false;
        for (TopicRecord topic : snapshot.topics().values()) {
            for (Map.Entry<Integer, List<Integer>> p : topic.assignment().entrySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.getKey());
                Optional<LeaderAndIsr> current = snapshot.state(tp);
                LeaderAndIsr next;
                boolean unclean = false;
                if (current.isEmpty()) {
                    next = PartitionChangeBuilder.initial(p.getValue(), live, epoch.epoch());
                } else {
                    Optional<PartitionChangeBuilder.Change> change = PartitionChangeBuilder.onLiveBrokers(p.getValue(),
                            current.get(), live, uncleanElection, epoch.epoch());
                    if (change.isEmpty()) {
                        continue;
                    }
                    next = change.get().state();
                    unclean = change.get().unclean();
                }
                if (zk.writeStateAsController(tp.topic(), tp.partition(), next, epoch).isEmpty()) {
                    retry = true; // changed meanwhile: the watch brings the new state, and we look again
                    continue;
                }
                if (unclean) {
                    log.warn("Unclean leader election for {}: broker {} leads at epoch {} though it was not in sync; "
                            + "acknowledged records may be lost", tp, next.leader(), next.leaderEpoch());
                } else {
                    log.info("Partition {}: leader {} epoch {} isr {} (was {})", tp, next.leader(), next.leaderEpoch(),
                            next.isr(), current.map(c -> c.leader() + "@" + c.leaderEpoch() + " " + c.isr()).orElse("new"));
                }
            }
        }
        for (TopicRecord topic : snapshot.topics().values()) {
            if (!topic.reassignments().isEmpty() && !completeReassignments(topic, snapshot, live)) {
                retry = true;
            }
        }
        if (retry) {
            try {
                events.schedule(this::onClusterChange, 50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("Controller closed");
            }
        }
    }

    /**
     * Completes the reassignments of {@code topic} whose target replicas are all in sync: one
     * transaction sets their states and the topic's replicas. Event thread only.
     *
     * @return false when the write lost a race (the caller looks again soon)
     */
    private boolean completeReassignments(TopicRecord topic, ClusterSnapshot snapshot, Set<Integer> live) {
        TopicRecord updated = topic;
        Map<Integer, LeaderAndIsr> states = new java.util.TreeMap<>();
        for (int p : topic.reassignments().keySet()) {
            Optional<LeaderAndIsr> state = snapshot.state(new TopicPartition(topic.name(), p));
            if (state.isEmpty()) {
                continue;
            }
            Optional<Reassignments.Completion> done = Reassignments.completion(topic, p, state.get(), live, epoch.epoch());
            if (done.isPresent()) {
                updated = updated.withPartition(p, done.get().replicas(), null);
                states.put(p, done.get().state());
            }
        }
        if (states.isEmpty()) {
            return true;
        }
        if (!zk.writeReassignmentAsController(updated, states, epoch)) {
            return false;
        }
        for (Map.Entry<Integer, LeaderAndIsr> e : states.entrySet()) {
            LeaderAndIsr s = e.getValue();
            log.info("Partition {}-{}: reassignment complete; replicas {}, leader {} epoch {} isr {} (was replicas {})",
                    topic.name(), e.getKey(), updated.assignment().get(e.getKey()), s.leader(), s.leaderEpoch(), s.isr(),
                    topic.assignment().get(e.getKey()));
        }
        return true;
    }

    /**
     * On a standby: keeps a connection to the active controller, and when its process dies removes its
     * claim so that the election moves on at once (it would otherwise wait for the session timeout).
     */
    private void watchActiveController(ClusterSnapshot snapshot) {
        int active = snapshot.controllerId();
        liveness.watch(snapshot.brokers().stream().filter(b -> b.id() == active && active != brokerId).toList());
        if (active >= 0 && active != brokerId && liveness.isFenced(active)) {
            log.warn("Controller {} is dead; removing its claim so that a new controller is elected now", active);
            zk.evictController(active);
        }
    }

    @Override
    public void close() {
        election.close();
        liveness.close();
        events.shutdown();
        try {
            if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            events.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
