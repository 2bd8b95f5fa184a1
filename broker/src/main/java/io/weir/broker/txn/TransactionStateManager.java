package io.weir.broker.txn;

import io.weir.broker.common.Time;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional ids this broker coordinates: those hashed onto the partitions of
 * {@code __transaction_state} it leads. Each state change is a record in that partition (see
 * {@link TransactionLogRecords}), written with acks=all before it takes effect; a broker that becomes
 * leader of a partition replays it ({@link #load}) and coordinates its ids from then on, under the
 * partition's leader epoch as coordinator epoch.
 *
 * <p>Bounded size: past twice {@code transaction.state.log.segment.bytes}, the live states are written
 * again at the log end and everything before is deleted ({@link #maybeCompact}).
 *
 * <p>Thread-safe. Writes to one partition serialize on its {@link Owned} object.
 */
final class TransactionStateManager {
    private static final Logger log = LoggerFactory.getLogger(TransactionStateManager.class);

    /** A partition this broker coordinates. */
    static final class Owned {
        final int partition;
        final int coordinatorEpoch;
        volatile boolean loading = true;
        final ConcurrentHashMap<String, TransactionMetadata> txns = new ConcurrentHashMap<>();

        Owned(int partition, int coordinatorEpoch) {
            this.partition = partition;
            this.coordinatorEpoch = coordinatorEpoch;
        }
    }

    private final int numPartitions;
    private final StateAppender appender;
    private final Time time;
    private final ConcurrentHashMap<Integer, Owned> owned = new ConcurrentHashMap<>();

    TransactionStateManager(int numPartitions, StateAppender appender, Time time) {
        this.numPartitions = numPartitions;
        this.appender = appender;
        this.time = time;
    }

    /** The {@code __transaction_state} partition of a transactional id, as Kafka computes it. */
    int partitionFor(String transactionalId) {
        return (transactionalId.hashCode() & 0x7fffffff) % numPartitions;
    }

    /** NONE when this broker coordinates the id now, else the error telling the client what to do. */
    Errors status(String transactionalId) {
        Owned o = owned.get(partitionFor(transactionalId));
        if (o == null) {
            return Errors.NOT_COORDINATOR;
        }
        return o.loading ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
    }

    /** The id's metadata (created empty when unknown), or null when this broker does not coordinate it. */
    TransactionMetadata getOrCreate(String transactionalId) {
        Owned o = owned.get(partitionFor(transactionalId));
        if (o == null || o.loading) {
            return null;
        }
        return o.txns.computeIfAbsent(transactionalId, id -> new TransactionMetadata(id, o.partition, null));
    }

    /** The id's metadata, or null. */
    TransactionMetadata get(String transactionalId) {
        Owned o = owned.get(partitionFor(transactionalId));
        return o == null || o.loading ? null : o.txns.get(transactionalId);
    }

    /** The coordinator epoch of a partition this broker coordinates, or -1. */
    int coordinatorEpoch(int partition) {
        Owned o = owned.get(partition);
        return o == null ? -1 : o.coordinatorEpoch;
    }

    /** Whether this broker still coordinates {@code partition} under {@code coordinatorEpoch}. */
    boolean owns(int partition, int coordinatorEpoch) {
        Owned o = owned.get(partition);
        return o != null && !o.loading && o.coordinatorEpoch == coordinatorEpoch;
    }

    /** Every id this broker coordinates (loaded partitions only). */
    List<TransactionMetadata> all() {
        List<TransactionMetadata> out = new ArrayList<>();
        for (Owned o : owned.values()) {
            if (!o.loading) {
                out.addAll(o.txns.values());
            }
        }
        return out;
    }

    /**
     * Becomes the coordinator of the ids in one partition: replays it (what was held for it before is
     * discarded first).
     *
     * @return the loaded ids
     */
    Collection<TransactionMetadata> load(int partition, int coordinatorEpoch, PartitionLog partitionLog) {
        Owned o = new Owned(partition, coordinatorEpoch);
        owned.put(partition, o);
        long next = partitionLog.logStartOffset();
        int records = 0;
        while (next < partitionLog.logEndOffset()) {
            FetchDataInfo info = partitionLog.read(next, 1 << 20, true);
            if (info.isEmpty()) {
                break;
            }
            for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                for (Record r : batch) {
                    if (r.offset() >= next && r.hasKey()) {
                        apply(o, r);
                        records++;
                    }
                }
                next = Math.max(next, batch.lastOffset() + 1);
            }
        }
        o.loading = false;
        log.info("Loaded {} transaction state record(s), {} transactional id(s), from {} at coordinator epoch {}", records,
                o.txns.size(), partitionLog.topicPartition(), coordinatorEpoch);
        return List.copyOf(o.txns.values());
    }

    private void apply(Owned o, Record r) {
        String id = TransactionLogRecords.decodeKey(r.key());
        if (id == null) {
            log.warn("Skipping a transaction state record with an unknown key version at offset {}", r.offset());
            return;
        }
        if (!r.hasValue()) {
            o.txns.remove(id);
            return;
        }
        TxnRecord value = TransactionLogRecords.decodeValue(id, r.value());
        if (value == null) {
            log.warn("Skipping a transaction state record with an unknown value version at offset {}", r.offset());
            return;
        }
        o.txns.put(id, new TransactionMetadata(id, o.partition, value));
    }

    /** Stops coordinating the ids of one partition (another broker leads it now). */
    void unload(int partition) {
        if (owned.remove(partition) != null) {
            log.info("Stopped coordinating the transactional ids of {} partition {}", TransactionCoordinator.STATE_TOPIC,
                    partition);
        }
    }

    /** Writes a state; completes once the ISR has it. */
    CompletableFuture<?> write(TransactionMetadata md, TxnRecord next) {
        Owned o = owned.get(md.partition);
        if (o == null) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.NotCoordinatorException(
                    "Not the coordinator of " + md.transactionalId + " any more"));
        }
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(time.milliseconds(),
                TransactionLogRecords.key(next.transactionalId()), TransactionLogRecords.value(next)));
        synchronized (o) {
            return appender.append(md.partition, records);
        }
    }

    /**
     * Bounds the partition's log: when it exceeds {@code maxBytes} and no write is in flight, rolls it,
     * writes the live states again and deletes everything before them.
     *
     * @return whether it compacted
     */
    boolean maybeCompact(int partition, PartitionLog partitionLog, long maxBytes) {
        Owned o = owned.get(partition);
        if (o == null || o.loading || partitionLog.size() <= maxBytes) {
            return false;
        }
        synchronized (o) {
            List<SimpleRecord> live = new ArrayList<>();
            for (TransactionMetadata md : o.txns.values()) {
                synchronized (md) {
                    if (md.pending) {
                        return false; // its record may land before the snapshot: try again later
                    }
                    if (md.current != null) {
                        live.add(new SimpleRecord(time.milliseconds(), TransactionLogRecords.key(md.transactionalId),
                                TransactionLogRecords.value(md.current)));
                    }
                }
            }
            partitionLog.roll();
            long snapshotStart = partitionLog.logEndOffset();
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < live.size(); i += 500) {
                writes.add(appender.append(partition, MemoryRecords.withRecords(Compression.NONE,
                        live.subList(i, Math.min(live.size(), i + 500)).toArray(SimpleRecord[]::new))));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            partitionLog.deleteRecordsBefore(snapshotStart);
            log.info("Compacted {}: live transaction states rewritten from offset {}", partitionLog.topicPartition(),
                    snapshotStart);
            return true;
        }
    }
}
