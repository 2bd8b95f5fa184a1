package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class AppendBatchesTest {
    private static final String CTX = "Partition t-0 in /data/t-0";

    private static MemoryRecords twoBatches() {
        MemoryRecords a = TestRecords.batch("a", 3, 1000);
        MemoryRecords b = TestRecords.batch("b", 2, 2000);
        ByteBuffer buf = ByteBuffer.allocate(a.sizeInBytes() + b.sizeInBytes());
        buf.put(a.buffer().duplicate()).put(b.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(buf);
    }

    private static MemoryRecords copyOf(MemoryRecords r) {
        ByteBuffer buf = ByteBuffer.allocate(r.sizeInBytes());
        buf.put(r.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(buf);
    }

    @Test
    void acceptsWellFormedBatches() {
        AppendBatches v = AppendBatches.validate(twoBatches(), 1 << 20, true, CTX);
        assertThat(v.batches()).hasSize(2);
        assertThat(v.recordCount()).isEqualTo(5);
        assertThat(v.offsetCount()).isEqualTo(5);
    }

    @Test
    void acceptsCompressedBatches() {
        AppendBatches v = AppendBatches.validate(TestRecords.batch("z", 50, 1, Compression.gzip().build()), 1 << 20, true, CTX);
        assertThat(v.recordCount()).isEqualTo(50);
    }

    @Test
    void crcMismatchIsCorruptWithPosition() {
        MemoryRecords r = twoBatches();
        int firstSize = TestRecords.batch("a", 3, 1000).sizeInBytes();
        ByteBuffer buf = r.buffer();
        int at = firstSize + BatchHeader.SIZE + 3; // a byte inside the second batch's records
        buf.put(at, (byte) (buf.get(at) ^ 0x5a));
        assertThatThrownBy(() -> AppendBatches.validate(r, 1 << 20, true, CTX))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining(CTX)
                .hasMessageContaining("batch at byte " + firstSize);
    }

    @Test
    void oldMagicIsRefusedAsInvalid() {
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        // a v1 message set is shorter than a v2 header: pad so that the magic check is what fails
        ByteBuffer padded = ByteBuffer.allocate(Math.max(v1.sizeInBytes(), 100));
        padded.put(v1.buffer().duplicate());
        padded.putInt(8, padded.capacity() - 12);
        padded.position(0);
        assertThatThrownBy(() -> AppendBatches.validate(MemoryRecords.readableRecords(padded), 1 << 20, true, CTX))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("magic 1");
    }

    @Test
    void unknownMagicIsCorrupt() {
        MemoryRecords r = copyOf(TestRecords.batch("m", 2, 5));
        r.buffer().put(16, (byte) 7);
        assertThatThrownBy(() -> AppendBatches.validate(r, 1 << 20, true, CTX))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("unknown magic 7");
    }

    @Test
    void truncatedHeaderAndTruncatedBatchAreCorrupt() {
        MemoryRecords whole = TestRecords.batch("t", 4, 5);
        ByteBuffer shortHeader = whole.buffer().duplicate();
        shortHeader.limit(40);
        assertThatThrownBy(() -> AppendBatches.validate(MemoryRecords.readableRecords(shortHeader.slice()), 1 << 20, true, CTX))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated batch header at byte 0");
        ByteBuffer shortBody = whole.buffer().duplicate();
        shortBody.limit(whole.sizeInBytes() - 1);
        assertThatThrownBy(() -> AppendBatches.validate(MemoryRecords.readableRecords(shortBody.slice()), 1 << 20, true, CTX))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated batch at byte 0");
    }

    @Test
    void trailingGarbageIsCorruptNotIgnored() {
        MemoryRecords r = TestRecords.batch("g", 2, 5);
        ByteBuffer buf = ByteBuffer.allocate(r.sizeInBytes() + 10);
        buf.put(r.buffer().duplicate()).clear();
        assertThatThrownBy(() -> AppendBatches.validate(MemoryRecords.readableRecords(buf), 1 << 20, true, CTX))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("at byte " + r.sizeInBytes());
    }

    @Test
    void oversizedBatchIsTooLarge() {
        MemoryRecords r = TestRecords.sized(10, 1000, 5);
        assertThatThrownBy(() -> AppendBatches.validate(r, 5000, true, CTX))
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("max.message.bytes 5000");
    }

    @Test
    void emptyAppendIsInvalid() {
        assertThatThrownBy(() -> AppendBatches.validate(MemoryRecords.EMPTY, 1 << 20, true, CTX))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("no record batch");
    }

    @Test
    void headerCountDisagreeingWithRecordsIsInvalid() {
        MemoryRecords r = copyOf(TestRecords.batch("c", 3, 5));
        // claim 4 records and last offset delta 3 while 3 are stored; fix the CRC so only the count is wrong
        r.buffer().putInt(57, 4);
        r.buffer().putInt(23, 3);
        fixCrc(r.buffer());
        assertThatThrownBy(() -> AppendBatches.validate(r, 1 << 20, true, CTX))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("declares 4 records");
    }

    @Test
    void wrongHeaderMaxTimestampIsCorrected() {
        MemoryRecords r = copyOf(TestRecords.batch("ts", 3, 777));
        r.buffer().putLong(35, 1);
        fixCrc(r.buffer());
        AppendBatches v = AppendBatches.validate(r, 1 << 20, true, CTX);
        assertThat(v.batches().get(0).maxTimestamp()).isEqualTo(777);
        assertThat(v.batches().get(0).isValid()).isTrue();
    }

    @Test
    void logAppendTimeBatchesAreAccepted() {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
                TimestampType.LOG_APPEND_TIME, 0L, 42L);
        b.append(42L, null, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(AppendBatches.validate(b.build(), 1 << 20, true, CTX).recordCount()).isEqualTo(1);
    }

    static void fixCrc(ByteBuffer batch) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        ByteBuffer body = batch.duplicate();
        body.position(21);
        crc.update(body);
        batch.putInt(17, (int) crc.getValue());
    }
}
