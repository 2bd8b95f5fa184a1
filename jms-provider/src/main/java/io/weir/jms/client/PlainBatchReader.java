package io.weir.jms.client;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import io.weir.jms.message.WireHeaders;

/**
 * Reads the records of one uncompressed record batch (format v2) straight from its bytes, the way a share member
 * needs them: key and value copied out, header keys read as strings through a small cache of the keys seen before (the
 * JMS headers a Weir producer writes on every message, the application's property names), header values as arrays.
 * kafka-clients' own reader makes two buffer slices and a header object per header and leaves each key to be decoded
 * from UTF-8 at its first use, so every message paid for a dozen small strings and their hash codes again.
 *
 * <p>The batch's checksum is verified by the caller first ({@code ensureValid}); a record that does not fit the batch
 * or whose declared length does not match its content is an {@link InvalidRecordException}, as kafka-clients reports.
 * Compressed batches and older formats are read with kafka-clients' iterator ({@link #readable}).
 *
 * <p>Not thread-safe: one reader per batch and thread. The key cache is shared; its entries are immutable.
 */
final class PlainBatchReader implements RecordCursor {
    /** Format v2: the records follow the 61-byte batch header. */
    private static final int RECORDS_OFFSET = 61;
    private static final Header[] NO_HEADERS = new Header[0];
    private static final int KEY_SLOTS = 1024;
    private static final int KEY_MAX_CACHED = 64;
    /**
     * Header keys by a hash of their bytes. The keys a Weir producer writes hold their slots for good (and are the very
     * {@link WireHeaders} strings, which the codec then finds by identity); any other key takes a free slot or the one
     * the last other key took.
     */
    private static final KeyEntry[] KEYS = new KeyEntry[KEY_SLOTS];
    static final java.util.List<String> PINNED_KEYS = java.util.List.of(WireHeaders.BODY_TYPE, WireHeaders.MESSAGE_ID,
            WireHeaders.TIMESTAMP, WireHeaders.CORRELATION_ID, WireHeaders.CORRELATION_ID_BYTES, WireHeaders.REPLY_TO,
            WireHeaders.DESTINATION, WireHeaders.DELIVERY_MODE, WireHeaders.EXPIRATION, WireHeaders.DELIVERY_TIME,
            WireHeaders.PRIORITY, WireHeaders.TYPE, WireHeaders.PROPERTY_TYPES, WireHeaders.CONTENT_TYPE);

    static {
        for (String k : PINNED_KEYS) {
            byte[] bytes = k.getBytes(StandardCharsets.UTF_8);
            int slot = slotOf(bytes);
            if (KEYS[slot] == null) { // a collision would only cost the second key its cache slot (PlainBatchReaderTest: none)
                KEYS[slot] = new KeyEntry(bytes, k, true);
            }
        }
    }

    private record KeyEntry(byte[] bytes, String key, boolean pinned) {
    }

    /** The cache slot of a key's bytes. */
    static int slotOf(byte[] key) {
        return hash(ByteBuffer.wrap(key), 0, key.length) & (KEY_SLOTS - 1);
    }

    /** Whether the cache holds {@code key} in its slot (for tests). */
    static boolean cached(String key) {
        KeyEntry e = KEYS[slotOf(key.getBytes(StandardCharsets.UTF_8))];
        return e != null && e.key == key;
    }

    private final DefaultRecordBatch batch;
    private final ByteBuffer in;
    private final int count;
    /** The batch's records carry its append time (its max timestamp), as kafka-clients reads them. */
    private final boolean logAppendTime;
    private int read;

    // the record last read by next()
    private long offset;
    private long timestamp;
    private int keySize;
    private int valueSize;
    private byte[] key;
    private byte[] value;
    private Header[] headers;

    /**
     * @param records    the bytes the batch is in (a {@code MemoryRecords}' buffer), not modified
     * @param batchStart where the batch starts in {@code records}
     */
    PlainBatchReader(ByteBuffer records, int batchStart, DefaultRecordBatch batch) {
        this.batch = batch;
        this.in = records.duplicate();
        this.in.limit(batchStart + batch.sizeInBytes()).position(batchStart + RECORDS_OFFSET);
        Integer n = batch.countOrNull();
        this.count = n == null ? 0 : n;
        this.logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
    }

    /** Whether this reader reads {@code batch}: uncompressed, format v2. */
    static boolean readable(RecordBatch batch) {
        return batch instanceof DefaultRecordBatch && batch.magic() >= RecordBatch.MAGIC_VALUE_V2 && batch.compressionType() == CompressionType.NONE
                && batch.countOrNull() != null;
    }

    /** Reads the next record; false when the batch has no more. */
    @Override
    public boolean next() {
        if (read == count) {
            if (in.hasRemaining()) {
                throw new InvalidRecordException("The batch at offset " + batch.baseOffset() + " declares " + count
                        + " records but holds " + in.remaining() + " more bytes");
            }
            return false;
        }
        try {
            int length = varint();
            int start = in.position();
            if (length < 0 || length > in.remaining()) {
                throw new InvalidRecordException("A record of the batch at offset " + batch.baseOffset() + " declares "
                        + length + " bytes, " + in.remaining() + " remain");
            }
            in.get(); // attributes: none defined for records
            long timestampDelta = org.apache.kafka.common.utils.internals.ByteUtils.readVarlong(in);
            int offsetDelta = varint();
            offset = batch.baseOffset() + offsetDelta;
            timestamp = logAppendTime ? batch.maxTimestamp() : batch.baseTimestamp() + timestampDelta;
            keySize = varint();
            key = bytes(keySize);
            valueSize = varint();
            value = bytes(valueSize);
            int n = varint();
            if (n < 0 || n > in.remaining()) { // a header takes two bytes at least
                throw new InvalidRecordException("Found invalid number of record headers " + n);
            }
            headers = n == 0 ? NO_HEADERS : new Header[n];
            for (int i = 0; i < n; i++) {
                int size = varint();
                if (size < 0) {
                    throw new InvalidRecordException("Invalid negative header key size " + size);
                }
                String k = headerKey(size);
                headers[i] = new RecordHeader(k, bytes(varint()));
            }
            if (in.position() - start != length) {
                throw new InvalidRecordException("A record of the batch at offset " + batch.baseOffset() + " declares "
                        + length + " bytes but holds " + (in.position() - start));
            }
            read++;
            return true;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new InvalidRecordException("A record of the batch at offset " + batch.baseOffset() + " runs past the batch: " + e);
        }
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    /** The key's size as written, -1 for none. */
    @Override
    public int keySize() {
        return key == null ? -1 : keySize;
    }

    @Override
    public int valueSize() {
        return value == null ? -1 : valueSize;
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public byte[] value() {
        return value;
    }

    @Override
    public Header[] headers() {
        return headers;
    }

    private int varint() {
        return org.apache.kafka.common.utils.internals.ByteUtils.readVarint(in);
    }

    private byte[] bytes(int size) {
        if (size < 0) {
            return null;
        }
        if (size > in.remaining()) { // checked before allocating: a corrupt length is not an OutOfMemoryError
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[size];
        in.get(b);
        return b;
    }

    /** A header key of {@code size} bytes at the read position, from the cache when seen before. */
    private String headerKey(int size) {
        if (size > in.remaining()) {
            throw new BufferUnderflowException();
        }
        int at = in.position();
        if (size > KEY_MAX_CACHED) {
            return new String(bytes(size), StandardCharsets.UTF_8);
        }
        int slot = hash(in, at, size) & (KEY_SLOTS - 1);
        KeyEntry e = KEYS[slot];
        if (e != null && same(e.bytes, in, at, size)) {
            in.position(at + size);
            return e.key;
        }
        byte[] b = bytes(size);
        String k = new String(b, StandardCharsets.UTF_8);
        if (e == null || !e.pinned) {
            KEYS[slot] = new KeyEntry(b, k, false); // an immutable entry, safely shared
        }
        return k;
    }

    private static int hash(ByteBuffer b, int at, int size) {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + b.get(at + i);
        }
        return h ^ (h >>> 16);
    }

    private static boolean same(byte[] bytes, ByteBuffer b, int at, int size) {
        if (bytes.length != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (bytes[i] != b.get(at + i)) {
                return false;
            }
        }
        return true;
    }
}
