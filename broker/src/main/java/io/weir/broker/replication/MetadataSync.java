package io.weir.broker.replication;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.zk.ClusterSnapshot;
import io.weir.broker.zk.LeaderAndIsr;
import io.weir.broker.zk.TopicRecord;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker in line with the cluster state in ZooKeeper: after every change it takes a
 * snapshot of the watched state, refreshes the {@link ClusterMetadata} served to clients (brokers,
 * controller, topics with leaders and ISRs), and applies each local partition's state to the
 * {@link ReplicaManager} (lead, follow, or stop hosting). Topics seen deleted have their local logs
 * deleted; a log ZooKeeper never mentioned is left alone.
 *
 * <p>Runs on one thread ("weir-metadata-sync"); changes are coalesced: any number of notifications
 * while a sync is queued cause one sync.
 */
public final class MetadataSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataSync.class);

    private final int brokerId;
    private final Supplier<ClusterSnapshot> snapshots;
    private final ClusterMetadata metadata;
    private final TopicManager topics;
    private final ReplicaManager replicas;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("weir-metadata-sync", true));
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Topic name → id in the last snapshot applied. Sync thread only (and syncNow before start). */
    private Map<String, Uuid> lastTopics = Map.of();
    private Map<String, Integer> appliedPartitions = Map.of();

    public MetadataSync(int brokerId, Supplier<ClusterSnapshot> snapshots, ClusterMetadata metadata, TopicManager topics,
                        ReplicaManager replicas) {
        this.brokerId = brokerId;
        this.snapshots = snapshots;
        this.metadata = metadata;
        this.topics = topics;
        this.replicas = replicas;
    }

    /** Something changed in ZooKeeper: sync soon. Any thread. */
    public void onChange() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    queued.set(false);
                    syncSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("Metadata sync closed");
            }
        }
    }

    /** Syncs on the caller's thread (startup), ordered with the queued syncs. */
    public void syncNow() {
        try {
            thread.submit(this::sync).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Initial metadata sync failed: " + e, e);
        }
    }

    private void syncSafely() {
        try {
            sync();
        } catch (io.weir.broker.zk.ZkException e) {
            log.debug("Metadata sync skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("Metadata sync failed; retrying on the next change", e);
        }
    }

    private void sync() {
        ClusterSnapshot snapshot = snapshots.get();
        metadata.setBrokers(snapshot.brokers());
        if (snapshot.controllerId() >= 0) {
            metadata.setControllerId(snapshot.controllerId());
        }
        java.util.Set<Integer> ineligible = new java.util.HashSet<>(snapshot.shuttingDown());
        java.util.Set<Integer> registered = new java.util.HashSet<>();
        snapshot.brokers().forEach(b -> registered.add(b.id()));
        snapshot.topics().values().forEach(t -> t.assignment().values().forEach(rs -> rs.stream()
                .filter(r -> !registered.contains(r)).forEach(ineligible::add)));
        replicas.setIneligibleReplicas(ineligible);
        Map<String, Uuid> seen = new HashMap<>();
        for (TopicRecord record : snapshot.topics().values()) {
            seen.put(record.name(), record.topicId());
            Map<Integer, LeaderAndIsr> states = new TreeMap<>();
            record.assignment().keySet().forEach(p ->
                    snapshot.state(new TopicPartition(record.name(), p)).ifPresent(s -> states.put(p, s)));
            TopicMetadata topic = TopicManager.toMetadata(record, states);
            metadata.putTopic(topic);
            for (Map.Entry<Integer, List<Integer>> p : record.assignment().entrySet()) {
                TopicPartition tp = new TopicPartition(record.name(), p.getKey());
                Optional<Partition> hosted = replicas.partition(tp);
                if (hosted.isPresent() && !hosted.get().topicId().equals(record.topicId())) {
                    log.info("{} was re-created with a new id; discarding the old log", tp);
                    replicas.removePartition(tp, true);
                }
                LeaderAndIsr state = states.get(p.getKey());
                if (state == null || !p.getValue().contains(brokerId) && hosted.isEmpty()) {
                    continue;
                }
                try {
                    replicas.applyState(tp, record.topicId(), topics.logConfig(topic), p.getValue(), state,
                            address(snapshot, state.leader()));
                } catch (RuntimeException e) {
                    log.error("Cannot apply the state of {} ({}): {}", tp, state, e.toString(), e);
                }
            }
        }
        Map<String, Uuid> previous;
        synchronized (this) {
            previous = lastTopics;
        }
        for (Map.Entry<String, Uuid> gone : previous.entrySet()) {
            Uuid now = seen.get(gone.getKey());
            if (now == null) {
                metadata.topic(gone.getKey()).filter(t -> t.topicId().equals(gone.getValue()))
                        .ifPresent(t -> metadata.removeTopic(t.name()));
                replicas.partitions().keySet().stream().filter(tp -> tp.topic().equals(gone.getKey()))
                        .forEach(tp -> replicas.removePartition(tp, true));
            }
        }
        synchronized (this) {
            lastTopics = Map.copyOf(seen);
            appliedPartitions = countPartitions(snapshot);
            notifyAll();
        }
    }

    private static Map<String, Integer> countPartitions(ClusterSnapshot snapshot) {
        Map<String, Integer> counts = new HashMap<>();
        snapshot.topics().values().forEach(t -> counts.put(t.name(), t.partitionCount()));
        return counts;
    }

    /**
     * Waits until a sync has applied topic {@code name} with id {@code topicId} and at least
     * {@code partitions} partitions (or, with a null id, its absence), so that an answer to a client
     * reflects what this broker serves.
     *
     * @return whether it happened within {@code timeoutMs}
     */
    public synchronized boolean awaitTopic(String name, Uuid topicId, int partitions, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!(topicId == null ? !lastTopics.containsKey(name)
                : topicId.equals(lastTopics.get(name)) && appliedPartitions.getOrDefault(name, 0) >= partitions)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static Optional<InetSocketAddress> address(ClusterSnapshot snapshot, int brokerId) {
        return snapshot.brokers().stream().filter(b -> b.id() == brokerId).findFirst()
                .map(b -> new InetSocketAddress(b.host(), b.port()));
    }

    /** Stops syncing; returns once a sync in progress has finished. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

}
