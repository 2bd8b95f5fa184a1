package io.weir.broker.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * The record batches of one append, checked before they may touch the log: every byte belongs to
 * a whole v2 batch, each batch's CRC matches, no batch exceeds {@code max.message.bytes}, and (for
 * batches from producers) the records inside are consecutive and as many as the header says.
 *
 * <p>Validation is pure CPU work on the caller's thread, done before the partition's append lock is
 * taken. The batches are views over the caller's buffer: assigning offsets rewrites their headers in
 * place (never re-encoding the records). Not thread-safe; owned by one append.
 */
public final class AppendBatches {
    private final ByteBuffer buffer;
    private final List<MutableRecordBatch> batches;
    private final List<BatchHeader> headers;
    private final int recordCount;
    private final long offsetCount;

    private AppendBatches(ByteBuffer buffer, List<MutableRecordBatch> batches, List<BatchHeader> headers,
                          int recordCount, long offsetCount) {
        this.buffer = buffer;
        this.batches = batches;
        this.headers = headers;
        this.recordCount = recordCount;
        this.offsetCount = offsetCount;
    }

    /**
     * Validates the batches in {@code records} between its position and limit.
     *
     * @param maxBatchBytes  {@code max.message.bytes}
     * @param checkRecords   also iterate the records (offsets consecutive, count matching, max timestamp
     *                       right): for batches from producers; replicated batches were checked by their leader
     * @param context        names the partition (and log directory) in error messages
     * @throws CorruptRecordException  truncated data, bad length, unknown magic or CRC mismatch
     * @throws InvalidRecordException  a v0/v1 batch, an empty batch, or records that disagree with their header
     * @throws RecordTooLargeException a batch larger than {@code maxBatchBytes}
     */
    public static AppendBatches validate(MemoryRecords records, int maxBatchBytes, boolean checkRecords, String context) {
        ByteBuffer buffer = records.buffer().duplicate();
        int start = buffer.position();
        int end = buffer.limit();
        if (end == start) {
            throw new InvalidRecordException(context + ": the append holds no record batch");
        }
        List<BatchHeader> headers = new ArrayList<>(1);
        int pos = start;
        while (pos < end) {
            BatchHeader h = readHeader(buffer, pos, end - pos, pos - start, maxBatchBytes, checkRecords, context);
            headers.add(h);
            pos += h.sizeInBytes();
        }
        ByteBuffer exact = buffer.slice(start, end - start);
        List<MutableRecordBatch> batches = new ArrayList<>(headers.size());
        int recordCount = 0;
        long offsetCount = 0;
        int i = 0;
        int batchPosition = 0;
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(exact).batches()) {
            BatchHeader h = headers.get(i++);
            try {
                batch.ensureValid();
            } catch (CorruptRecordException e) {
                throw new CorruptRecordException(context + ": batch at byte " + batchPosition + " (" + h.sizeInBytes()
                        + " bytes): " + e.getMessage());
            }
            if (checkRecords) {
                checkRecords(batch, h, exact, batchPosition, context);
            }
            batches.add(batch);
            recordCount += h.recordCount();
            offsetCount += h.lastOffsetDelta() + 1L;
            batchPosition += h.sizeInBytes();
        }
        if (batches.size() != headers.size()) {
            throw new CorruptRecordException(context + ": found " + batches.size() + " batches where the headers declare "
                    + headers.size());
        }
        return new AppendBatches(exact, Collections.unmodifiableList(batches), Collections.unmodifiableList(headers),
                recordCount, offsetCount);
    }

    private static BatchHeader readHeader(ByteBuffer buf, int at, int remaining, int relative, int maxBatchBytes,
                                          boolean fromProducer, String context) {
        if (remaining < BatchHeader.SIZE) {
            throw new CorruptRecordException(context + ": truncated batch header at byte " + relative + ": " + remaining
                    + " bytes left, a v2 batch header needs " + BatchHeader.SIZE);
        }
        BatchHeader h = BatchHeader.read(buf, at);
        if (h.magic() == RecordBatch.MAGIC_VALUE_V0 || h.magic() == RecordBatch.MAGIC_VALUE_V1) {
            throw new InvalidRecordException(context + ": batch at byte " + relative + " has magic " + h.magic()
                    + " (message format v0/v1), which is not supported; only v2 batches are accepted");
        }
        if (!h.isV2()) {
            throw new CorruptRecordException(context + ": batch at byte " + relative + " has unknown magic " + h.magic());
        }
        if (h.sizeInBytes() < BatchHeader.SIZE) {
            throw new CorruptRecordException(context + ": batch at byte " + relative + " declares " + h.sizeInBytes()
                    + " bytes, less than the " + BatchHeader.SIZE + "-byte header");
        }
        if (h.sizeInBytes() > maxBatchBytes) {
            throw new RecordTooLargeException(context + ": batch at byte " + relative + " is " + h.sizeInBytes()
                    + " bytes, larger than max.message.bytes " + maxBatchBytes);
        }
        if (h.sizeInBytes() > remaining) {
            throw new CorruptRecordException(context + ": truncated batch at byte " + relative + ": declares "
                    + h.sizeInBytes() + " bytes, " + remaining + " remain");
        }
        // a producer batch holds records; a replicated one may be empty (the cleaner keeps a producer's last batch so)
        if (h.recordCount() < 0 || (fromProducer && h.recordCount() == 0) || h.lastOffsetDelta() < 0) {
            throw new InvalidRecordException(context + ": batch at byte " + relative + " declares " + h.recordCount()
                    + " records and last offset delta " + h.lastOffsetDelta());
        }
        return h;
    }

    private static void checkRecords(MutableRecordBatch batch, BatchHeader h, ByteBuffer buffer, int batchPosition,
                                     String context) {
        if (h.lastOffsetDelta() != h.recordCount() - 1) {
            throw new InvalidRecordException(context + ": batch at byte " + batchPosition + " declares " + h.recordCount()
                    + " records but last offset delta " + h.lastOffsetDelta());
        }
        if (batch.compressionType() == org.apache.kafka.common.record.internal.CompressionType.NONE) {
            UncompressedRecords.Result walked = UncompressedRecords.walk(buffer, batchPosition, h.sizeInBytes());
            if (walked.problem() != null) {
                throw new InvalidRecordException(context + ": batch at byte " + batchPosition + " " + walked.problem());
            }
            if (batch.timestampType() == TimestampType.CREATE_TIME && batch.maxTimestamp() != walked.maxTimestamp()) {
                batch.setMaxTimestamp(TimestampType.CREATE_TIME, walked.maxTimestamp());
            }
            return;
        }
        long expected = batch.baseOffset();
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        int count = 0;
        String problem = null;
        try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                if (r.offset() != expected) {
                    problem = "record " + count + " has offset delta " + (r.offset() - batch.baseOffset()) + ", expected " + count;
                    break;
                }
                maxTimestamp = Math.max(maxTimestamp, r.timestamp());
                expected++;
                count++;
            }
        } catch (InvalidRecordException e) {
            problem = "declares " + h.recordCount() + " records but they do not decode: " + e.getMessage();
        } catch (KafkaException e) {
            throw new CorruptRecordException(context + ": batch at byte " + batchPosition + " cannot be decoded: " + e.getMessage());
        }
        if (problem != null) {
            throw new InvalidRecordException(context + ": batch at byte " + batchPosition + " " + problem);
        }
        if (count != h.recordCount()) {
            throw new InvalidRecordException(context + ": batch at byte " + batchPosition + " declares " + h.recordCount()
                    + " records but holds " + count);
        }
        if (batch.timestampType() == TimestampType.CREATE_TIME && batch.maxTimestamp() != maxTimestamp) {
            batch.setMaxTimestamp(TimestampType.CREATE_TIME, maxTimestamp);
        }
    }

    /** The validated bytes, exactly the batches. */
    ByteBuffer buffer() {
        return buffer;
    }

    List<MutableRecordBatch> batches() {
        return batches;
    }

    List<BatchHeader> headers() {
        return headers;
    }

    public int sizeInBytes() {
        return buffer.remaining();
    }

    public int recordCount() {
        return recordCount;
    }

    /** Offsets the batches span (equal to the record count for producer batches). */
    long offsetCount() {
        return offsetCount;
    }
}
