package io.weir.broker.log;

import io.weir.broker.common.Time;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: a {@code .log} file of Kafka v2 record batches stored verbatim,
 * with its sparse {@link OffsetIndex} and {@link TimeIndex}. Offsets inside a segment are at least
 * its base offset and fit an int relative to it.
 *
 * <p>Invariants: {@code size} is the byte length of whole, valid batches; batches are stored in
 * strictly increasing offset order; every index entry points at the start of a batch below
 * {@code size}.
 *
 * <p>Threading: appends, truncation, recovery and close come from the owning {@link PartitionLog}
 * under its append lock. Reads ({@link #read}, {@link #findOffsetByTimestamp}) may run concurrently
 * with appends: they use positional I/O and are bounded by a size captured from the log end,
 * never by bytes still being written.
 */
public final class LogSegment implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);

    private final long baseOffset;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private volatile Path file;
    private volatile int size;
    private int bytesSinceLastIndexEntry;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar;
    /** When this segment started, for time-based rolling: see {@link #rollingTimestamp}. */
    private volatile long rollingTimestamp;
    /** Set when the log closes or deletes this segment; a channel closed otherwise (an interrupted thread) is an error. */
    private volatile boolean closedByLog;

    private LogSegment(Path file, long baseOffset, FileChannel channel, OffsetIndex offsetIndex, TimeIndex timeIndex,
                       TransactionIndex txnIndex, int indexIntervalBytes, long rollingTimestamp) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.offsetOfMaxTimestampSoFar = baseOffset;
        this.rollingTimestamp = rollingTimestamp;
    }

    /**
     * Opens (creating when absent) the segment with {@code baseOffset} in {@code dir}. The size is
     * the file's length; the caller recovers the segment when it may hold a torn tail.
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, Time time, FileChannelOpener opener) {
        return open(dir, baseOffset, "", config, time, opener);
    }

    /**
     * Opens the segment with {@code baseOffset} whose files carry {@code suffix} after their usual names
     * ({@code .cleaned} while the log cleaner writes it).
     */
    static LogSegment open(Path dir, long baseOffset, String suffix, LogConfig config, Time time, FileChannelOpener opener) {
        Path logFile = withSuffix(LogFileNames.logFile(dir, baseOffset), suffix);
        FileChannel channel = null;
        try {
            channel = opener.open(logFile);
            long length = channel.size();
            if (length > Integer.MAX_VALUE) {
                throw new KafkaStorageException("Segment " + logFile + " is " + length + " bytes, more than a segment may hold");
            }
            OffsetIndex offsetIndex = new OffsetIndex(withSuffix(LogFileNames.offsetIndexFile(dir, baseOffset), suffix),
                    baseOffset, config.maxIndexSize());
            TimeIndex timeIndex = new TimeIndex(withSuffix(LogFileNames.timeIndexFile(dir, baseOffset), suffix), baseOffset,
                    config.maxIndexSize());
            TransactionIndex txnIndex = TransactionIndex.open(withSuffix(LogFileNames.txnIndexFile(dir, baseOffset), suffix));
            LogSegment segment = new LogSegment(logFile, baseOffset, channel, offsetIndex, timeIndex, txnIndex,
                    config.indexIntervalBytes(), time.milliseconds());
            segment.size = (int) length;
            return segment;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new KafkaStorageException("Cannot open segment " + logFile + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel); // an index could not be opened: do not leak the log's channel
            throw e;
        }
    }

    private static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** When the segment started: its first batch's timestamp, or when it was created (for max.compaction.lag.ms). */
    long rollingTimestamp() {
        return rollingTimestamp;
    }

    public int size() {
        return size;
    }

    public Path file() {
        return file;
    }

    FileChannel channel() {
        return channel;
    }

    /** The aborted transactions whose ABORT markers this segment holds. */
    TransactionIndex txnIndex() {
        return txnIndex;
    }

    /** The largest record timestamp in the segment, or {@code NO_TIMESTAMP} when it holds none. */
    public long maxTimestamp() {
        return maxTimestampSoFar;
    }

    /**
     * The timestamp time retention compares with: the largest record timestamp, or the file's
     * modification time for a segment without timestamps.
     */
    long largestTimestamp() {
        long ts = maxTimestampSoFar;
        if (ts != RecordBatch.NO_TIMESTAMP) {
            return ts;
        }
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Whether the next append of {@code incomingBytes} ending at {@code lastOffset} must go to a new
     * segment: this one would outgrow {@code segment.bytes}, has been active longer than
     * {@code segment.ms}, has a full index, or cannot express {@code lastOffset} relative to its base.
     */
    boolean shouldRoll(int incomingBytes, long lastOffset, long now, LogConfig config) {
        if (size == 0) {
            return false;
        }
        return (long) size + incomingBytes > config.segmentBytes()
                || now - rollingTimestamp > config.segmentMs()
                || offsetIndex.isFull()
                || timeIndex.isFull()
                || lastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /**
     * Appends validated batches whose offsets are already assigned, then indexes them.
     *
     * @throws KafkaStorageException when the write fails; the file is cut back to its previous size
     */
    void append(AppendBatches batches) {
        ByteBuffer buf = batches.buffer().duplicate();
        int start = size;
        long firstOffset = batches.batches().get(0).baseOffset();
        try {
            long pos = start;
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
        } catch (IOException e) {
            rollbackFailedWrite(start, firstOffset, e);
        }
        List<MutableRecordBatch> list = batches.batches();
        int position = start;
        for (int i = 0; i < list.size(); i++) {
            MutableRecordBatch batch = list.get(i);
            int batchSize = batches.headers().get(i).sizeInBytes();
            index(batch.baseOffset(), batch.maxTimestamp(), position, batchSize);
            position += batchSize;
        }
        size = position;
    }

    private void rollbackFailedWrite(int start, long firstOffset, IOException cause) {
        String message = "Cannot append at offset " + firstOffset + " to " + file + " at position " + start + ": " + cause;
        try {
            channel.truncate(start);
        } catch (IOException e) {
            cause.addSuppressed(e);
            message += " (and cutting the file back to " + start + " bytes failed: " + e + ")";
        }
        throw new KafkaStorageException(message, cause);
    }

    private void index(long batchBaseOffset, long batchMaxTimestamp, int position, int batchSize) {
        if (batchMaxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = batchMaxTimestamp;
            offsetOfMaxTimestampSoFar = batchBaseOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batchBaseOffset, position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /** Position and header of a stored batch. */
    record StoredBatch(int position, BatchHeader header) {
    }

    private static ByteBuffer headerBuffer() {
        return ByteBuffer.allocate(BatchHeader.SIZE);
    }

    /** Reads the header at {@code position}, or null when fewer than a header's bytes lie below {@code limit}. */
    private BatchHeader readHeader(int position, int limit, ByteBuffer buf) throws IOException {
        if (position + BatchHeader.SIZE > limit) {
            return null;
        }
        buf.clear();
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                return null;
            }
            pos += n;
        }
        return BatchHeader.read(buf, 0);
    }

    /**
     * The first batch below {@code maxPosition} whose last offset is at least {@code offset}, searching
     * from the index entry at or before {@code offset}; null when there is none.
     */
    StoredBatch translateOffset(long offset, int maxPosition) {
        OffsetPosition start = offsetIndex.lookup(offset);
        ByteBuffer buf = headerBuffer();
        int position = start.position();
        try {
            while (true) {
                BatchHeader h = readHeader(position, maxPosition, buf);
                if (h == null) {
                    return null;
                }
                if (h.lastOffset() >= offset) {
                    return new StoredBatch(position, h);
                }
                position += h.sizeInBytes();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot search " + file + " for offset " + offset + ": " + e, e);
        }
    }

    /**
     * Reads from the batch holding {@code startOffset} up to {@code maxSize} bytes, never past
     * {@code maxPosition}. With {@code minOneBatch} the first batch is returned whole even when larger
     * than {@code maxSize}, so that a consumer always makes progress.
     *
     * @return null when no batch at or after {@code startOffset} lies below {@code maxPosition}
     */
    FetchDataInfo read(long startOffset, int maxSize, int maxPosition, boolean minOneBatch) {
        StoredBatch first = translateOffset(startOffset, maxPosition);
        if (first == null) {
            return null;
        }
        int available = maxPosition - first.position();
        int wanted = minOneBatch ? Math.max(maxSize, first.header().sizeInBytes()) : maxSize;
        int length = Math.min(available, wanted);
        LogOffsetMetadata at = new LogOffsetMetadata(startOffset, baseOffset, first.position());
        return new FetchDataInfo(at, new FileSlice(file, channel, first.position(), length));
    }

    /**
     * The first record at or after {@code startingOffset} whose timestamp is at least {@code timestamp},
     * or null when this segment holds none.
     */
    TimestampOffset findOffsetByTimestamp(long timestamp, long startingOffset) {
        TimestampOffset entry = timeIndex.lookup(timestamp);
        OffsetPosition from = offsetIndex.lookup(Math.max(entry.offset(), startingOffset));
        int limit = size;
        ByteBuffer buf = headerBuffer();
        int position = from.position();
        try {
            while (true) {
                BatchHeader h = readHeader(position, limit, buf);
                if (h == null) {
                    return null;
                }
                if (h.maxTimestamp() >= timestamp && h.lastOffset() >= startingOffset) {
                    for (Record r : readBatch(position, h.sizeInBytes())) {
                        if (r.timestamp() >= timestamp && r.offset() >= startingOffset) {
                            return new TimestampOffset(r.timestamp(), r.offset());
                        }
                    }
                }
                position += h.sizeInBytes();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot search " + file + " for timestamp " + timestamp + ": " + e, e);
        }
    }

    private MutableRecordBatch readBatch(int position, int length) throws IOException {
        ByteBuffer batch = ByteBuffer.allocate(length);
        readFully(batch, position);
        Iterator<MutableRecordBatch> it = MemoryRecords.readableRecords(batch.flip()).batches().iterator();
        if (!it.hasNext()) {
            throw new IOException("no whole batch at position " + position);
        }
        return it.next();
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("end of file at position " + pos);
            }
            pos += n;
        }
    }

    /** Calls {@code action} with the header of every stored batch, in order. */
    void forEachBatchHeader(java.util.function.Consumer<BatchHeader> action) {
        forEachStoredBatch(b -> action.accept(b.header()));
    }

    /** Calls {@code action} with the position and header of every stored batch, in order. */
    void forEachStoredBatch(java.util.function.Consumer<StoredBatch> action) {
        ByteBuffer buf = headerBuffer();
        int limit = size;
        int position = 0;
        try {
            BatchHeader h;
            while ((h = readHeader(position, limit, buf)) != null) {
                action.accept(new StoredBatch(position, h));
                position += h.sizeInBytes();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot scan " + file + ": " + e, e);
        }
    }

    /** The type of the control record in the control batch stored at {@code batch}. */
    org.apache.kafka.common.record.internal.ControlRecordType controlType(StoredBatch batch) {
        try {
            for (Record r : readBatch(batch.position(), batch.header().sizeInBytes())) {
                return org.apache.kafka.common.record.internal.ControlRecordType.parse(r.key());
            }
            return org.apache.kafka.common.record.internal.ControlRecordType.UNKNOWN;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read the control batch at offset " + batch.header().baseOffset()
                    + " of " + file + ": " + e, e);
        }
    }

    /** The offset after the last stored batch, or the base offset when empty. */
    long readNextOffset() {
        OffsetPosition from = offsetIndex.lastEntry();
        ByteBuffer buf = headerBuffer();
        int limit = size;
        int position = from.position();
        long next = baseOffset;
        try {
            BatchHeader h;
            while ((h = readHeader(position, limit, buf)) != null) {
                next = h.lastOffset() + 1;
                position += h.sizeInBytes();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read the end of " + file + ": " + e, e);
        }
        return next;
    }

    /**
     * Scans the whole file, CRC-checking every batch and rebuilding both indexes; the first batch that
     * is torn, corrupt or out of order ends the segment, and the file is cut there.
     *
     * @return bytes cut off the end
     */
    int recover(int maxBatchBytes) {
        offsetIndex.reset();
        timeIndex.reset();
        offsetIndex.ensureWritable();
        timeIndex.ensureWritable();
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        bytesSinceLastIndexEntry = 0;
        ByteBuffer headerBuf = headerBuffer();
        int position = 0;
        long previousLast = baseOffset - 1;
        String stopReason = null;
        try {
            long length = channel.size();
            int limit = (int) Math.min(length, Integer.MAX_VALUE);
            while (position < limit) {
                BatchHeader h = readHeader(position, limit, headerBuf);
                stopReason = checkRecoveredHeader(h, position, limit, previousLast, maxBatchBytes);
                if (stopReason != null) {
                    break;
                }
                MutableRecordBatch batch = readBatch(position, h.sizeInBytes());
                if (!batch.isValid()) {
                    stopReason = "CRC mismatch in the batch at offset " + h.baseOffset();
                    break;
                }
                if (position == 0) {
                    rollingTimestamp = batch.maxTimestamp();
                }
                index(h.baseOffset(), batch.maxTimestamp(), position, h.sizeInBytes());
                position += h.sizeInBytes();
                previousLast = h.lastOffset();
            }
            int truncated = (int) (length - position);
            if (truncated > 0) {
                log.warn("Recovery of {} cut {} bytes at position {} after offset {}: {}", file, truncated, position,
                        previousLast, stopReason);
                channel.truncate(position);
            }
            size = position;
            return truncated;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot recover " + file + " at position " + position + ": " + e, e);
        }
    }

    private String checkRecoveredHeader(BatchHeader h, int position, int limit, long previousLast, int maxBatchBytes) {
        if (h == null) {
            return "torn batch header (" + (limit - position) + " bytes)";
        }
        if (!h.isV2()) {
            return "unknown magic " + h.magic();
        }
        if (h.sizeInBytes() < BatchHeader.SIZE || h.sizeInBytes() > Math.max(maxBatchBytes, limit - position)) {
            return "implausible batch length " + h.sizeInBytes();
        }
        if (position + h.sizeInBytes() > limit) {
            return "torn batch: declares " + h.sizeInBytes() + " bytes, " + (limit - position) + " on disk";
        }
        if (h.baseOffset() <= previousLast || h.lastOffset() < h.baseOffset()
                || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
            return "batch offsets " + h.baseOffset() + ".." + h.lastOffset() + " out of order after " + previousLast;
        }
        return null;
    }

    /**
     * Loads the in-memory state of a segment whose indexes are trusted: the largest timestamp (from the
     * time index and a scan of the batches after the last offset-index entry) and the segment's start time.
     */
    void loadState() {
        TimestampOffset lastTime = timeIndex.lastEntry();
        maxTimestampSoFar = lastTime.timestamp();
        offsetOfMaxTimestampSoFar = lastTime.offset();
        OffsetPosition from = offsetIndex.lastEntry();
        ByteBuffer buf = headerBuffer();
        int limit = size;
        int position = from.position();
        try {
            BatchHeader first = readHeader(0, limit, buf);
            if (first != null && first.maxTimestamp() != RecordBatch.NO_TIMESTAMP && first.maxTimestamp() <= rollingTimestamp) {
                rollingTimestamp = first.maxTimestamp();
            }
            BatchHeader h;
            bytesSinceLastIndexEntry = 0;
            while ((h = readHeader(position, limit, buf)) != null) {
                if (h.maxTimestamp() > maxTimestampSoFar) {
                    maxTimestampSoFar = h.maxTimestamp();
                    offsetOfMaxTimestampSoFar = h.baseOffset();
                }
                bytesSinceLastIndexEntry += h.sizeInBytes();
                position += h.sizeInBytes();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot load " + file + ": " + e, e);
        }
    }

    /** Checks both indexes against the log; null when consistent, else what is wrong. */
    String sanityCheckIndexes() {
        String problem = offsetIndex.sanityCheck(size);
        if (problem == null) {
            problem = checkIndexedBatch(0);
        }
        if (problem == null) {
            problem = checkIndexedBatch(offsetIndex.entries() - 1);
        }
        if (problem != null) {
            return offsetIndex.file() + ": " + problem;
        }
        problem = timeIndex.sanityCheck(size);
        if (problem == null && timeIndex.entries() > 0) {
            long next = readNextOffset(); // trustworthy now that the offset index is
            TimestampOffset last = timeIndex.lastEntry();
            if (last.offset() >= next) {
                problem = "last entry (" + last.timestamp() + " -> " + last.offset() + ") is past the segment's last offset "
                        + (next - 1);
            }
        }
        return problem == null ? null : timeIndex.file() + ": " + problem;
    }

    /**
     * Whether offset-index entry {@code n} points at the start of the batch with its offset. Only the first
     * and last entries are read at load (one header each): the last is what the log end is read from, and
     * reading every entry would make startup proportional to the data.
     */
    private String checkIndexedBatch(int n) {
        if (n < 0 || n >= offsetIndex.entries()) {
            return null;
        }
        OffsetPosition e = offsetIndex.entry(n);
        try {
            BatchHeader h = readHeader(e.position(), size, headerBuffer());
            if (h == null || !h.isV2() || h.baseOffset() != e.offset()) {
                return "entry " + n + " (" + e.offset() + "@" + e.position() + ") does not point at the batch with that offset";
            }
            return null;
        } catch (IOException ex) {
            throw new KafkaStorageException("Cannot check the index of " + file + ": " + ex, ex);
        }
    }

    /**
     * Removes every batch holding an offset at or after {@code offset} (a batch is never split, so a
     * batch straddling {@code offset} goes too).
     *
     * @return bytes removed
     */
    int truncateTo(long offset) {
        offsetIndex.ensureWritable();
        timeIndex.ensureWritable();
        StoredBatch first = translateOffset(offset, size);
        if (first == null) {
            return 0;
        }
        int removed = size - first.position();
        offsetIndex.truncateTo(first.header().baseOffset());
        timeIndex.truncateTo(first.header().baseOffset());
        try {
            channel.truncate(first.position());
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot truncate " + file + " to position " + first.position() + " (offset "
                    + offset + "): " + e, e);
        }
        size = first.position();
        txnIndex.truncateTo(offset);
        loadState();
        return removed;
    }

    /** Called when a newer segment takes the appends: records the final time-index entry and trims both indexes. */
    void onBecomeInactive() {
        if (!timeIndex.isFull() && maxTimestampSoFar != RecordBatch.NO_TIMESTAMP) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    /** Makes trimmed indexes growable again: the segment is the active one after a restart. */
    void resumeAppends() {
        offsetIndex.ensureWritable();
        timeIndex.ensureWritable();
    }

    /** fsyncs the log and both indexes. */
    void flush() {
        flush(true);
    }

    /**
     * fsyncs the log, and the indexes when {@code withIndexes}. The active segment's indexes need no
     * fsync: recovery after a crash rebuilds them from the log (it rescans the segment holding the
     * recovery point), and a clean close syncs them.
     */
    void flush(boolean withIndexes) {
        try {
            if (closedByLog) {
                return; // closed or deleted by the log meanwhile: nothing left to make durable
            }
            channel.force(false);
            if (withIndexes) {
                offsetIndex.flush();
                timeIndex.flush();
                txnIndex.flush();
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            if (!closedByLog) {
                throw new KafkaStorageException("Cannot fsync " + file + ": its channel was closed (by an interrupted thread?)", e);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot fsync " + file + ": " + e, e);
        }
    }

    /** Renames the segment's files with {@link LogFileNames#DELETED_SUFFIX}; they stay open and readable. */
    void markDeleted() {
        changeFileSuffixes("", LogFileNames.DELETED_SUFFIX);
    }

    /**
     * Renames every file of the segment from {@code <name><oldSuffix>} to {@code <name><newSuffix>}: the
     * indexes first, the {@code .log} file last, so that a log file carrying a suffix means its indexes
     * carry it too or are already gone. Each rename is atomic and replaces a left-over target.
     */
    void changeFileSuffixes(String oldSuffix, String newSuffix) {
        try {
            txnIndex.renameTo(renamed(txnIndex.file(), oldSuffix, newSuffix));
            timeIndex.renameTo(renamed(timeIndex.file(), oldSuffix, newSuffix));
            offsetIndex.renameTo(renamed(offsetIndex.file(), oldSuffix, newSuffix));
            Path target = renamed(file, oldSuffix, newSuffix);
            Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            file = target;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot rename the files of segment " + file + " from suffix '" + oldSuffix
                    + "' to '" + newSuffix + "': " + e, e);
        }
    }

    private static Path renamed(Path file, String oldSuffix, String newSuffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalStateException(file + " does not end with '" + oldSuffix + "'");
        }
        return file.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
    }

    /** Reads the whole batch stored at {@code batch}, as records holding that one batch. */
    MemoryRecords readStored(StoredBatch batch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(batch.header().sizeInBytes());
            readFully(buf, batch.position());
            return MemoryRecords.readableRecords(buf.flip());
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read the batch at offset " + batch.header().baseOffset() + " of " + file
                    + ": " + e, e);
        }
    }

    /** Closes the channel and removes the files. */
    void delete() {
        closedByLog = true;
        closeQuietly(channel);
        try {
            Files.deleteIfExists(file);
            offsetIndex.deleteIfExists();
            timeIndex.deleteIfExists();
            txnIndex.deleteIfExists();
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot delete segment " + file + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closedByLog = true;
        if (!channel.isOpen()) {
            return;
        }
        if (maxTimestampSoFar != RecordBatch.NO_TIMESTAMP && !timeIndex.isFull()) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex.close();
        timeIndex.close();
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("Closing a segment channel failed", e);
        }
    }

    @Override
    public String toString() {
        return "LogSegment(" + file + ", baseOffset=" + baseOffset + ", size=" + size + ")";
    }
}
