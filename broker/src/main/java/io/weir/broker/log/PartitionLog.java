package io.weir.broker.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s in the directory
 * {@code <topic>-<partition>}, the last of which takes appends.
 *
 * <p>Offsets: {@code logStartOffset} is the first readable offset, {@code logEndOffset} (LEO) the
 * offset the next record gets, {@code recoveryPoint} the offset below which everything is fsynced
 * (what recovery after a crash may trust without scanning).
 *
 * <p>Threading: thread-safe. Appends, rolls, truncation and segment deletion serialize on one
 * append lock; CRC validation of incoming batches runs before it is taken. Reads take no lock:
 * they see the segment map (a concurrent skip list) and a volatile snapshot of the log end, and
 * never read a byte past it. fsyncs serialize on their own lock so they never block appends.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition topicPartition;
    private final LogEnvironment env;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final Object flushLock = new Object();
    /**
     * Innermost lock: orders recovery-point changes between a flush (which may only raise it when no
     * truncation ran during its fsync) and a truncation (which lowers it). Never held while taking another.
     */
    private final Object recoveryPointLock = new Object();
    /** Serializes writing and deleting producer-state snapshot files (taken after appendLock, never before). */
    private final Object snapshotLock = new Object();
    /** Truncations so far; written under recoveryPointLock. */
    private volatile long truncations;
    private final AtomicLong unflushedRecords = new AtomicLong();
    /** Guarded by appendLock. */
    private final ProducerStateManager producerState = new ProducerStateManager();
    /** Which leader epoch wrote which offsets; changed under appendLock, truncated with the log. */
    private final LeaderEpochCache epochCache;
    private volatile Path dir;
    private volatile LogConfig config;
    private volatile LogOffsetMetadata logEnd;
    private volatile long logStartOffset;
    private volatile long recoveryPoint;
    private volatile long lastFlushMs;
    private volatile boolean closed;
    /** A segment file was created since the last fsync of the directory. */
    private volatile boolean directoryDirty;
    /** The last stable offset last computed ({@link #lastStableOffset}); the cleaner stays below it. */
    private volatile long lastStableOffsetSeen;
    /** The lowest offset the log was truncated to since the cleaner last asked; Long.MAX_VALUE when none. */
    private final AtomicLong truncatedTo = new AtomicLong(Long.MAX_VALUE);
    private volatile ProducerStateLoad lastProducerStateLoad;

    /**
     * @param snapshotLimit the largest offset a producer-state snapshot may have to be used: segments at or
     *                      above it were recovered or re-indexed at load, and their aborted-transaction
     *                      indexes must be rebuilt from their batches
     */
    PartitionLog(Path dir, TopicPartition topicPartition, LogConfig config, LogEnvironment env,
                 ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long recoveryPoint,
                 long snapshotLimit) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.env = env;
        this.segments = segments;
        LogSegment active = segments.lastEntry().getValue();
        this.logEnd = new LogOffsetMetadata(active.readNextOffset(), active.baseOffset(), active.size());
        this.logStartOffset = logStartOffset;
        this.recoveryPoint = recoveryPoint;
        this.lastFlushMs = env.time().milliseconds();
        this.epochCache = LeaderEpochCache.load(dir);
        epochCache.truncateFromEnd(logEnd.offset()); // recovery may have cut the tail the cache still names
        epochCache.truncateFromStart(logStartOffset);
        loadProducerState(Math.min(snapshotLimit, logEnd.offset()));
    }

    /** The leader epochs of this log (file {@code leader-epoch-checkpoint} in its directory). */
    public LeaderEpochCache leaderEpochCache() {
        return epochCache;
    }

    /**
     * Rebuilds producer state (sequences, epochs, open transactions): from the newest valid snapshot at or
     * below {@code limit} and the batches after it, or from every batch when there is none. Snapshots
     * beyond the log end are deleted (the log lost what they describe); a corrupt one is deleted with a
     * warning and the next older one tried. The aborted-transaction index of every replayed segment is
     * rebuilt from the ABORT markers found (its file rewritten only when it differs). Under the append
     * lock, or in the constructor.
     */
    private void loadProducerState(long limit) {
        producerState.clear();
        long end = logEnd.offset();
        List<Long> beyondEnd = ProducerSnapshotFile.deleteOutside(dir, Long.MIN_VALUE, end);
        if (!beyondEnd.isEmpty()) {
            log.info("Deleted producer-state snapshot(s) {} of {}: beyond the log end offset {}", beyondEnd, topicPartition, end);
        }
        long replayFrom = -1;
        for (Map.Entry<Long, Path> e : ProducerSnapshotFile.list(dir).headMap(limit, true).descendingMap().entrySet()) {
            try {
                ProducerStateImage image = ProducerSnapshotFile.read(e.getValue());
                if (image.offset() != e.getKey()) {
                    throw new ProducerSnapshotFile.CorruptSnapshotException(e.getValue().getFileName()
                            + ": holds the state at offset " + image.offset());
                }
                producerState.restore(image);
                replayFrom = image.offset();
                break;
            } catch (ProducerSnapshotFile.CorruptSnapshotException ex) {
                log.warn("Skipping and deleting the corrupt producer-state snapshot {} of {}: {}", e.getValue(),
                        topicPartition, ex.getMessage());
                ProducerSnapshotFile.delete(e.getValue());
            }
        }
        replayBatches(replayFrom);
    }

    /**
     * How producer state was last rebuilt (load or truncation).
     *
     * @param snapshotOffset  the offset of the snapshot it started from, or -1 (every batch replayed)
     * @param replayedBatches the producer batches read from the segments
     */
    public record ProducerStateLoad(long snapshotOffset, long replayedBatches) {
    }

    /** How producer state was last rebuilt, at load or truncation (what start-up cost, for operators and tests). */
    public ProducerStateLoad lastProducerStateLoad() {
        return lastProducerStateLoad;
    }

    /** Applies every batch at or after {@code from} (-1: all) to the producer state. */
    private void replayBatches(long from) {
        Long firstSegment = from < 0 ? null : segments.floorKey(from);
        Collection<LogSegment> toReplay = firstSegment == null ? segments.values() : segments.tailMap(firstSegment, true).values();
        long batches = 0;
        for (LogSegment segment : toReplay) {
            List<AbortedTxn> aborted = new ArrayList<>();
            if (from > segment.baseOffset()) {
                // replayed from the middle: the aborts below the snapshot were indexed when they were written
                segment.txnIndex().entries().stream().filter(t -> t.lastOffset() < from).forEach(aborted::add);
            }
            long[] count = {0};
            segment.forEachStoredBatch(b -> {
                BatchHeader h = b.header();
                if (!h.hasProducerId() || h.baseOffset() < from) {
                    return;
                }
                count[0]++;
                if (h.isControl()) {
                    ControlRecordType type = segment.controlType(b);
                    if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                        AbortedTxn t = producerState.completeTxn(h.producerId(), h.producerEpoch(), -1, h.baseOffset(),
                                type == ControlRecordType.ABORT);
                        if (t != null) {
                            aborted.add(t);
                        }
                    }
                } else {
                    producerState.update(h.producerId(), h.producerEpoch(), h.baseSequence(), h.lastSequence(),
                            h.baseOffset(), h.lastOffset(), h.isTransactional(), true, h.maxTimestamp());
                }
            });
            batches += count[0];
            segment.txnIndex().reset(aborted);
        }
        lastProducerStateLoad = new ProducerStateLoad(from, batches);
        log.debug("Producer state of {} rebuilt from {}: {} segment(s), {} producer batch(es) replayed", topicPartition,
                from < 0 ? "the whole log" : "the snapshot at offset " + from, toReplay.size(), batches);
    }

    /**
     * Opens the log in {@code dir} (creating it when absent), recovering it when the broker did not
     * shut down cleanly. See {@link LogLoader}.
     */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, long recoveryPoint,
                                    long logStartOffset, boolean hadCleanShutdown, LogEnvironment env) {
        return new LogLoader(dir, tp, config, env).load(recoveryPoint, logStartOffset, hadCleanShutdown);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** Applies a new configuration (topic overrides changed); it governs the next append, roll and cleanup. */
    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEnd.offset();
    }

    public LogOffsetMetadata logEndOffsetMetadata() {
        return logEnd;
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** Records appended since the last fsync (Kafka's flush.messages counter). */
    public long unflushedRecords() {
        return unflushedRecords.get();
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Bytes in all segments. */
    public long size() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    /** A snapshot of the segments, oldest first. */
    public List<LogSegment> segments() {
        return new ArrayList<>(segments.values());
    }

    LogSegment activeSegment() {
        return segments.lastEntry().getValue();
    }

    private String context() {
        return "Partition " + topicPartition + " in " + dir;
    }

    /**
     * Appends batches from a producer: validates them, gives them the next offsets by rewriting each
     * batch header (the records are never re-encoded), stamps the leader epoch (and LogAppendTime
     * when the topic uses it) and writes them. The caller's buffer is modified in place.
     *
     * @throws org.apache.kafka.common.errors.CorruptRecordException when a batch is truncated or fails its CRC
     * @throws InvalidRecordException  when a batch is not a well-formed v2 producer batch
     * @throws org.apache.kafka.common.errors.RecordTooLargeException when a batch exceeds max.message.bytes
     * @throws KafkaStorageException   when the disk refuses the write; nothing already stored is affected
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendAsLeader(records, leaderEpoch, AppendOrigin.CLIENT);
    }

    /**
     * Appends as {@link #appendAsLeader(MemoryRecords, int)}, for a producer or (transaction markers,
     * transactional offsets) for a coordinator.
     *
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException a fenced producer epoch
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException a marker from a deposed coordinator
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch, AppendOrigin origin) {
        LogConfig c = config;
        AppendBatches batches = AppendBatches.validate(records, c.maxMessageBytes(), true, context());
        if (c.compact() && origin == AppendOrigin.CLIENT) {
            requireKeys(batches);
        }
        appendLock.lock();
        try {
            checkOpen();
            ProducerStateManager.BatchMetadata duplicate = checkProducerState(batches, origin);
            if (duplicate != null) {
                return new LogAppendInfo(duplicate.firstOffset(), duplicate.lastOffset(), RecordBatch.NO_TIMESTAMP,
                        RecordBatch.NO_TIMESTAMP, batches.recordCount(), 0, logStartOffset, true);
            }
            long now = env.time().milliseconds();
            long appendTime = c.timestampType() == TimestampType.LOG_APPEND_TIME ? now : RecordBatch.NO_TIMESTAMP;
            long first = logEnd.offset();
            long next = first;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            List<MutableRecordBatch> list = batches.batches();
            for (int i = 0; i < list.size(); i++) {
                MutableRecordBatch batch = list.get(i);
                int delta = batches.headers().get(i).lastOffsetDelta();
                batch.setLastOffset(next + delta);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (appendTime != RecordBatch.NO_TIMESTAMP) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTime);
                }
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                next += delta + 1L;
            }
            LogAppendInfo info = write(batches, first, next - 1, maxTimestamp, appendTime, now);
            epochCache.assign(leaderEpoch, first);
            return info;
        } finally {
            appendLock.unlock();
        }
    }

    /** A compacted log keeps the last record per key, so every record produced to it needs one (as Kafka demands). */
    private void requireKeys(AppendBatches batches) {
        for (MutableRecordBatch batch : batches.batches()) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record r : batch) {
                if (!r.hasKey()) {
                    throw new InvalidRecordException(context() + ": a compacted topic cannot accept a record without a key "
                            + "(offset delta " + (r.offset() - batch.baseOffset()) + " of the batch)");
                }
            }
        }
    }

    /**
     * Appends batches that already carry their offsets (replicated from a leader): CRC and structure
     * are checked, offsets must start at or after the log end and increase.
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records) {
        LogConfig c = config;
        AppendBatches batches = AppendBatches.validate(records, Integer.MAX_VALUE, false, context());
        appendLock.lock();
        try {
            checkOpen();
            long previousLast = logEnd.offset() - 1;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            for (MutableRecordBatch batch : batches.batches()) {
                if (batch.baseOffset() <= previousLast) {
                    throw new InvalidRecordException(context() + ": replicated batch at offset " + batch.baseOffset()
                            + " does not follow offset " + previousLast);
                }
                previousLast = batch.lastOffset();
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            }
            long first = batches.batches().get(0).baseOffset();
            LogAppendInfo info = write(batches, first, previousLast, maxTimestamp, RecordBatch.NO_TIMESTAMP,
                    env.time().milliseconds());
            for (MutableRecordBatch batch : batches.batches()) {
                epochCache.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
            }
            return info;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Applies the idempotent-producer rules to a producer's batches.
     *
     * @return the original of a duplicate batch, else null
     */
    private ProducerStateManager.BatchMetadata checkProducerState(AppendBatches batches, AppendOrigin origin) {
        List<BatchHeader> headers = batches.headers();
        for (int i = 0; i < headers.size(); i++) {
            MutableRecordBatch batch = batches.batches().get(i);
            BatchHeader h = headers.get(i);
            if ((batch.isControlBatch() || batch.isTransactional()) && !h.hasProducerId()) {
                throw new InvalidRecordException(context() + ": a transactional or control batch without a producer id");
            }
            if (batch.isControlBatch() && origin == AppendOrigin.CLIENT) {
                throw new InvalidRecordException(context() + ": control batches are written by transaction coordinators, "
                        + "not accepted from producers");
            }
            if (origin == AppendOrigin.COORDINATOR && h.hasProducerId()) {
                if (batch.isControlBatch()) {
                    producerState.checkMarker(h.producerId(), h.producerEpoch(), markerOf(batch).coordinatorEpoch(), context());
                } else {
                    producerState.checkEpoch(h.producerId(), h.producerEpoch(), context());
                }
                continue;
            }
            if (h.hasProducerId() && headers.size() > 1) {
                throw new InvalidRecordException(context() + ": an idempotent producer must send one batch per partition, got "
                        + headers.size());
            }
        }
        BatchHeader h = headers.get(0);
        if (!h.hasProducerId() || origin == AppendOrigin.COORDINATOR) {
            return null;
        }
        return producerState.check(h.producerId(), h.producerEpoch(), h.baseSequence(), h.lastSequence(), context());
    }

    private LogAppendInfo write(AppendBatches batches, long firstOffset, long lastOffset, long maxTimestamp,
                                long appendTime, long now) {
        LogSegment segment = maybeRoll(batches.sizeInBytes(), lastOffset, now);
        segment.append(batches);
        long unflushed = unflushedRecords.addAndGet(batches.recordCount());
        if (unflushed >= config.flushIntervalMessages()) {
            try {
                flushThrough(lastOffset + 1); // before the log end moves: nobody may see what could not be fsynced
            } catch (KafkaStorageException e) {
                segment.truncateTo(firstOffset);
                unflushedRecords.addAndGet(-batches.recordCount());
                throw new KafkaStorageException(context() + ": append at offsets " + firstOffset + ".." + lastOffset
                        + " could not be fsynced and was removed: " + e.getMessage(), e);
            }
        }
        for (MutableRecordBatch batch : batches.batches()) {
            if (!batch.hasProducerId()) {
                continue;
            }
            if (batch.isControlBatch()) {
                EndTransactionMarker marker = markerOf(batch);
                if (marker != null) {
                    AbortedTxn aborted = producerState.completeTxn(batch.producerId(), batch.producerEpoch(),
                            marker.coordinatorEpoch(), batch.baseOffset(), marker.controlType() == ControlRecordType.ABORT);
                    if (aborted != null) {
                        segment.txnIndex().append(aborted);
                    }
                }
            } else {
                producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                        batch.baseOffset(), batch.lastOffset(), batch.isTransactional(), true, batch.maxTimestamp());
            }
        }
        logEnd = new LogOffsetMetadata(lastOffset + 1, segment.baseOffset(), segment.size());
        return new LogAppendInfo(firstOffset, lastOffset, maxTimestamp, appendTime, batches.recordCount(),
                batches.sizeInBytes(), logStartOffset, false);
    }

    /** The COMMIT or ABORT marker of a control batch, or null for another control record. */
    private EndTransactionMarker markerOf(MutableRecordBatch batch) {
        for (Record r : batch) {
            ControlRecordType type = ControlRecordType.parse(r.key());
            if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
                return null;
            }
            return EndTransactionMarker.deserialize(r);
        }
        throw new InvalidRecordException(context() + ": empty control batch at offset " + batch.baseOffset());
    }

    /**
     * The last stable offset given the high watermark: no record below it belongs to a transaction
     * that is open, or whose marker is not yet replicated (read_committed consumers read up to it).
     * Transactions whose markers lie below {@code highWatermark} are forgotten: the partition calls
     * this whenever its high watermark moves, which bounds the bookkeeping.
     */
    public long lastStableOffset(long highWatermark) {
        long lso = Math.min(highWatermark, producerState.firstUnstableOffset(highWatermark));
        lastStableOffsetSeen = lso;
        return lso;
    }

    /**
     * The first offset the log cleaner must not clean: the active segment, the last stable offset last
     * computed (open transactions and records above the high watermark stay as written) and the first
     * segment holding records younger than {@code min.compaction.lag.ms}.
     */
    long firstUncleanableOffset(long now) {
        long bound = Math.min(activeSegment().baseOffset(), lastStableOffsetSeen);
        long lag = config.minCompactionLagMs();
        if (lag > 0) {
            for (LogSegment segment : segments.headMap(bound, false).values()) {
                if (segment.maxTimestamp() != RecordBatch.NO_TIMESTAMP && segment.maxTimestamp() > now - lag) {
                    return Math.min(bound, segment.baseOffset());
                }
            }
        }
        return bound;
    }

    /** The lowest offset the log was truncated to since the last call, or Long.MAX_VALUE; resets it. */
    long takeTruncationPoint() {
        return truncatedTo.getAndSet(Long.MAX_VALUE);
    }

    /** Truncations so far: a cleaning that saw another count is stale. */
    long truncationCount() {
        return truncations;
    }

    boolean isClosed() {
        return closed;
    }

    LogEnvironment environment() {
        return env;
    }

    /**
     * The offset of the last data batch of every producer with state here: the cleaner keeps that batch
     * (empty if need be), so that the producer's sequence and epoch survive cleaning and a reload.
     */
    Map<Long, Long> lastDataOffsetsOfProducers() {
        appendLock.lock();
        try {
            return producerState.lastDataOffsets();
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Replaces {@code replaced} (consecutive segments) by {@code cleaned}, a fsynced segment whose files carry
     * {@link LogFileNames#CLEANED_SUFFIX} and which starts at the first of them. On disk: the cleaned files
     * become {@code .swap}, the replaced ones {@code .deleted}, then the swap files take the plain names; a
     * crash anywhere in between is completed or undone by {@link LogLoader}. Refused, leaving everything as it
     * was, when the log changed under the cleaner: closed, truncated, or one of the segments gone.
     *
     * @return whether the swap happened
     */
    boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned, long truncationsAtStart) {
        appendLock.lock();
        try {
            if (closed || truncations != truncationsAtStart) {
                return false;
            }
            for (LogSegment old : replaced) {
                if (segments.get(old.baseOffset()) != old || old == activeSegment()) {
                    return false;
                }
            }
            cleaned.changeFileSuffixes(LogFileNames.CLEANED_SUFFIX, LogFileNames.SWAP_SUFFIX);
            fsyncDir();
            for (LogSegment old : replaced) {
                old.markDeleted();
            }
            cleaned.changeFileSuffixes(LogFileNames.SWAP_SUFFIX, "");
            fsyncDir();
            segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment old : replaced) {
                if (old.baseOffset() != cleaned.baseOffset()) {
                    segments.remove(old.baseOffset());
                }
            }
            List<LogSegment> copy = List.copyOf(replaced);
            env.scheduler().scheduleOnce("delete-cleaned-segments-" + topicPartition, () -> copy.forEach(LogSegment::delete),
                    config.fileDeleteDelayMs());
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    private void fsyncDir() {
        try {
            OffsetCheckpointFile.fsyncDirectory(dir);
        } catch (java.io.IOException e) {
            throw new KafkaStorageException("Cannot fsync directory " + dir + ": " + e, e);
        }
    }

    /**
     * The aborted transactions that overlap [{@code fetchOffset}, {@code upperBound}): what a
     * read_committed fetch returns with its records, so the consumer can drop the aborted ones.
     */
    public List<AbortedTxn> collectAbortedTransactions(long fetchOffset, long upperBound) {
        List<AbortedTxn> out = new ArrayList<>();
        Long from = segments.floorKey(fetchOffset);
        // the marker of an aborted transaction overlapping the range may lie in any later segment
        for (LogSegment segment : (from == null ? segments : segments.tailMap(from, true)).values()) {
            if (segment.txnIndex().collect(fetchOffset, upperBound, out)) {
                break;
            }
        }
        return out;
    }

    /** The producers with state in this partition (DescribeProducers). */
    public List<ActiveProducer> activeProducers() {
        appendLock.lock();
        try {
            return producerState.snapshot().stream().map(p -> new ActiveProducer(p.producerId(), p.epoch(), p.lastSequence(),
                    p.lastTimestamp(), p.coordinatorEpoch(), p.currentTxnStartOffset())).toList();
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Completes once the append is as durable as this log promises: at once, or with group commit
     * ({@code log.flush.group.commit.enable}) once an fsync covers it.
     */
    public CompletableFuture<LogAppendInfo> awaitDurable(LogAppendInfo info) {
        if (!config.groupCommit() || recoveryPoint >= info.nextOffset()) {
            return CompletableFuture.completedFuture(info);
        }
        return env.flusher().request(this, info.nextOffset()).thenApply(v -> info);
    }

    private LogSegment maybeRoll(int incomingBytes, long lastOffset, long now) {
        LogSegment active = activeSegment();
        if (!active.shouldRoll(incomingBytes, lastOffset, now, config)) {
            return active;
        }
        return roll();
    }

    /** Starts a new active segment at the log end; the previous one is fsynced in the background. */
    public LogSegment roll() {
        appendLock.lock();
        try {
            checkOpen();
            LogSegment previous = activeSegment();
            long newBase = logEnd.offset();
            if (previous.baseOffset() == newBase) {
                return previous; // already empty at the log end
            }
            deleteStaleSegmentFiles(newBase);
            previous.onBecomeInactive();
            LogSegment segment = LogSegment.open(dir, newBase, config, env.time(), env.opener());
            segments.put(newBase, segment);
            directoryDirty = true;
            logEnd = new LogOffsetMetadata(newBase, newBase, 0);
            log.debug("Rolled {} to a new segment at offset {}", topicPartition, newBase);
            ProducerStateImage image = producerState.image(newBase);
            long truncationsAtRoll = truncations;
            env.scheduler().scheduleOnce("flush-" + topicPartition, () -> {
                flushQuietly(newBase);
                writeSnapshotQuietly(previous, image, truncationsAtRoll);
            }, 0);
            return segment;
        } finally {
            appendLock.unlock();
        }
    }

    private void deleteStaleSegmentFiles(long baseOffset) {
        for (Path p : List.of(LogFileNames.logFile(dir, baseOffset), LogFileNames.offsetIndexFile(dir, baseOffset),
                LogFileNames.timeIndexFile(dir, baseOffset), LogFileNames.txnIndexFile(dir, baseOffset))) {
            try {
                if (Files.deleteIfExists(p)) {
                    log.warn("Deleted stale file {} before creating a segment at offset {}", p, baseOffset);
                }
            } catch (java.io.IOException e) {
                throw new KafkaStorageException("Cannot delete stale file " + p + ": " + e, e);
            }
        }
    }

    /**
     * Writes the snapshot taken at a roll once the segment before it is durable with its indexes (its
     * aborted-transaction index is trusted from then on), unless the log was truncated or closed since:
     * a truncation deletes the snapshots above its point under {@link #snapshotLock}, so a snapshot of a
     * log that no longer exists can never appear after it.
     */
    private void writeSnapshotQuietly(LogSegment previous, ProducerStateImage image, long truncationsAtRoll) {
        try {
            previous.flush(true);
            synchronized (snapshotLock) {
                if (closed || truncations != truncationsAtRoll || !segments.containsKey(image.offset())) {
                    return;
                }
                ProducerSnapshotFile.write(dir, image);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("Cannot write the producer-state snapshot of {} at offset {}: the next load replays from an "
                        + "older one", topicPartition, image.offset(), e);
            }
        }
    }

    private void flushQuietly(long upTo) {
        try {
            flush(upTo);
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("Background fsync of {} up to offset {} failed", this, upTo, e);
            }
        }
    }

    /**
     * Reads up to {@code maxBytes} from the batch that holds {@code startOffset}, never past the log end.
     *
     * @throws OffsetOutOfRangeException when {@code startOffset} is below the log start or above the log end
     */
    public FetchDataInfo read(long startOffset, int maxBytes, boolean minOneBatch) {
        return read(startOffset, maxBytes, logEnd, minOneBatch);
    }

    /**
     * Reads as {@link #read(long, int, boolean)}, but never at or past {@code upperBound} (the high
     * watermark, for consumers of a replicated partition).
     */
    public FetchDataInfo read(long startOffset, int maxBytes, LogOffsetMetadata upperBound, boolean minOneBatch) {
        LogOffsetMetadata end = logEnd;
        LogOffsetMetadata bound = upperBound.offset() > end.offset() ? end : upperBound;
        long start = logStartOffset;
        if (startOffset < start || startOffset > end.offset()) {
            throw new OffsetOutOfRangeException("Offset " + startOffset + " is out of range for " + topicPartition
                    + ": log start offset " + start + ", log end offset " + end.offset());
        }
        if (startOffset >= bound.offset()) {
            return emptyRead(startOffset, bound);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        if (entry == null) {
            entry = segments.firstEntry();
        }
        while (entry != null && entry.getKey() <= bound.segmentBaseOffset()) {
            LogSegment segment = entry.getValue();
            int maxPosition = bound.inSegment(segment.baseOffset()) ? bound.positionInSegment() : segment.size();
            FetchDataInfo info = segment.read(startOffset, maxBytes, maxPosition, minOneBatch);
            if (info != null) {
                return info;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return emptyRead(startOffset, bound);
    }

    private FetchDataInfo emptyRead(long offset, LogOffsetMetadata bound) {
        LogSegment segment = segments.floorEntry(Math.max(bound.segmentBaseOffset(), segments.firstKey())).getValue();
        return new FetchDataInfo(new LogOffsetMetadata(offset, bound.segmentBaseOffset(), bound.positionInSegment()),
                FileSlice.empty(segment.file(), segment.channel()));
    }

    /**
     * Where offset {@code offset} starts on disk, for bounding reads at it (the high watermark).
     *
     * @throws OffsetOutOfRangeException when it is outside the log
     */
    public LogOffsetMetadata offsetMetadata(long offset) {
        LogOffsetMetadata end = logEnd;
        if (offset == end.offset()) {
            return end;
        }
        FetchDataInfo info = read(offset, 1, false);
        return info.fetchOffsetMetadata();
    }

    /**
     * The first record at or after the log start whose timestamp is at least {@code timestamp}
     * (Kafka's ListOffsets by time), or empty when every record is older.
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        long end = logEnd.offset();
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestamp() == RecordBatch.NO_TIMESTAMP || segment.maxTimestamp() < timestamp) {
                continue;
            }
            TimestampOffset found = segment.findOffsetByTimestamp(timestamp, start);
            if (found != null && found.offset() < end) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /**
     * fsyncs every segment holding offsets below {@code upToOffset} and advances the recovery point.
     * Runs concurrently with appends; fsyncs serialize among themselves.
     */
    public void flush(long upToOffset) {
        flushThrough(Math.min(upToOffset, logEnd.offset()));
    }

    /** fsyncs every segment holding offsets below {@code target}, which the caller knows are written. */
    private void flushThrough(long target) {
        synchronized (flushLock) {
            long from = recoveryPoint;
            if (target <= from) {
                return;
            }
            long truncationsBefore = truncations;
            unflushedRecords.set(0);
            Long firstKey = segments.floorKey(from);
            ConcurrentNavigableMap<Long, LogSegment> dirty = firstKey == null
                    ? segments.headMap(target, false) : segments.subMap(firstKey, true, target, false);
            long activeBase = segments.lastKey();
            for (LogSegment segment : dirty.values()) {
                segment.flush(segment.baseOffset() != activeBase);
            }
            if (directoryDirty) {
                directoryDirty = false;
                try {
                    OffsetCheckpointFile.fsyncDirectory(dir);
                } catch (java.io.IOException e) {
                    directoryDirty = true;
                    throw new KafkaStorageException("Cannot fsync directory " + dir + ": " + e, e);
                }
            }
            synchronized (recoveryPointLock) {
                // a truncation while this fsync ran may have removed (and new appends replaced) what it covered
                if (truncations == truncationsBefore) {
                    recoveryPoint = Math.max(recoveryPoint, target);
                }
            }
            lastFlushMs = env.time().milliseconds();
        }
    }

    /** Lowers the recovery point to a new, smaller log end (under the append lock). */
    private void lowerRecoveryPointTo(long newEnd) {
        synchronized (recoveryPointLock) {
            truncations++;
            if (recoveryPoint > newEnd) {
                recoveryPoint = newEnd;
            }
        }
    }

    /** Flushes when {@code flush.ms} has passed since the last fsync; called by the log manager's scheduler. */
    public void flushIfDue(long now) {
        if (now - lastFlushMs >= config.flushIntervalMs() && recoveryPoint < logEnd.offset()) {
            flush(logEnd.offset());
        }
    }

    /**
     * Deletes whole inactive segments that retention no longer wants, oldest first: those wholly below
     * the log start offset, those older than {@code retention.ms}, and the oldest while the log exceeds
     * {@code retention.bytes}. The active segment is never deleted.
     *
     * @return segments deleted
     */
    public int deleteRetentionBreachedSegments() {
        LogConfig c = config;
        long now = env.time().milliseconds();
        int deleted = deleteOldestSegmentsWhile((segment, next) -> next.baseOffset() <= logStartOffset, "below the log start offset");
        if (!c.delete()) {
            return deleted; // cleanup.policy=compact: the log cleaner bounds the log, not retention
        }
        if (c.retentionMs() >= 0) {
            deleted += deleteOldestSegmentsWhile((segment, next) -> now - segment.largestTimestamp() > c.retentionMs(),
                    "older than retention.ms " + c.retentionMs());
        }
        if (c.retentionBytes() >= 0) {
            long[] excess = {size() - c.retentionBytes()};
            deleted += deleteOldestSegmentsWhile((segment, next) -> {
                if (excess[0] - segment.size() >= 0) {
                    excess[0] -= segment.size();
                    return true;
                }
                return false;
            }, "beyond retention.bytes " + c.retentionBytes());
        }
        return deleted;
    }

    private int deleteOldestSegmentsWhile(BiPredicate<LogSegment, LogSegment> deletable, String reason) {
        appendLock.lock();
        try {
            if (closed) {
                return 0;
            }
            List<LogSegment> doomed = new ArrayList<>();
            LogSegment previous = null;
            for (LogSegment segment : segments.values()) {
                if (previous != null) {
                    if (!deletable.test(previous, segment)) {
                        break;
                    }
                    doomed.add(previous);
                }
                previous = segment;
            }
            if (doomed.isEmpty()) {
                return 0;
            }
            for (LogSegment segment : doomed) {
                segments.remove(segment.baseOffset());
            }
            long newStart = segments.firstKey();
            if (newStart > logStartOffset) {
                logStartOffset = newStart;
            }
            deleteSnapshotsOutside(newStart, Long.MAX_VALUE);
            epochCache.truncateFromStart(logStartOffset);
            if (recoveryPoint < logStartOffset) {
                recoveryPoint = logStartOffset;
            }
            log.info("Deleting {} segment(s) of {} {}: {}; log start offset now {}", doomed.size(), topicPartition, reason,
                    doomed.stream().map(s -> s.baseOffset()).toList(), logStartOffset);
            scheduleDeletion(doomed);
            return doomed.size();
        } finally {
            appendLock.unlock();
        }
    }

    /** Renames segments to {@code .deleted} now and removes them after {@code log.segment.delete.delay.ms}. */
    private void scheduleDeletion(Collection<LogSegment> doomed) {
        for (LogSegment segment : doomed) {
            segment.markDeleted();
        }
        List<LogSegment> copy = List.copyOf(doomed);
        env.scheduler().scheduleOnce("delete-segments-" + topicPartition, () -> copy.forEach(LogSegment::delete),
                config.fileDeleteDelayMs());
    }

    /**
     * Makes {@code newStartOffset} the first readable offset (Kafka's DeleteRecords) and deletes the
     * segments wholly below it.
     *
     * @throws OffsetOutOfRangeException when it is beyond the log end
     */
    public void deleteRecordsBefore(long newStartOffset) {
        appendLock.lock();
        try {
            checkOpen();
            if (newStartOffset > logEnd.offset()) {
                throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                        + newStartOffset + ": log end offset is " + logEnd.offset());
            }
            if (newStartOffset > logStartOffset) {
                logStartOffset = newStartOffset;
                epochCache.truncateFromStart(logStartOffset);
            }
        } finally {
            appendLock.unlock();
        }
        deleteOldestSegmentsWhile((segment, next) -> next.baseOffset() <= logStartOffset, "below the log start offset");
    }

    /**
     * Removes every record at or after {@code targetOffset} (a replica diverging from its leader).
     * Whole batches only: a batch straddling the target goes too. Epochs that start at or after the
     * new log end leave the epoch cache even when no record goes: a replica that led an epoch
     * without appending to it has that epoch at its log end, which a follower must forget (it would
     * otherwise ask the leader about that epoch again and again).
     *
     * @return the new log end offset
     */
    public long truncateTo(long targetOffset) {
        appendLock.lock();
        try {
            checkOpen();
            if (targetOffset >= logEnd.offset()) {
                epochCache.truncateFromEnd(logEnd.offset());
                return logEnd.offset();
            }
            if (targetOffset < logStartOffset) {
                throw new OffsetOutOfRangeException("Cannot truncate " + topicPartition + " to offset " + targetOffset
                        + " below its log start offset " + logStartOffset);
            }
            List<LogSegment> doomed = new ArrayList<>(segments.tailMap(targetOffset, true).values());
            if (doomed.size() == segments.size()) {
                doomed.remove(0); // keep the first: it becomes the empty active segment
            }
            for (LogSegment segment : doomed) {
                segments.remove(segment.baseOffset());
            }
            scheduleDeletion(doomed);
            LogSegment last = activeSegment();
            last.truncateTo(targetOffset);
            long newEnd = last.readNextOffset();
            logEnd = new LogOffsetMetadata(newEnd, last.baseOffset(), last.size());
            lowerRecoveryPointTo(newEnd);
            truncatedTo.accumulateAndGet(newEnd, Math::min);
            epochCache.truncateFromEnd(newEnd);
            deleteSnapshotsOutside(Long.MIN_VALUE, newEnd);
            loadProducerState(newEnd);
            log.info("Truncated {} to offset {}; log end offset now {}", topicPartition, targetOffset, newEnd);
            return newEnd;
        } finally {
            appendLock.unlock();
        }
    }

    /** Deletes every segment and restarts the log empty at {@code newOffset}. */
    public void truncateFullyAndStartAt(long newOffset) {
        appendLock.lock();
        try {
            checkOpen();
            List<LogSegment> doomed = new ArrayList<>(segments.values());
            segments.clear();
            scheduleDeletion(doomed);
            deleteStaleSegmentFiles(newOffset);
            LogSegment segment = LogSegment.open(dir, newOffset, config, env.time(), env.opener());
            segments.put(newOffset, segment);
            directoryDirty = true;
            logEnd = new LogOffsetMetadata(newOffset, newOffset, 0);
            logStartOffset = newOffset;
            synchronized (recoveryPointLock) {
                truncations++;
                recoveryPoint = newOffset;
            }
            deleteSnapshotsOutside(newOffset, newOffset - 1); // every one
            producerState.clear();
            epochCache.clear();
            truncatedTo.accumulateAndGet(newOffset, Math::min);
            log.info("Truncated {} fully; log now starts at offset {}", topicPartition, newOffset);
        } finally {
            appendLock.unlock();
        }
    }

    /** Renames the directory of a closed log (for asynchronous deletion). */
    void renameDir(Path target) {
        appendLock.lock();
        try {
            Files.move(dir, target);
            dir = target;
        } catch (java.io.IOException e) {
            throw new KafkaStorageException("Cannot rename " + dir + " to " + target + ": " + e, e);
        } finally {
            appendLock.unlock();
        }
    }

    /** Deletes the producer-state snapshots outside [{@code from}, {@code to}] (with the segments they belong to). */
    private void deleteSnapshotsOutside(long from, long to) {
        synchronized (snapshotLock) {
            List<Long> deleted = ProducerSnapshotFile.deleteOutside(dir, from, to);
            if (!deleted.isEmpty()) {
                log.debug("Deleted producer-state snapshot(s) {} of {}", deleted, topicPartition);
            }
        }
    }

    /**
     * Forgets producers idle for {@code producer.id.expiration.ms} without an open transaction; called
     * by the log manager's scheduler.
     *
     * @return how many were forgotten
     */
    public int removeExpiredProducers(long expirationMs) {
        appendLock.lock();
        try {
            if (closed) {
                return 0;
            }
            List<Long> expired = producerState.removeExpired(env.time().milliseconds(), expirationMs);
            if (!expired.isEmpty()) {
                log.debug("Producer id(s) {} of {} expired after {} ms without a write", expired, topicPartition, expirationMs);
            }
            return expired.size();
        } finally {
            appendLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new KafkaStorageException(context() + " is closed");
        }
    }

    /** fsyncs everything, writes a producer-state snapshot at the log end and closes the segments. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes as {@link #close()} but writes no snapshot: what a killed process leaves (the log manager's
     * halt, for crash tests in one JVM).
     */
    void closeWithoutSnapshot() {
        close(false);
    }

    private void close(boolean snapshot) {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            flush(logEnd.offset());
            synchronized (snapshotLock) {
                try {
                    if (snapshot) {
                        // the active segment's aborted-transaction index is trusted below the snapshot from now on
                        activeSegment().txnIndex().flush();
                        ProducerSnapshotFile.write(dir, producerState.image(logEnd.offset()));
                    }
                } catch (KafkaStorageException e) {
                    log.warn("Cannot write the producer-state snapshot of {} at close: the next load replays from an "
                            + "older one", topicPartition, e);
                } finally {
                    closed = true;
                }
            }
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
        } finally {
            appendLock.unlock();
        }
    }

    /** Closes the segments without fsyncing: for a log being deleted. */
    void closeWithoutFlush() {
        appendLock.lock();
        try {
            closed = true;
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
        } finally {
            appendLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", dir=" + dir + ", start=" + logStartOffset + ", end=" + logEnd.offset()
                + ", recoveryPoint=" + recoveryPoint + ")";
    }
}
