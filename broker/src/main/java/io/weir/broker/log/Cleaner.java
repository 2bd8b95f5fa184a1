package io.weir.broker.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetentionResult;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaning pass over one compacted log (Kafka's semantics, our own code).
 *
 * <ol>
 *   <li>The dirty section, from the first uncleaned offset to the first uncleanable one, is read into an
 *       {@link OffsetMap}: key → offset of its latest record. Whole segments only; the pass stops at a
 *       segment the map could no longer hold, and the rest waits for the next pass. Aborted transactional
 *       batches and control batches do not enter the map.</li>
 *   <li>Every segment from the log start up to where the map ends is rewritten, in groups of consecutive
 *       segments that fit one segment: a record stays when its key's latest offset is not later than its
 *       own. A tombstone (null value) stays until its batch's delete horizon ({@code delete.retention.ms}
 *       after the pass that first saw it, stored in the batch header as Kafka does, KIP-534). Records of
 *       aborted transactions go; transaction markers go once their transaction is wholly gone and their
 *       horizon has passed ({@link CleanerTransactions}). The last data batch of each producer stays, empty
 *       if need be, so producer state survives. Records without a key go (a compacted topic refuses them
 *       at produce; older ones may predate the policy).</li>
 *   <li>Each group is written to a {@code .cleaned} segment, fsynced, and swapped in atomically
 *       ({@link PartitionLog#replaceSegments}). Offsets keep their values: cleaning leaves gaps.</li>
 * </ol>
 *
 * <p>Not thread-safe: one per cleaner thread; it reuses its map and buffers across logs.
 */
final class Cleaner {
    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

    /** Thrown when the cleaner is told to stop in the middle of a pass. */
    static final class CleanerStoppedException extends RuntimeException {
        CleanerStoppedException() {
            super("log cleaner stopping", null, false, false);
        }
    }

    /**
     * What a pass did.
     *
     * @param endOffset           the offset below which the log is now clean (the next pass's first dirty offset)
     * @param bytesRead           bytes read while building the map and rewriting
     * @param bytesWritten        bytes of the cleaned segments
     * @param recordsRead         records examined while rewriting
     * @param recordsRetained     records kept
     * @param nextDeleteHorizonMs the earliest delete horizon still pending in the clean section (a later pass
     *                            may then remove a tombstone or marker), or Long.MAX_VALUE
     * @param swapped             false when the log changed under the pass and its result was discarded
     */
    record Result(long endOffset, long bytesRead, long bytesWritten, long recordsRead, long recordsRetained,
                  long nextDeleteHorizonMs, boolean swapped) {
    }

    private final OffsetMap map;
    private final Throttler throttler;
    private final BooleanSupplier stopping;

    Cleaner(OffsetMap map, Throttler throttler, BooleanSupplier stopping) {
        this.map = map;
        this.throttler = throttler;
        this.stopping = stopping;
    }

    /**
     * Cleans {@code partitionLog} from its start, deduplicating against the records in
     * [{@code firstDirtyOffset}, {@code firstUncleanableOffset}).
     */
    Result clean(PartitionLog partitionLog, long firstDirtyOffset, long firstUncleanableOffset) throws InterruptedException {
        long truncationsAtStart = partitionLog.truncationCount();
        long now = partitionLog.environment().time().milliseconds();
        LogConfig config = partitionLog.config();
        List<LogSegment> all = partitionLog.segments();
        List<LogSegment> cleanable = new ArrayList<>();
        for (int i = 0; i + 1 < all.size(); i++) {
            if (all.get(i + 1).baseOffset() <= firstUncleanableOffset) {
                cleanable.add(all.get(i)); // the whole segment lies below the uncleanable offset
            }
        }
        long[] read = {0};
        long endOffset = buildOffsetMap(partitionLog, all, cleanable.size(), firstDirtyOffset, firstUncleanableOffset, read);
        endOffset = Math.max(endOffset, firstDirtyOffset); // nothing dirty: a pass over the clean section (delete horizons)
        List<LogSegment> toClean = new ArrayList<>();
        for (LogSegment s : cleanable) {
            if (s.baseOffset() < endOffset) {
                toClean.add(s);
            }
        }
        if (toClean.isEmpty()) {
            return new Result(firstDirtyOffset, read[0], 0, 0, 0, Long.MAX_VALUE, true);
        }
        Map<Long, Long> lastDataOffsets = partitionLog.lastDataOffsetsOfProducers();
        CleanerTransactions txns = new CleanerTransactions(
                partitionLog.collectAbortedTransactions(partitionLog.logStartOffset(), endOffset));
        Pass pass = new Pass(txns, lastDataOffsets, now, config.deleteRetentionMs());
        long written = 0;
        boolean swapped = true;
        for (List<LogSegment> group : groupSegments(toClean, endOffset, config)) {
            written += cleanGroup(partitionLog, group, pass, truncationsAtStart, read);
            if (!pass.swapped) {
                swapped = false;
                break;
            }
        }
        return new Result(endOffset, read[0], written, pass.recordsRead, pass.recordsRetained, pass.nextDeleteHorizonMs,
                swapped);
    }

    /**
     * Fills the map from the dirty segments; returns the offset where it stopped: the first uncleanable
     * offset, or the base of the first segment that no longer fit.
     */
    private long buildOffsetMap(PartitionLog partitionLog, List<LogSegment> all, int cleanable, long firstDirtyOffset,
                                long firstUncleanableOffset, long[] read) throws InterruptedException {
        map.clear();
        CleanerTransactions txns = new CleanerTransactions(
                partitionLog.collectAbortedTransactions(firstDirtyOffset, firstUncleanableOffset));
        long end = firstDirtyOffset;
        boolean any = false;
        for (int i = 0; i < cleanable; i++) {
            LogSegment segment = all.get(i);
            long segmentEnd = all.get(i + 1).baseOffset();
            if (segmentEnd <= firstDirtyOffset) {
                continue;
            }
            long[] offsets = {0};
            segment.forEachBatchHeader(h -> offsets[0] += h.lastOffset() - h.baseOffset() + 1);
            if (!map.canHold(offsets[0])) {
                if (!any) {
                    throw new IllegalStateException(partitionLog.topicPartition() + ": segment " + segment.file() + " holds up to "
                            + offsets[0] + " keys, more than the cleaner's key map holds (" + map.maxEntries()
                            + "); raise log.cleaner.dedupe.buffer.size");
                }
                return end;
            }
            List<LogSegment.StoredBatch> batches = new ArrayList<>();
            segment.forEachStoredBatch(batches::add);
            for (LogSegment.StoredBatch stored : batches) {
                checkStopping();
                if (stored.header().lastOffset() < firstDirtyOffset) {
                    continue;
                }
                MutableRecordBatch batch = segment.readStored(stored).batches().iterator().next();
                read[0] += stored.header().sizeInBytes();
                throttler.maybeThrottle(stored.header().sizeInBytes());
                if (batch.isControlBatch()) {
                    txns.onControlBatch(batch, controlType(batch), new ArrayList<>());
                    continue;
                }
                if (txns.onDataBatch(batch)) {
                    continue; // aborted: its keys must not hide earlier committed values
                }
                for (Record r : batch) {
                    if (r.hasKey() && r.offset() >= firstDirtyOffset) {
                        map.put(r.key(), r.offset());
                    }
                }
            }
            end = segmentEnd;
            any = true;
        }
        return end;
    }

    /** Consecutive segments whose total size fits one segment and whose offsets fit its relative range. */
    static List<List<LogSegment>> groupSegments(List<LogSegment> segments, long endOffset, LogConfig config) {
        List<List<LogSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            List<LogSegment> group = new ArrayList<>();
            group.add(segments.get(i));
            long size = segments.get(i).size();
            long base = segments.get(i).baseOffset();
            i++;
            while (i < segments.size()) {
                LogSegment s = segments.get(i);
                long lastPossible = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() - 1 : endOffset - 1;
                if (size + s.size() > config.segmentBytes() || lastPossible - base > Integer.MAX_VALUE) {
                    break;
                }
                group.add(s);
                size += s.size();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    private long cleanGroup(PartitionLog partitionLog, List<LogSegment> group, Pass pass, long truncationsAtStart,
                            long[] read) throws InterruptedException {
        LogEnvironment env = partitionLog.environment();
        long base = group.get(0).baseOffset();
        Path dir = partitionLog.dir();
        deleteLeftOvers(dir, base);
        LogSegment cleaned = LogSegment.open(dir, base, LogFileNames.CLEANED_SUFFIX, partitionLog.config(), env.time(),
                env.opener());
        boolean done = false;
        try {
            for (LogSegment segment : group) {
                List<LogSegment.StoredBatch> batches = new ArrayList<>();
                segment.forEachStoredBatch(batches::add);
                for (LogSegment.StoredBatch stored : batches) {
                    checkStopping();
                    MemoryRecords batch = segment.readStored(stored);
                    read[0] += stored.header().sizeInBytes();
                    ByteBuffer out = pass.filter(batch, stored.header().sizeInBytes());
                    if (out.hasRemaining()) {
                        MemoryRecords records = MemoryRecords.readableRecords(out);
                        AppendBatches appended = AppendBatches.validate(records, Integer.MAX_VALUE, false,
                                "Cleaned " + partitionLog.topicPartition());
                        cleaned.append(appended);
                        for (MutableRecordBatch kept : records.batches()) {
                            // a horizon still ahead is worth a pass when it comes; one already behind marks a batch
                            // that keeps the flag but holds nothing time can remove (its tombstones went)
                            kept.deleteHorizonMs().ifPresent(h -> {
                                if (h > pass.currentTime) {
                                    pass.nextDeleteHorizonMs = Math.min(pass.nextDeleteHorizonMs, h);
                                }
                            });
                        }
                        throttler.maybeThrottle(stored.header().sizeInBytes() + appended.sizeInBytes());
                    } else {
                        throttler.maybeThrottle(stored.header().sizeInBytes());
                    }
                    for (AbortedTxn t : pass.retainedAborts) {
                        cleaned.txnIndex().append(t);
                    }
                    pass.retainedAborts.clear();
                }
            }
            cleaned.onBecomeInactive();
            cleaned.flush();
            int written = cleaned.size();
            if (!partitionLog.replaceSegments(group, cleaned, truncationsAtStart)) {
                log.info("{} changed while segments {} were cleaned; the result is discarded", partitionLog.topicPartition(),
                        group.stream().map(LogSegment::baseOffset).toList());
                pass.swapped = false;
                return 0;
            }
            done = true;
            log.debug("Cleaned {} segments {} into {} ({} bytes)", partitionLog.topicPartition(),
                    group.stream().map(LogSegment::baseOffset).toList(), cleaned.file(), written);
            return written;
        } finally {
            if (!done) {
                cleaned.delete();
            }
        }
    }

    private static void deleteLeftOvers(Path dir, long base) {
        for (Path p : List.of(LogFileNames.logFile(dir, base), LogFileNames.offsetIndexFile(dir, base),
                LogFileNames.timeIndexFile(dir, base), LogFileNames.txnIndexFile(dir, base))) {
            try {
                java.nio.file.Files.deleteIfExists(p.resolveSibling(p.getFileName() + LogFileNames.CLEANED_SUFFIX));
            } catch (java.io.IOException e) {
                throw new KafkaStorageException("Cannot delete left-over cleaned file of " + p + ": " + e, e);
            }
        }
    }

    private void checkStopping() {
        if (stopping.getAsBoolean()) {
            throw new CleanerStoppedException();
        }
    }

    static ControlRecordType controlType(RecordBatch batch) {
        for (Record r : batch) {
            return ControlRecordType.parse(r.key());
        }
        return ControlRecordType.UNKNOWN;
    }

    /** The retention decisions of one pass, fed batch by batch in offset order. */
    private final class Pass extends RecordFilter {
        private final CleanerTransactions txns;
        private final Map<Long, Long> lastDataOffsets;
        final List<AbortedTxn> retainedAborts = new ArrayList<>();
        long recordsRead;
        long recordsRetained;
        long nextDeleteHorizonMs = Long.MAX_VALUE;
        boolean swapped = true;
        private boolean discardRecords;

        Pass(CleanerTransactions txns, Map<Long, Long> lastDataOffsets, long now, long deleteRetentionMs) {
            super(now, deleteRetentionMs);
            this.txns = txns;
            this.lastDataOffsets = lastDataOffsets;
        }

        ByteBuffer filter(MemoryRecords batch, int size) {
            MemoryRecords.FilterResult result = batch.filterTo(this, ByteBuffer.allocate(size), BufferSupplier.NO_CACHING, Integer.MAX_VALUE);
            recordsRead += result.messagesRead();
            recordsRetained += result.messagesRetained();
            return result.outputBuffer().flip();
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            boolean canDiscard;
            if (batch.isControlBatch()) {
                canDiscard = txns.onControlBatch(batch, controlType(batch), retainedAborts);
                discardRecords = canDiscard && batch.deleteHorizonMs().isPresent()
                        && batch.deleteHorizonMs().getAsLong() <= currentTime;
            } else {
                canDiscard = txns.onDataBatch(batch);
                discardRecords = canDiscard;
            }
            boolean lastOfProducer = batch.hasProducerId() && !batch.isControlBatch()
                    && Long.valueOf(batch.lastOffset()).equals(lastDataOffsets.get(batch.producerId()));
            BatchRetention retention = lastOfProducer ? BatchRetention.RETAIN_EMPTY
                    : discardRecords ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
            return new BatchRetentionResult(retention, canDiscard && batch.isControlBatch());
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (discardRecords) {
                return false;
            }
            if (batch.isControlBatch()) {
                return true;
            }
            if (!record.hasKey()) {
                return false;
            }
            long latest = map.get(record.key());
            if (latest > record.offset()) {
                return false; // a later record has this key
            }
            if (!record.hasValue() && batch.deleteHorizonMs().isPresent()) {
                return currentTime < batch.deleteHorizonMs().getAsLong(); // a tombstone past its horizon goes
            }
            return true;
        }
    }
}
