package io.weir.broker.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Builds record batches as a producer would (base offset 0), for tests. */
public final class TestRecords {
    private TestRecords() {
    }

    /** One uncompressed batch of {@code count} records "prefix-i", all with {@code timestamp}. */
    public static MemoryRecords batch(String prefix, int count, long timestamp) {
        return batch(prefix, count, timestamp, Compression.NONE);
    }

    public static MemoryRecords batch(String prefix, int count, long timestamp, Compression compression) {
        ByteBuffer buf = ByteBuffer.allocate(1024 + count * (64 + prefix.length()));
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, compression,
                TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < count; i++) {
            b.append(timestamp, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** One uncompressed batch of {@code count} records of {@code valueSize} bytes each. */
    public static MemoryRecords sized(int count, int valueSize, long timestamp) {
        ByteBuffer buf = ByteBuffer.allocate(1024 + count * (valueSize + 32));
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        byte[] value = new byte[valueSize];
        for (int i = 0; i < count; i++) {
            value[0] = (byte) i;
            b.append(timestamp, null, value);
        }
        return b.build();
    }
}
