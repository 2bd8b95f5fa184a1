package io.weir.broker.group;

import io.weir.broker.common.Time;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets and classic groups' metadata ({@link GroupRecords}): written as records to the internal {@code __consumer_offsets} partition of the
 * group (see {@link OffsetRecords}), answered from memory, and rebuilt by replaying the partition
 * when it is loaded (at startup, or when this broker becomes its leader).
 *
 * <p>Bounded size: when a partition's log grows past twice {@code offsets.topic.segment.bytes}, the
 * live offsets of its groups are written again at the log end as a snapshot and everything before
 * the snapshot is deleted (whole segments). Replay from the log start therefore still sees every live
 * offset, and the topic never holds more than about the live state plus two segments.
 *
 * <p>Transactional offsets (TxnOffsetCommit) are written in a transactional batch of the producer and
 * held pending, per producer, until the transaction's marker reaches the offsets partition: a COMMIT
 * makes them the group's offsets, an ABORT drops them. Replay does the same with the markers it meets.
 *
 * <p>Thread-safe. Writes to one offsets partition serialize on that partition's lock, so the order of
 * records in the log is the order in which the cache changed.
 */
final class OffsetStore {
    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);

    private final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new ConcurrentHashMap<>();
    /** The latest group-metadata record of each group ({@link GroupRecords}), rewritten by compaction. */
    private final Map<String, GroupRecords.StoredGroup> storedGroups = new ConcurrentHashMap<>();
    private final OffsetAppender appender;
    private final Function<String, Integer> partitionOf;
    private final Time time;
    private final Map<Integer, Object> partitionLocks = new ConcurrentHashMap<>();
    /** Producer id → group → offsets of its open transaction. Guarded by itself. */
    private final Map<Long, Map<String, Map<TopicPartition, CommittedOffset>>> pending = new HashMap<>();

    OffsetStore(OffsetAppender appender, Function<String, Integer> partitionOf, Time time) {
        this.appender = appender;
        this.partitionOf = partitionOf;
        this.time = time;
    }

    private Object lockFor(int partition) {
        return partitionLocks.computeIfAbsent(partition, p -> new Object());
    }

    /** Forgets the offsets of the groups stored in {@code partition} (this broker no longer leads it). */
    void unload(int partition) {
        offsets.keySet().removeIf(group -> partitionOf.apply(group) == partition);
        storedGroups.keySet().removeIf(group -> partitionOf.apply(group) == partition);
        synchronized (pending) {
            for (Map<String, Map<TopicPartition, CommittedOffset>> groups : pending.values()) {
                groups.keySet().removeIf(group -> partitionOf.apply(group) == partition);
            }
            pending.values().removeIf(Map::isEmpty);
        }
    }

    /** Replays a whole offsets partition into memory. */
    void load(PartitionLog partitionLog) {
        long next = partitionLog.logStartOffset();
        int records = 0;
        while (next < partitionLog.logEndOffset()) {
            FetchDataInfo info = partitionLog.read(next, 1 << 20, true);
            if (info.isEmpty()) {
                break;
            }
            for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                if (batch.lastOffset() < next) {
                    continue;
                }
                if (batch.isControlBatch()) {
                    for (Record r : batch) {
                        ControlRecordType type = ControlRecordType.parse(r.key());
                        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                            completeTransaction(batch.producerId(), type == ControlRecordType.COMMIT, partitionLog
                                    .topicPartition().partition());
                        }
                    }
                } else {
                    for (Record r : batch) {
                        if (r.offset() >= next) {
                            if (batch.isTransactional()) {
                                applyPending(batch.producerId(), r);
                            } else {
                                apply(r);
                            }
                            records++;
                        }
                    }
                }
                next = Math.max(next, batch.lastOffset() + 1);
            }
        }
        log.info("Loaded {} offset record(s) from {}", records, partitionLog.topicPartition());
    }

    private void apply(Record r) {
        if (!r.hasKey()) {
            return;
        }
        if (GroupRecords.keyVersion(r.key()) == GroupRecords.KEY_VERSION) {
            applyGroup(r);
            return;
        }
        OffsetRecords.Key key = OffsetRecords.decodeKey(r.key());
        if (key == null) {
            log.warn("Skipping an offsets record with an unknown key version at offset {}", r.offset());
            return;
        }
        if (!r.hasValue()) {
            Map<TopicPartition, CommittedOffset> group = offsets.get(key.group());
            if (group != null) {
                group.remove(key.partition());
                if (group.isEmpty()) {
                    offsets.remove(key.group());
                }
            }
            return;
        }
        CommittedOffset value = OffsetRecords.decodeValue(r.value());
        if (value == null) {
            log.warn("Skipping an offsets record with an unknown value version at offset {}", r.offset());
            return;
        }
        offsets.computeIfAbsent(key.group(), g -> new ConcurrentHashMap<>()).put(key.partition(), value);
    }

    private void applyGroup(Record r) {
        String group = GroupRecords.decodeKey(r.key());
        if (group == null) {
            log.warn("Skipping a group record with an unreadable key at offset {}", r.offset());
            return;
        }
        if (!r.hasValue()) {
            storedGroups.remove(group);
            return;
        }
        GroupRecords.StoredGroup value = GroupRecords.decodeValue(r.value());
        if (value == null) {
            log.warn("Skipping the group record of {} at offset {}: unknown value version or unreadable", group, r.offset());
            return;
        }
        storedGroups.put(group, value);
    }

    /** Writes a group's metadata record; completes once the write is acknowledged. */
    CompletableFuture<?> storeGroup(String group, GroupRecords.StoredGroup value) {
        int partition = partitionOf.apply(group);
        SimpleRecord record = new SimpleRecord(time.milliseconds(), GroupRecords.key(group), GroupRecords.value(value));
        synchronized (lockFor(partition)) {
            CompletableFuture<?> written;
            try {
                written = appender.append(partition, MemoryRecords.withRecords(Compression.NONE, record));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e); // no longer the leader of the offsets partition
            }
            storedGroups.put(group, value);
            return written;
        }
    }

    /** Deletes a group's metadata record with a tombstone (the group was deleted). */
    CompletableFuture<?> deleteGroup(String group) {
        if (!storedGroups.containsKey(group)) {
            return CompletableFuture.completedFuture(null);
        }
        int partition = partitionOf.apply(group);
        SimpleRecord tombstone = new SimpleRecord(time.milliseconds(), GroupRecords.key(group), null);
        synchronized (lockFor(partition)) {
            CompletableFuture<?> written = appender.append(partition, MemoryRecords.withRecords(Compression.NONE, tombstone));
            storedGroups.remove(group);
            return written;
        }
    }

    /** The groups whose records {@link #load} found in {@code partition} (latest record of each). */
    Map<String, GroupRecords.StoredGroup> storedGroups(int partition) {
        Map<String, GroupRecords.StoredGroup> out = new HashMap<>();
        storedGroups.forEach((g, v) -> {
            if (partitionOf.apply(g) == partition) {
                out.put(g, v);
            }
        });
        return out;
    }

    private void applyPending(long producerId, Record r) {
        if (!r.hasKey() || !r.hasValue()) {
            return;
        }
        OffsetRecords.Key key = OffsetRecords.decodeKey(r.key());
        CommittedOffset value = OffsetRecords.decodeValue(r.value());
        if (key == null || value == null) {
            log.warn("Skipping a transactional offsets record with an unknown version at offset {}", r.offset());
            return;
        }
        synchronized (pending) {
            pending.computeIfAbsent(producerId, p -> new HashMap<>()).computeIfAbsent(key.group(), g -> new HashMap<>())
                    .put(key.partition(), value);
        }
    }

    /**
     * Writes offsets of a transaction (a transactional batch of the producer) and holds them pending
     * until the transaction's marker; completes once the write is acknowledged.
     */
    CompletableFuture<?> commitTransactional(String group, long producerId, short producerEpoch,
                                             Map<TopicPartition, CommittedOffset> commits) {
        int partition = partitionOf.apply(group);
        long now = time.milliseconds();
        List<SimpleRecord> records = new ArrayList<>();
        commits.forEach((tp, o) -> records.add(new SimpleRecord(now, OffsetRecords.key(group, tp), OffsetRecords.value(o))));
        CompletableFuture<?> written;
        synchronized (lockFor(partition)) {
            // sequence 0: batches need one, and a coordinator's writes are not checked against it
            written = appender.append(partition, MemoryRecords.withTransactionalRecords(Compression.NONE, producerId,
                    producerEpoch, 0, records.toArray(SimpleRecord[]::new)));
        }
        return written.thenRun(() -> {
            synchronized (pending) {
                pending.computeIfAbsent(producerId, p -> new HashMap<>()).computeIfAbsent(group, g -> new HashMap<>())
                        .putAll(commits);
            }
        });
    }

    /**
     * The marker of a producer's transaction reached offsets partition {@code partition}: its pending
     * offsets for the groups stored there become the groups' offsets (commit) or are dropped (abort).
     */
    void completeTransaction(long producerId, boolean commit, int partition) {
        Map<String, Map<TopicPartition, CommittedOffset>> done = new HashMap<>();
        synchronized (pending) {
            Map<String, Map<TopicPartition, CommittedOffset>> groups = pending.get(producerId);
            if (groups == null) {
                return;
            }
            groups.entrySet().removeIf(e -> {
                if (partitionOf.apply(e.getKey()) != partition) {
                    return false;
                }
                done.put(e.getKey(), e.getValue());
                return true;
            });
            if (groups.isEmpty()) {
                pending.remove(producerId);
            }
        }
        if (commit) {
            done.forEach((group, o) -> offsets.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).putAll(o));
        }
    }

    /** Whether an undecided transaction holds an offset of {@code group} for {@code tp}. */
    boolean hasPending(String group, TopicPartition tp) {
        synchronized (pending) {
            for (Map<String, Map<TopicPartition, CommittedOffset>> groups : pending.values()) {
                Map<TopicPartition, CommittedOffset> g = groups.get(group);
                if (g != null && g.containsKey(tp)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether a transaction holds offsets of a group stored in {@code partition}. */
    private boolean hasPending(int partition) {
        synchronized (pending) {
            return pending.values().stream().flatMap(g -> g.keySet().stream()).anyMatch(g -> partitionOf.apply(g) == partition);
        }
    }

    /** Writes the offsets, then makes them visible; completes once the write is acknowledged. */
    CompletableFuture<?> commit(String group, Map<TopicPartition, CommittedOffset> commits) {
        int partition = partitionOf.apply(group);
        long now = time.milliseconds();
        List<SimpleRecord> records = new ArrayList<>();
        commits.forEach((tp, o) -> records.add(new SimpleRecord(now, OffsetRecords.key(group, tp), OffsetRecords.value(o))));
        synchronized (lockFor(partition)) {
            CompletableFuture<?> written = appender.append(partition,
                    MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)));
            offsets.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).putAll(commits);
            return written;
        }
    }

    /** Deletes offsets of a group (all of them when {@code partitions} is null) with tombstones. */
    CompletableFuture<?> delete(String group, Collection<TopicPartition> partitions) {
        Map<TopicPartition, CommittedOffset> current = offsets.getOrDefault(group, Map.of());
        Collection<TopicPartition> doomed = partitions == null ? List.copyOf(current.keySet())
                : partitions.stream().filter(current::containsKey).toList();
        if (doomed.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        int partition = partitionOf.apply(group);
        long now = time.milliseconds();
        SimpleRecord[] tombstones = doomed.stream().map(tp -> new SimpleRecord(now, OffsetRecords.key(group, tp), null))
                .toArray(SimpleRecord[]::new);
        synchronized (lockFor(partition)) {
            CompletableFuture<?> written = appender.append(partition, MemoryRecords.withRecords(Compression.NONE, tombstones));
            Map<TopicPartition, CommittedOffset> g = offsets.get(group);
            if (g != null) {
                doomed.forEach(g::remove);
                if (g.isEmpty()) {
                    offsets.remove(group);
                }
            }
            return written;
        }
    }

    Map<TopicPartition, CommittedOffset> offsets(String group) {
        Map<TopicPartition, CommittedOffset> g = offsets.get(group);
        return g == null ? Map.of() : new HashMap<>(g);
    }

    Collection<String> groupsWithOffsets() {
        return List.copyOf(offsets.keySet());
    }

    /**
     * Bounds the offsets partition's log: when it exceeds {@code maxBytes}, rolls it, rewrites the live
     * offsets of its groups at the new segment and deletes everything before.
     *
     * @return whether it compacted
     */
    boolean maybeCompact(int partition, PartitionLog partitionLog, long maxBytes) {
        if (partitionLog.size() <= maxBytes || hasPending(partition)) {
            return false; // pending transactional offsets live only in the log before a snapshot: wait for their markers
        }
        synchronized (lockFor(partition)) {
            partitionLog.roll();
            long snapshotStart = partitionLog.logEndOffset();
            long now = time.milliseconds();
            List<SimpleRecord> batch = new ArrayList<>();
            int bytes = 0;
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> g : offsets.entrySet()) {
                if (partitionOf.apply(g.getKey()) != partition) {
                    continue;
                }
                for (Map.Entry<TopicPartition, CommittedOffset> e : g.getValue().entrySet()) {
                    SimpleRecord r = new SimpleRecord(now, OffsetRecords.key(g.getKey(), e.getKey()), OffsetRecords.value(e.getValue()));
                    batch.add(r);
                    bytes += r.key().remaining() + r.value().remaining() + 32;
                    if (bytes > 512 * 1024) {
                        writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE, batch.toArray(SimpleRecord[]::new))));
                        batch.clear();
                        bytes = 0;
                    }
                }
            }
            for (Map.Entry<String, GroupRecords.StoredGroup> g : storedGroups.entrySet()) {
                if (partitionOf.apply(g.getKey()) != partition) {
                    continue;
                }
                SimpleRecord r = new SimpleRecord(now, GroupRecords.key(g.getKey()), GroupRecords.value(g.getValue()));
                batch.add(r);
                bytes += r.key().remaining() + r.value().remaining() + 32;
                if (bytes > 512 * 1024) {
                    writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE, batch.toArray(SimpleRecord[]::new))));
                    batch.clear();
                    bytes = 0;
                }
            }
            if (!batch.isEmpty()) {
                writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE, batch.toArray(SimpleRecord[]::new))));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            partitionLog.deleteRecordsBefore(snapshotStart);
            log.info("Compacted {}: live offsets rewritten from offset {}, {} bytes remain", partitionLog.topicPartition(),
                    snapshotStart, partitionLog.size());
            return true;
        }
    }
}
