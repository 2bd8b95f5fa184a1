package io.weir.broker.share;

import io.weir.broker.common.Time;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share coordinator's side of share-partition state: the latest state of each share-partition
 * whose key hashes to a {@code __share_group_state} partition this broker leads, written as records
 * to that partition (acks=all, see {@link ShareStateRecords}) and rebuilt by replaying it when this
 * broker becomes its leader. Writers are the leaders of the data partitions; a write carrying an
 * older leader epoch than the last one accepted is refused (a deposed leader cannot overwrite its
 * successor's state), and so is one with an older state epoch (the offsets were altered or deleted
 * by an administrator since the writer loaded the state: it must load it again).
 *
 * <p>Bounded size: past {@code maxBytes} the live states are rewritten at the log end and everything
 * before is deleted, as the offsets store does.
 *
 * <p>Thread-safe. Writes to one state partition serialize on that partition's lock, so the log's
 * order is the order in which the cache changed.
 */
public final class ShareStateStore {
    private static final Logger log = LoggerFactory.getLogger(ShareStateStore.class);

    private final Map<ShareKey, ShareStateRecords.Value> states = new ConcurrentHashMap<>();
    private final Map<Integer, Object> locks = new ConcurrentHashMap<>();
    private final ShareStateAppender appender;
    private final int partitions;
    private final Time time;

    public ShareStateStore(ShareStateAppender appender, int partitions, Time time) {
        this.appender = appender;
        this.partitions = partitions;
        this.time = time;
    }

    /** The {@code __share_group_state} partition holding {@code key}. */
    public int partitionFor(ShareKey key) {
        return Math.floorMod(key.toString().hashCode(), partitions);
    }

    public int partitions() {
        return partitions;
    }

    private Object lockFor(int partition) {
        return locks.computeIfAbsent(partition, p -> new Object());
    }

    /** Replays a whole state partition into memory (this broker became its leader). */
    public void load(PartitionLog partitionLog) {
        int partition = partitionLog.topicPartition().partition();
        synchronized (lockFor(partition)) {
            unload(partition);
            long next = partitionLog.logStartOffset();
            int records = 0;
            while (next < partitionLog.logEndOffset()) {
                FetchDataInfo info = partitionLog.read(next, 1 << 20, true);
                if (info.isEmpty()) {
                    break;
                }
                for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                    for (Record r : batch) {
                        if (r.offset() >= next && apply(r)) {
                            records++;
                        }
                    }
                    next = Math.max(next, batch.lastOffset() + 1);
                }
            }
            log.info("Loaded {} share state record(s) from {}", records, partitionLog.topicPartition());
        }
    }

    private boolean apply(Record r) {
        if (!r.hasKey()) {
            return false;
        }
        try {
            ShareKey key = ShareStateRecords.decodeKey(r.key());
            if (key == null) {
                log.warn("Skipping a share state record with an unknown key version at offset {}", r.offset());
                return false;
            }
            if (!r.hasValue()) {
                states.remove(key);
                return true;
            }
            ShareStateRecords.Value value = ShareStateRecords.decodeValue(r.value());
            if (value == null) {
                log.warn("Skipping a share state record with an unknown value version at offset {}", r.offset());
                return false;
            }
            states.put(key, value);
            return true;
        } catch (RuntimeException e) {
            log.warn("Skipping a malformed share state record at offset {}: {}", r.offset(), e.toString());
            return false;
        }
    }

    /** Forgets the states stored in {@code partition} (this broker no longer leads it). */
    public void unload(int partition) {
        states.keySet().removeIf(k -> partitionFor(k) == partition);
    }

    /** The latest state of {@code key}, if any. */
    public Optional<ShareSnapshot> read(ShareKey key) {
        return Optional.ofNullable(states.get(key)).map(ShareStateRecords.Value::snapshot);
    }

    /** Every share-partition of {@code groupId} with a state here. */
    public Map<ShareKey, ShareSnapshot> readGroup(String groupId) {
        Map<ShareKey, ShareSnapshot> out = new java.util.HashMap<>();
        states.forEach((k, v) -> {
            if (k.groupId().equals(groupId)) {
                out.put(k, v.snapshot());
            }
        });
        return out;
    }

    /**
     * Writes the state of {@code key}; completes once it is acknowledged by the in-sync replicas.
     *
     * @throws FencedLeaderEpochException when a newer leader already wrote it
     * @throws org.apache.kafka.common.errors.FencedStateEpochException when the state was reset since the writer read it
     */
    public CompletableFuture<?> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot) {
        return write(key, leaderEpoch, snapshot, true);
    }

    /** As {@link #write(ShareKey, int, ShareSnapshot)}; {@code durable} false: a background write (see {@link ShareStateAppender}). */
    public CompletableFuture<?> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot, boolean durable) {
        int partition = partitionFor(key);
        synchronized (lockFor(partition)) {
            ShareStateRecords.Value current = states.get(key);
            if (current != null && snapshot.stateEpoch() < current.snapshot().stateEpoch()) {
                throw new org.apache.kafka.common.errors.FencedStateEpochException("Share state of " + key + " is at state epoch "
                        + current.snapshot().stateEpoch() + " (offsets were altered or deleted), newer than " + snapshot.stateEpoch());
            }
            if (current != null && leaderEpoch >= 0 && current.leaderEpoch() > leaderEpoch) {
                throw new FencedLeaderEpochException("Share state of " + key + " was written at leader epoch "
                        + current.leaderEpoch() + ", newer than " + leaderEpoch);
            }
            int epoch = current == null ? leaderEpoch : Math.max(leaderEpoch, current.leaderEpoch());
            CompletableFuture<?> written = appender.append(partition, MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(time.milliseconds(), ShareStateRecords.key(key), ShareStateRecords.value(epoch, snapshot))), durable);
            states.put(key, new ShareStateRecords.Value(epoch, snapshot));
            return written;
        }
    }

    /** Deletes the state of {@code key} with a tombstone. */
    public CompletableFuture<?> delete(ShareKey key) {
        int partition = partitionFor(key);
        synchronized (lockFor(partition)) {
            if (!states.containsKey(key)) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<?> written = appender.append(partition, MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(time.milliseconds(), ShareStateRecords.key(key), null)), true);
            states.remove(key);
            return written;
        }
    }

    /** Rewrites the live states at the log end and drops the older segments once the partition exceeds {@code maxBytes}. */
    public boolean maybeCompact(int partition, PartitionLog partitionLog, long maxBytes) {
        if (partitionLog.size() <= maxBytes) {
            return false;
        }
        synchronized (lockFor(partition)) {
            partitionLog.roll();
            long snapshotStart = partitionLog.logEndOffset();
            long now = time.milliseconds();
            List<CompletableFuture<?>> writes = new ArrayList<>();
            List<SimpleRecord> batch = new ArrayList<>();
            for (Map.Entry<ShareKey, ShareStateRecords.Value> e : states.entrySet()) {
                if (partitionFor(e.getKey()) != partition) {
                    continue;
                }
                batch.add(new SimpleRecord(now, ShareStateRecords.key(e.getKey()),
                        ShareStateRecords.value(e.getValue().leaderEpoch(), e.getValue().snapshot())));
                if (batch.size() >= 500) {
                    writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE, batch.toArray(SimpleRecord[]::new)), true));
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE, batch.toArray(SimpleRecord[]::new)), true));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            partitionLog.deleteRecordsBefore(snapshotStart);
            log.info("Compacted {}: live share states rewritten from offset {}", partitionLog.topicPartition(), snapshotStart);
            return true;
        }
    }
}
