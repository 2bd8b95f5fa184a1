package io.weir.broker.share;

import io.weir.broker.common.Time;
import io.weir.broker.replication.Partition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions of the data partitions this broker leads. A share-partition is loaded on
 * first use after this broker became the leader: from its persisted state when there is one (so a
 * new leader continues where the old one stopped, with acquired records available again and their
 * delivery counts kept), else fresh at the log end ({@code share.auto.offset.reset=latest}) or the log
 * start ({@code earliest}), a state that is written at once so that the start does not move later.
 * Share-partitions are dropped when the leadership of their data partition moves.
 *
 * <p>Thread-safe.
 */
public final class SharePartitionManager {
    private static final Logger log = LoggerFactory.getLogger(SharePartitionManager.class);

    private final Map<ShareKey, SharePartition> partitions = new ConcurrentHashMap<>();
    private final ShareConfig config;
    private final ShareGroupSettings settings;
    private final SharePersister persister;
    private final Time time;

    public SharePartitionManager(ShareConfig config, ShareGroupSettings settings, SharePersister persister, Time time) {
        this.config = config;
        this.settings = settings;
        this.persister = persister;
        this.time = time;
    }

    public ShareGroupSettings settings() {
        return settings;
    }

    public Time time() {
        return time;
    }

    /** The share-partition of {@code groupId} on the data partition this broker leads, loading it when needed. */
    public SharePartition getOrLoad(String groupId, Partition partition) {
        ShareKey key = new ShareKey(groupId, partition.topicId(), partition.topicPartition().partition());
        SharePartition existing = partitions.get(key);
        if (existing != null && existing.leaderEpoch() == partition.leaderEpoch() && !existing.fenced()) {
            return existing;
        }
        synchronized (this) {
            existing = partitions.get(key);
            if (existing != null && existing.leaderEpoch() == partition.leaderEpoch() && !existing.fenced()) {
                return existing;
            }
            SharePartition loaded = load(key, partition);
            partitions.put(key, loaded);
            // a marker appended between load's scan and the put reached no loaded share-partition: scan once more (from
            // here on every marker's notification finds this one)
            if (loaded.resolveFromLog(partition.log())) {
                loaded.persist();
            }
            return loaded;
        }
    }

    private SharePartition load(ShareKey key, Partition partition) {
        Optional<ShareSnapshot> stored = persister.read(key, partition.leaderEpoch());
        int stateEpoch = stored.map(ShareSnapshot::stateEpoch).orElse(0);
        if (stored.isPresent() && !stored.get().isDeleted()) {
            SharePartitionState state = SharePartitionState.restore(stored.get(), config.deliveryCountLimit(), config.maxRecordLocks());
            log.info("Share-partition {} ({}) loaded: start offset {}, {} in flight, {} range(s) pending in transactions", key,
                    partition.topicPartition(), state.startOffset(), state.inFlightCount(), stored.get().pending().size());
            SharePartition loaded = new SharePartition(key, state, persister, partition.leaderEpoch());
            if (!stored.get().pending().isEmpty() && loaded.resolveFromLog(partition.log())) {
                loaded.persist().join();
                log.info("Share-partition {}: transactional acknowledgements resolved from the markers in {}", key,
                        partition.topicPartition());
            }
            return loaded;
        }
        boolean earliest = settings.startsAtEarliest(key.groupId());
        long start = earliest ? partition.log().logStartOffset() : partition.highWatermark().offset();
        SharePartition fresh = new SharePartition(key, SharePartitionState.fresh(start, stateEpoch, config.deliveryCountLimit(),
                config.maxRecordLocks()), persister, partition.leaderEpoch());
        CompletableFuture<Void> written = fresh.persist();
        if (!earliest) {
            // a start at the log end is fixed now: written before anything is offered, so that a new leader does not
            // start later and skip what this one delivered. A start at the log start is found again by a new leader
            // (the log start only moves past records nobody can read any more): the fetch need not wait for the write,
            // which the next write of the share-partition's state repeats if it failed
            written.join();
        } else {
            written.whenComplete((v, e) -> {
                if (e != null) {
                    log.debug("Share-partition {}: its initial state was not written ({}); the next write carries it", key,
                            e.toString());
                }
            });
        }
        log.info("Share-partition {} ({}) initialized at offset {} ({})", key, partition.topicPartition(), start,
                earliest ? "earliest" : "latest");
        return fresh;
    }

    /**
     * A COMMIT or ABORT marker of {@code producerId} was written at {@code markerOffset} of a data partition this broker
     * leads: the loaded share-partitions of that partition resolve the acknowledgements it ends, and write the change.
     * Never blocks on a load: a share-partition loaded meanwhile scans its log for markers after it is in the map
     * (see {@link #getOrLoad}), so every marker is either seen here or found by that scan.
     *
     * @return the writes of the changed share-partitions
     */
    public CompletableFuture<Void> onTransactionMarker(Uuid topicId, int partition, long producerId, short producerEpoch,
                                                       long markerOffset, boolean commit) {
        List<SharePartition> affected = partitions.values().stream()
                .filter(sp -> sp.key().topicId().equals(topicId) && sp.key().partition() == partition).toList();
        List<CompletableFuture<Void>> writes = new java.util.ArrayList<>();
        for (SharePartition sp : affected) {
            if (sp.completeTransaction(producerId, producerEpoch, markerOffset, commit) > 0) {
                log.debug("Share-partition {}: transaction of producer {} epoch {} {}", sp.key(), producerId, producerEpoch,
                        commit ? "committed" : "aborted");
                writes.add(sp.persist());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** The loaded share-partition, if any. */
    public Optional<SharePartition> get(ShareKey key) {
        return Optional.ofNullable(partitions.get(key));
    }

    /** Forgets the share-partitions of a data partition (its leadership moved, or this broker became leader again). */
    public void unload(Uuid topicId, int partition) {
        partitions.keySet().removeIf(k -> k.topicId().equals(topicId) && k.partition() == partition);
    }

    /**
     * Releases what a member holds in the given share-partitions and writes the change; {@code closedSession}: it
     * closed its share session (uncounted), else its connection closed (counted; see
     * {@link SharePartitionState#releaseMember}).
     */
    public void releaseMember(String groupId, String memberId, List<ShareKey> keys, boolean closedSession) {
        for (ShareKey k : keys) {
            SharePartition sp = partitions.get(k);
            if (sp != null && sp.releaseMember(memberId, closedSession) > 0) {
                sp.persistInBackground();
            }
        }
    }

    /** Releases every expired acquisition lock (called periodically) and writes what changed. */
    public void expireLocks() {
        long now = time.milliseconds();
        for (SharePartition sp : partitions.values()) {
            if (sp.expireLocks(now) > 0) {
                sp.persistInBackground();
            }
        }
    }

    /** Drops a share-partition (its offsets were deleted or reset by an administrator). */
    public void forget(ShareKey key) {
        partitions.remove(key);
    }
}
