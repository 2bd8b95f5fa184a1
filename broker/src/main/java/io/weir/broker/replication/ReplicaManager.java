package io.weir.broker.replication;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.AppendOrigin;
import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogManager;
import io.weir.broker.log.OffsetCheckpointFile;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.zk.LeaderAndIsr;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, as leader or follower, and the produce and fetch paths through
 * them.
 *
 * <ul>
 * <li>Roles come from the partition state znodes ({@link #applyState}); a follower is handed to the
 *     {@link ReplicaFetcherManager}, which truncates and then fetches from the leader.</li>
 * <li>Produce: acks=0/1 answer after the local append (and the flush policy); acks=all first checks
 *     {@code min.insync.replicas} against the ISR, then waits in the produce purgatory, without
 *     blocking a thread, until the high watermark passes the batch, the leadership is lost, or the
 *     request times out.</li>
 * <li>Followers' fetches move the high watermark and may bring a follower back into the ISR; a
 *     periodic check removes followers lagging more than {@code replica.lag.time.max.ms}. ISR changes
 *     are written to ZooKeeper on one "weir-isr-writer" thread, conditional on the partition epoch.</li>
 * <li>High watermarks are checkpointed to {@code replication-offset-checkpoint} in each log directory.</li>
 * </ul>
 *
 * <p>Thread-safe. Appends run on the caller's (request handler) thread.
 */
public final class ReplicaManager {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
    public static final String HW_CHECKPOINT = "replication-offset-checkpoint";
    private static final long DEFAULT_APPEND_TIMEOUT_MS = 5_000;

    private final int brokerId;
    private final LogManager logManager;
    private final DelayedFetchPurgatory fetchPurgatory;
    private final DelayedFetchPurgatory producePurgatory;
    private final Time time;
    private final ReplicationConfig config;
    private final IsrWriter isrWriter;
    private final ReplicaFetcherManager fetchers;
    private final ExecutorService isrThread;
    private final ReplicationQuota leaderQuota;
    private final ReplicationQuota followerQuota;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /**
     * Per request thread, inside {@link #wakingFetchersAfter}: the partitions whose producer appends have long-polling
     * fetches to wake once the request's own answer has been handed to the network.
     */
    private final ThreadLocal<java.util.Set<TopicPartition>> deferredFetchWakeups = new ThreadLocal<>();
    /**
     * Orders opening a partition's log (metadata sync) against discarding a stray log of the same name (a request
     * creating a topic): two requests creating one topic at once could otherwise delete the directory the sync
     * had just created for it, leaving the partition unapplied.
     */
    private final Object logLifecycle = new Object();
    private final Map<Path, OffsetCheckpointFile> hwCheckpoints = new HashMap<>();
    private final Map<TopicPartition, Long> checkpointedHws = new ConcurrentHashMap<>();
    /** Brokers that may not join an ISR now: in controlled shutdown, or not registered. */
    private volatile java.util.Set<Integer> ineligibleReplicas = java.util.Set.of();

    public ReplicaManager(int brokerId, LogManager logManager, List<Path> logDirs, Scheduler scheduler, Time time,
                          ReplicationConfig config, IsrWriter isrWriter) {
        this.brokerId = brokerId;
        this.logManager = logManager;
        this.fetchPurgatory = new DelayedFetchPurgatory(scheduler);
        this.producePurgatory = new DelayedFetchPurgatory(scheduler);
        this.time = time;
        this.config = config;
        this.isrWriter = isrWriter;
        this.leaderQuota = new ReplicationQuota(time);
        this.followerQuota = new ReplicationQuota(time);
        this.fetchers = new ReplicaFetcherManager(brokerId, time, config, followerQuota);
        this.isrThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("weir-isr-writer", true));
        for (Path dir : logDirs) {
            OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve(HW_CHECKPOINT));
            hwCheckpoints.put(dir, file);
            if (Files.exists(file.file())) {
                checkpointedHws.putAll(file.read());
            }
        }
        scheduler.schedulePeriodic("isr-expiration", this::shrinkIsrs, config.replicaLagTimeMaxMs() / 2,
                Math.max(1, config.replicaLagTimeMaxMs() / 2));
        scheduler.schedulePeriodic("hw-checkpoint", this::checkpointHighWatermarks, config.hwCheckpointIntervalMs(),
                config.hwCheckpointIntervalMs());
    }

    /** How this broker connects and logs in to other brokers (the inter-broker listener's security). */
    public io.weir.broker.network.InterBrokerSecurity interBrokerSecurity() {
        return config.security();
    }

    /** Told when this broker starts or stops leading a partition (on the metadata sync thread). */
    public interface LeadershipListener {
        void onBecomeLeader(Partition partition);

        void onResign(TopicPartition tp);
    }

    private volatile LeadershipListener leadershipListener = new LeadershipListener() {
        @Override
        public void onBecomeLeader(Partition partition) {
        }

        @Override
        public void onResign(TopicPartition tp) {
        }
    };

    public void setLeadershipListener(LeadershipListener listener) {
        this.leadershipListener = listener;
    }

    private volatile BooleanSupplier sessionLive = () -> true;

    /**
     * Whether this broker's ZooKeeper session is live. Without it the broker cannot know whether the
     * controller has already elected another leader (its session may have expired), so it refuses
     * appends until the session is back rather than accept writes the cluster will truncate.
     */
    public void setSessionLiveness(BooleanSupplier live) {
        this.sessionLive = live;
    }

    /** The throttle on what this broker sends, as leader, to replicas outside the ISR. */
    public ReplicationQuota leaderQuota() {
        return leaderQuota;
    }

    /** The throttle on what this broker fetches, as follower, for partitions where it is outside the ISR. */
    public ReplicationQuota followerQuota() {
        return followerQuota;
    }

    /** Which brokers may not (re)join an ISR now, as the cluster state says. */
    public void setIneligibleReplicas(java.util.Set<Integer> brokers) {
        this.ineligibleReplicas = java.util.Set.copyOf(brokers);
    }

    public int brokerId() {
        return brokerId;
    }

    /** This broker's log directories, in order. */
    public List<Path> logDirs() {
        return hwCheckpoints.keySet().stream().sorted().toList();
    }

    public DelayedFetchPurgatory fetchPurgatory() {
        return fetchPurgatory;
    }

    /**
     * Runs {@code handling} (one request, on a request handler thread) and only then completes the long-polling
     * fetches that the producer appends it made can answer. Completing a fetch reads the log and hands a response
     * to another connection; done inline, that work sat on the produce's own path, before its answer left (a
     * synchronous send to a queue with a waiting consumer paid for the consumer's fetch). Kafka orders it the same
     * way (its action queue). {@code handling} must not block on a fetch it would wake (request handlers never
     * block); a nested call runs {@code handling} inside the outer scope.
     */
    public void wakingFetchersAfter(Runnable handling) {
        if (deferredFetchWakeups.get() != null) {
            handling.run();
            return;
        }
        java.util.Set<TopicPartition> deferred = new java.util.LinkedHashSet<>();
        deferredFetchWakeups.set(deferred);
        try {
            handling.run();
        } finally {
            deferredFetchWakeups.remove();
            for (TopicPartition tp : deferred) {
                fetchPurgatory.onAppend(tp);
            }
        }
    }

    /** After a leader append: a producer's wakes the fetches waiting on {@code tp} after its answer, inside {@link #wakingFetchersAfter}. */
    private void wakeFetchers(TopicPartition tp, AppendOrigin origin) {
        java.util.Set<TopicPartition> deferred = origin == AppendOrigin.CLIENT ? deferredFetchWakeups.get() : null;
        if (deferred != null) {
            deferred.add(tp);
        } else {
            fetchPurgatory.onAppend(tp);
        }
    }

    /**
     * Applies a partition's state from ZooKeeper: leads, follows {@code leaderAddress}, or (not a
     * replica any more) stops hosting it. States older than the one applied are ignored. Opens (or
     * creates) the log first, so a leader can take a produce when this returns.
     */
    public void applyState(TopicPartition tp, Uuid topicId, LogConfig logConfig, List<Integer> replicas, LeaderAndIsr state,
                           Optional<InetSocketAddress> leaderAddress) {
        if (!replicas.contains(brokerId)) {
            if (partitions.containsKey(tp)) {
                removePartition(tp, true);
            }
            return;
        }
        Partition partition = getOrCreate(tp, topicId, logConfig);
        LeaderAndIsr known = partition.state();
        boolean stale = state.leaderEpoch() < known.leaderEpoch()
                || state.leaderEpoch() == known.leaderEpoch() && state.partitionEpoch() <= known.partitionEpoch();
        if (!stale && state.leader() == brokerId) {
            fetchers.unfollow(tp);
            if (partition.makeLeader(state, replicas, time.milliseconds())) {
                log.info("Broker {} leads {} at epoch {} (isr {}, log end {})", brokerId, tp, state.leaderEpoch(), state.isr(),
                        partition.log().logEndOffset());
                notifyLeader(partition);
            }
        } else if (!stale) {
            boolean wasLeader = partition.isLeader();
            if (partition.makeFollower(state, replicas)) {
                fetchers.unfollow(tp);
            }
            if (wasLeader) {
                notifyResign(tp);
            }
        }
        partition.updateReplicas(replicas, time.milliseconds());
        LeaderAndIsr applied = partition.state();
        if (applied.leader() != brokerId && applied.hasLeader() && leaderAddress.isPresent()
                && fetchers.source(tp) != applied.leader()) {
            fetchers.follow(partition, applied.leader(), leaderAddress.get(), applied.leaderEpoch());
            log.info("Broker {} follows {} from broker {} at epoch {}", brokerId, tp, applied.leader(), applied.leaderEpoch());
        }
        producePurgatory.onAppend(tp);
        fetchPurgatory.onAppend(tp);
    }

    private void notifyLeader(Partition partition) {
        try {
            leadershipListener.onBecomeLeader(partition);
        } catch (RuntimeException e) {
            log.error("Leadership listener failed for {}", partition.topicPartition(), e);
        }
    }

    private void notifyResign(TopicPartition tp) {
        try {
            leadershipListener.onResign(tp);
        } catch (RuntimeException e) {
            log.error("Leadership listener failed for {}", tp, e);
        }
    }

    private Partition getOrCreate(TopicPartition tp, Uuid topicId, LogConfig logConfig) {
        Partition existing = partitions.get(tp);
        if (existing != null) {
            existing.log().updateConfig(logConfig);
            return existing;
        }
        synchronized (logLifecycle) {
            existing = partitions.get(tp);
            if (existing != null) {
                existing.log().updateConfig(logConfig);
                return existing;
            }
            PartitionLog partitionLog = logManager.getOrCreateLog(tp, logConfig);
            partitionLog.updateConfig(logConfig);
            Partition partition = new Partition(tp, topicId, partitionLog, brokerId, checkpointedHws.getOrDefault(tp, 0L));
            partitions.put(tp, partition);
            return partition;
        }
    }

    /**
     * Fault injection (tests): stops or resumes this broker's fetching as a follower, as a stalled
     * or slow follower would; it stays registered and keeps serving clients.
     */
    public void pauseFollowerFetching(boolean paused) {
        fetchers.setPaused(paused);
    }

    /** Deletes a log left on disk for {@code tp} that no hosted partition owns (a topic deleted while this broker was down). */
    public void discardStrayLog(TopicPartition tp) {
        synchronized (logLifecycle) { // not while the metadata sync is opening the new partition's log
            discardStrayLogLocked(tp);
        }
    }

    private void discardStrayLogLocked(TopicPartition tp) {
        if (!partitions.containsKey(tp) && logManager.deleteLog(tp)) {
            log.warn("Discarded the stale log of {} before creating the partition anew", tp);
        }
    }

    /** Stops hosting {@code tp}, deleting its log when asked. */
    public void removePartition(TopicPartition tp, boolean deleteLog) {
        fetchers.unfollow(tp);
        Partition removed = partitions.remove(tp);
        if (removed != null && removed.isLeader()) {
            notifyResign(tp);
        }
        checkpointedHws.remove(tp);
        if (deleteLog) {
            logManager.deleteLog(tp);
        }
        fetchPurgatory.onAppend(tp);
        producePurgatory.onAppend(tp);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Map<TopicPartition, Partition> partitions() {
        return Map.copyOf(partitions);
    }

    /** As {@link #appendRecords(TopicPartition, MemoryRecords, short, int, long)} with a 5 s timeout (internal writers). */
    public CompletableFuture<LogAppendInfo> appendRecords(TopicPartition tp, MemoryRecords records, short requiredAcks,
                                                          int minInsyncReplicas) {
        return appendRecords(tp, records, requiredAcks, minInsyncReplicas, DEFAULT_APPEND_TIMEOUT_MS);
    }

    /**
     * Appends a producer's records to a partition this broker leads.
     *
     * @param requiredAcks 0, 1 or -1 (all)
     * @param minInsyncReplicas the topic's {@code min.insync.replicas}
     * @param timeoutMs for acks=all: how long to wait for the ISR
     * @return completes when the write is acknowledged as {@code requiredAcks} and the flush policy ask;
     *         fails with {@link NotEnoughReplicasAfterAppendException} when the ISR shrank below
     *         {@code minInsyncReplicas} meanwhile, {@link NotLeaderOrFollowerException} when the leadership
     *         was lost, {@link TimeoutException} after {@code timeoutMs}
     * @throws NotLeaderOrFollowerException when this broker does not lead {@code tp}
     * @throws NotEnoughReplicasException   for acks=all when the ISR is smaller than {@code minInsyncReplicas}
     */
    public CompletableFuture<LogAppendInfo> appendRecords(TopicPartition tp, MemoryRecords records, short requiredAcks,
                                                          int minInsyncReplicas, long timeoutMs) {
        return appendRecords(tp, records, requiredAcks, minInsyncReplicas, timeoutMs, AppendOrigin.CLIENT);
    }

    /** As {@link #appendRecords(TopicPartition, MemoryRecords, short, int, long)}, for a producer or a coordinator. */
    public CompletableFuture<LogAppendInfo> appendRecords(TopicPartition tp, MemoryRecords records, short requiredAcks,
                                                          int minInsyncReplicas, long timeoutMs, AppendOrigin origin) {
        Partition partition = partitions.get(tp);
        if (partition == null || !partition.isLeader()) {
            throw new NotLeaderOrFollowerException("Broker " + brokerId + " does not lead " + tp);
        }
        if (!sessionLive.getAsBoolean()) {
            throw new NotLeaderOrFollowerException("Broker " + brokerId + " is disconnected from ZooKeeper and may no longer lead "
                    + tp + "; ask another broker for metadata");
        }
        if (requiredAcks == -1 && partition.isr().size() < minInsyncReplicas) {
            throw new NotEnoughReplicasException("The ISR of " + tp + " " + partition.isr() + " is smaller than min.insync.replicas "
                    + minInsyncReplicas);
        }
        int epoch = partition.leaderEpoch();
        LogAppendInfo info = partition.log().appendAsLeader(records, epoch, origin);
        if (!info.duplicate()) {
            partition.maybeIncrementHighWatermark();
            wakeFetchers(tp, origin);
        }
        if (requiredAcks == 0) {
            return CompletableFuture.completedFuture(info);
        }
        if (requiredAcks == 1) {
            return partition.log().awaitDurable(info);
        }
        long required = info.lastOffset() + 1;
        return producePurgatory.await(List.of(tp), () -> partition.highWatermark().offset() >= required
                        || !partition.isLeader() || partition.leaderEpoch() != epoch || partitions.get(tp) != partition, timeoutMs)
                .thenCompose(v -> {
                    if (partition.highWatermark().offset() >= required && partition.leaderEpoch() == epoch) {
                        if (partition.isr().size() < minInsyncReplicas) {
                            return CompletableFuture.failedFuture(new NotEnoughReplicasAfterAppendException("The ISR of " + tp
                                    + " " + partition.isr() + " shrank below min.insync.replicas " + minInsyncReplicas
                                    + " after the append at " + info.firstOffset()));
                        }
                        return partition.log().awaitDurable(info);
                    }
                    if (!partition.isLeader() || partition.leaderEpoch() != epoch || partitions.get(tp) != partition) {
                        return CompletableFuture.failedFuture(new NotLeaderOrFollowerException("Broker " + brokerId
                                + " lost the leadership of " + tp + " before offset " + info.lastOffset() + " was replicated"));
                    }
                    return CompletableFuture.failedFuture(new TimeoutException("Offset " + info.lastOffset() + " of " + tp
                            + " was not replicated to the ISR " + partition.isr() + " within " + timeoutMs + " ms"));
                });
    }

    /**
     * A follower fetched {@code tp} from {@code fetchOffset} (its log end): moves the high watermark and
     * perhaps the ISR. Leader only; ignored otherwise.
     */
    public void recordFollowerFetch(TopicPartition tp, int replicaId, long fetchOffset) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            return;
        }
        if (partition.recordFollowerFetch(replicaId, fetchOffset, time.milliseconds())) {
            producePurgatory.onAppend(tp);
            fetchPurgatory.onAppend(tp);
        }
        if (!partition.replicasToAdd(ineligibleReplicas).isEmpty()) {
            submitIsrChange(partition);
        }
    }

    /** The leader's answer to OffsetsForLeaderEpoch for {@code tp}. */
    public LeaderEpochCache.EpochEnd endOffsetFor(Partition partition, int epoch) {
        return partition.endOffsetFor(epoch);
    }

    private void shrinkIsrs() {
        long now = time.milliseconds();
        for (Partition p : partitions.values()) {
            if (!p.replicasToRemove(now, config.replicaLagTimeMaxMs()).isEmpty()) {
                submitIsrChange(p);
            }
        }
    }

    private void submitIsrChange(Partition partition) {
        try {
            isrThread.execute(() -> changeIsr(partition));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("Replica manager stopped; ISR change of {} dropped", partition.topicPartition());
        }
    }

    /** On the ISR writer thread: recomputes the ISR and writes it when it differs. */
    private void changeIsr(Partition partition) {
        if (!partition.isLeader() || partitions.get(partition.topicPartition()) != partition) {
            return;
        }
        LeaderAndIsr current = partition.state();
        List<Integer> remove = partition.replicasToRemove(time.milliseconds(), config.replicaLagTimeMaxMs());
        List<Integer> add = partition.replicasToAdd(ineligibleReplicas);
        List<Integer> isr = new ArrayList<>();
        for (int r : partition.replicas()) {
            if (current.isr().contains(r) && !remove.contains(r) || add.contains(r)) {
                isr.add(r);
            }
        }
        if (isr.equals(current.isr()) || !isr.contains(brokerId)) {
            return;
        }
        try {
            Optional<LeaderAndIsr> written = isrWriter.write(partition.topicPartition(), current.withIsr(isr));
            if (written.isPresent()) {
                log.info("{}: ISR {} -> {}", partition.topicPartition(), current.isr(), isr);
                partition.updateState(written.get());
                producePurgatory.onAppend(partition.topicPartition());
                fetchPurgatory.onAppend(partition.topicPartition());
            } else {
                log.debug("{}: ISR change to {} lost a race; the newer state will arrive", partition.topicPartition(), isr);
            }
        } catch (RuntimeException e) {
            log.warn("Cannot write the ISR of {}: {}", partition.topicPartition(), e.toString());
        }
    }

    /** Writes every hosted partition's high watermark to its log directory's checkpoint file. */
    public void checkpointHighWatermarks() {
        Map<Path, Map<TopicPartition, Long>> byDir = new HashMap<>();
        for (Partition p : partitions.values()) {
            Path parent = p.log().dir().getParent();
            byDir.computeIfAbsent(parent, d -> new HashMap<>()).put(p.topicPartition(), p.highWatermark().offset());
        }
        hwCheckpoints.forEach((dir, file) -> {
            try {
                file.write(byDir.getOrDefault(dir, Map.of()));
            } catch (RuntimeException e) {
                log.warn("Cannot checkpoint high watermarks in {}: {}", dir, e.toString());
            }
        });
    }

    /** Stops fetching and answering (a killed broker: no checkpoint). */
    public void halt() {
        fetchers.close();
        isrThread.shutdownNow();
        fetchPurgatory.completeAll();
        producePurgatory.completeAll();
    }

    public void shutdown() {
        halt();
        try {
            isrThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpointHighWatermarks();
        log.debug("Replica manager of broker {} stopped", brokerId);
    }
}
