package io.weir.broker.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks the records of an uncompressed v2 batch in place, without decoding them into objects: the
 * append path validates every producer batch, and per-record allocation cost a third of the write
 * bandwidth with small records.
 *
 * <p>Record layout (after the 61-byte batch header, {@code recordsCount} times):
 * <pre>
 * length: varint   (bytes that follow)
 * attributes: int8
 * timestampDelta: varlong   (relative to the batch's base timestamp)
 * offsetDelta: varint       (must be 0, 1, 2, … in order)
 * key, value, headers …     (skipped: {@code length} bounds them)
 * </pre>
 * The records must fill the batch exactly. Stateless; thread-safe.
 */
final class UncompressedRecords {
    private static final int RECORDS_START = BatchHeader.SIZE;
    private static final int BASE_TIMESTAMP = 27;
    private static final int RECORDS_COUNT = 57;

    /** What the walk found: the largest record timestamp, or a problem. */
    record Result(long maxTimestamp, String problem) {
    }

    private UncompressedRecords() {
    }

    /** Walks the batch of {@code size} bytes at absolute position {@code start} of {@code buf}. */
    static Result walk(ByteBuffer buf, int start, int size) {
        int end = start + size;
        long baseTimestamp = buf.getLong(start + BASE_TIMESTAMP);
        int count = buf.getInt(start + RECORDS_COUNT);
        int pos = start + RECORDS_START;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        int[] cursor = new int[1];
        for (int i = 0; i < count; i++) {
            if (pos >= end) {
                return problem("declares " + count + " records but holds " + i);
            }
            cursor[0] = pos;
            long length = readVarint(buf, cursor, end);
            int bodyStart = cursor[0];
            if (length < 3 || bodyStart + length > end) {
                return problem("record " + i + " declares " + length + " bytes, past the end of the batch");
            }
            int recordEnd = (int) (bodyStart + length);
            cursor[0] = bodyStart + 1; // attributes
            long timestampDelta = readVarlong(buf, cursor, recordEnd);
            long offsetDelta = readVarint(buf, cursor, recordEnd);
            if (timestampDelta == Long.MIN_VALUE || offsetDelta == Long.MIN_VALUE) {
                return problem("record " + i + " is truncated");
            }
            if (offsetDelta != i) {
                return problem("record " + i + " has offset delta " + offsetDelta + ", expected " + i);
            }
            maxTimestamp = Math.max(maxTimestamp, baseTimestamp + timestampDelta);
            pos = recordEnd;
        }
        if (pos != end) {
            return problem("declares " + count + " records but " + (end - pos) + " bytes follow them");
        }
        return new Result(maxTimestamp, null);
    }

    private static Result problem(String what) {
        return new Result(RecordBatch.NO_TIMESTAMP, what);
    }

    /** A zig-zag varint; Long.MIN_VALUE when it runs past {@code limit} or is longer than 5 bytes. */
    private static long readVarint(ByteBuffer buf, int[] cursor, int limit) {
        int value = 0;
        int shift = 0;
        int pos = cursor[0];
        while (pos < limit && shift <= 28) {
            byte b = buf.get(pos++);
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                cursor[0] = pos;
                return (value >>> 1) ^ -(value & 1);
            }
            shift += 7;
        }
        return Long.MIN_VALUE;
    }

    /** A zig-zag varlong; Long.MIN_VALUE when it runs past {@code limit} or is longer than 10 bytes. */
    private static long readVarlong(ByteBuffer buf, int[] cursor, int limit) {
        long value = 0;
        int shift = 0;
        int pos = cursor[0];
        while (pos < limit && shift <= 63) {
            byte b = buf.get(pos++);
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                cursor[0] = pos;
                return (value >>> 1) ^ -(value & 1);
            }
            shift += 7;
        }
        return Long.MIN_VALUE;
    }
}
