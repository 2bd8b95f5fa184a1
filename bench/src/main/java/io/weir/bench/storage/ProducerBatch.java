package io.weir.bench.storage;

import io.weir.broker.common.Time;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One uncompressed v2 record batch as a producer sends it (base offset 0, no keys), holding as
 * many records with {@code valueSize}-byte values as fit in {@link #TARGET_BYTES}: the producer's
 * default {@code batch.size}. Values are random bytes from a fixed seed; every record has the
 * same timestamp, so the time index gains no entries after the first batch.
 *
 * <p>The benchmarks append the same bytes again and again. That is sound because the broker only
 * rewrites the base offset and partition leader epoch, which the CRC does not cover, so the batch
 * stays valid. Each append must get its own {@link #view()}: the engine moves the buffer it is
 * given. Two threads must not append the same instance at once (the header rewrite would race
 * with the other thread's validation), so concurrent benchmarks take a {@link #copy()} each.
 */
public final class ProducerBatch {
    /** The Kafka producer's default batch.size. */
    public static final int TARGET_BYTES = 16 * 1024;

    private final ByteBuffer bytes;
    private final int recordCount;
    private final int valueSize;

    private ProducerBatch(ByteBuffer bytes, int recordCount, int valueSize) {
        this.bytes = bytes;
        this.recordCount = recordCount;
        this.valueSize = valueSize;
    }

    /** The fullest batch of {@code valueSize}-byte records that fits in {@link #TARGET_BYTES}, in a heap or direct buffer. */
    public static ProducerBatch of(int valueSize, boolean direct) {
        long timestamp = Time.SYSTEM.milliseconds();
        byte[] value = new byte[valueSize];
        new SplittableRandom(valueSize).nextBytes(value);
        // Start from a guess and walk to the largest count that fits: the per-record overhead
        // (varints) depends on the count, so it is simplest to try.
        int count = Math.max(1, TARGET_BYTES / (valueSize + 8));
        while (count > 1 && build(value, count, timestamp).remaining() > TARGET_BYTES) {
            count--;
        }
        while (build(value, count + 1, timestamp).remaining() <= TARGET_BYTES) {
            count++;
        }
        ByteBuffer heap = build(value, count, timestamp);
        if (heap.remaining() > TARGET_BYTES) {
            throw new IllegalArgumentException("A single record with a " + valueSize + "-byte value exceeds "
                    + TARGET_BYTES + " bytes");
        }
        ByteBuffer stored = direct ? ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip() : heap;
        return new ProducerBatch(stored, count, valueSize);
    }

    private static ByteBuffer build(byte[] value, int count, long timestamp) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(TARGET_BYTES + 1024),
                RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < count; i++) {
            b.append(timestamp, null, value);
        }
        ByteBuffer built = b.build().buffer();
        // exactly the batch, in a buffer of its own size
        return ByteBuffer.allocate(built.remaining()).put(built).flip();
    }

    /** A fresh view of the batch for one append; the engine may rewrite its header in place. */
    public MemoryRecords view() {
        return MemoryRecords.readableRecords(bytes.duplicate());
    }

    /** The batch bytes (position 0, limit the size), a fresh duplicate for one raw write. */
    public ByteBuffer duplicate() {
        return bytes.duplicate();
    }

    /** An independent copy in the same kind of buffer, for another thread. */
    public ProducerBatch copy() {
        ByteBuffer src = bytes.duplicate();
        ByteBuffer dst = bytes.isDirect() ? ByteBuffer.allocateDirect(src.remaining()) : ByteBuffer.allocate(src.remaining());
        return new ProducerBatch(dst.put(src).flip(), recordCount, valueSize);
    }

    public int sizeInBytes() {
        return bytes.limit();
    }

    public int recordCount() {
        return recordCount;
    }

    public int valueSize() {
        return valueSize;
    }

    public boolean isDirect() {
        return bytes.isDirect();
    }
}
