package io.weir.jms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.Test;

/** {@link PlainBatchReader} reads every record exactly as kafka-clients' own iterator does, and refuses what it refuses. */
class PlainBatchReaderTest {
    private static final String[] KEYS = {"jms.message-id", "jms.timestamp", "jms.destination", "region", "größe", "", "trace-id"};

    @Test
    void readsWhatKafkaClientsReadsFromRandomBatches() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<MemoryRecords> parts = new ArrayList<>();
            long offset = random.nextInt(1_000_000);
            for (int b = 0; b < 3; b++) {
                boolean appendTime = random.nextInt(4) == 0;
                MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(256 * 1024), RecordBatch.CURRENT_MAGIC_VALUE,
                        Compression.NONE, appendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME, offset,
                        appendTime ? 1_700_000_000_000L + round : RecordBatch.NO_TIMESTAMP);
                int n = 1 + random.nextInt(40);
                for (int i = 0; i < n; i++) {
                    offset += 1 + (random.nextInt(5) == 0 ? random.nextInt(3) : 0); // gaps, as after compaction
                    builder.appendWithOffset(offset, 1_600_000_000_000L + random.nextInt(1_000_000), bytesOrNull(random, 20),
                            bytesOrNull(random, 3000), headers(random));
                }
                parts.add(builder.build());
                offset += 10;
            }
            MemoryRecords all = concat(parts);
            int at = all.buffer().position();
            for (MutableRecordBatch batch : all.batches()) {
                assertThat(PlainBatchReader.readable(batch)).isTrue();
                PlainBatchReader reader = new PlainBatchReader(all.buffer(), at, (DefaultRecordBatch) batch);
                for (Record expected : batch) {
                    assertThat(reader.next()).isTrue();
                    assertThat(reader.offset()).isEqualTo(expected.offset());
                    assertThat(reader.timestamp()).isEqualTo(expected.timestamp());
                    assertThat(reader.keySize()).isEqualTo(expected.keySize());
                    assertThat(reader.valueSize()).isEqualTo(expected.valueSize());
                    assertThat(reader.key()).isEqualTo(RecordCursor.Iterated.array(expected.key()));
                    assertThat(reader.value()).isEqualTo(RecordCursor.Iterated.array(expected.value()));
                    assertThat(reader.headers()).hasSize(expected.headers().length);
                    for (int h = 0; h < expected.headers().length; h++) {
                        assertThat(reader.headers()[h].key()).isEqualTo(expected.headers()[h].key());
                        assertThat(reader.headers()[h].value()).isEqualTo(expected.headers()[h].value());
                    }
                }
                assertThat(reader.next()).isFalse();
                at += batch.sizeInBytes();
            }
        }
    }

    @Test
    void headerKeysSeenBeforeAreTheSameStringsAndNewOnesAreRead() {
        MemoryRecords records = MemoryRecords.withRecords(0L, Compression.NONE,
                new org.apache.kafka.common.record.internal.SimpleRecord(1L, null, "a".getBytes(StandardCharsets.UTF_8),
                        new Header[] {new RecordHeader("jms.timestamp", "1".getBytes(StandardCharsets.UTF_8)),
                                new RecordHeader("colour-" + System.nanoTime(), null)}));
        DefaultRecordBatch batch = (DefaultRecordBatch) records.batches().iterator().next();
        PlainBatchReader reader = new PlainBatchReader(records.buffer(), records.buffer().position(), batch);
        assertThat(reader.next()).isTrue();
        assertThat(reader.headers()[0].key()).isSameAs(io.weir.jms.message.WireHeaders.TIMESTAMP);
        assertThat(reader.headers()[1].key()).startsWith("colour-");
        assertThat(reader.headers()[1].value()).isNull();
    }

    @Test
    void theHeaderKeysOfAWeirProducerEachHoldACacheSlotOfTheirOwn() {
        assertThat(PlainBatchReader.PINNED_KEYS.stream().map(k -> PlainBatchReader.slotOf(k.getBytes(StandardCharsets.UTF_8))).distinct())
                .hasSize(PlainBatchReader.PINNED_KEYS.size());
        PlainBatchReader.PINNED_KEYS.forEach(k -> assertThat(PlainBatchReader.cached(k)).as(k).isTrue());
    }

    @Test
    void aBatchDeclaringMoreOrFewerRecordsThanItHoldsIsInvalidAsKafkaClientsSays() {
        for (int delta : new int[] {1, -1}) {
            MemoryRecords records = miscounted(delta);
            DefaultRecordBatch batch = (DefaultRecordBatch) records.batches().iterator().next();
            batch.ensureValid(); // the checksum covers the count: recomputed, so only the structure is wrong
            assertThatThrownBy(() -> {
                for (Record r : batch) {
                    r.offset();
                }
            }).as("kafka-clients").isInstanceOf(InvalidRecordException.class);
            PlainBatchReader reader = new PlainBatchReader(records.buffer(), records.buffer().position(), batch);
            assertThatThrownBy(() -> {
                while (reader.next()) {
                    reader.offset();
                }
            }).as("count %+d", delta).isInstanceOf(InvalidRecordException.class);
        }
    }

    @Test
    void aLengthLargerThanTheBatchIsInvalidNotAnAllocation() {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.NONE, TimestampType.CREATE_TIME, 0);
        builder.append(1L, null, "v".getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = builder.build().buffer();
        int start = b.position();
        // the record: length varint, attributes, timestamp delta, offset delta, key length (-1), value length (1)
        int valueLength = start + 61 + 1 + 1 + 1 + 1 + 1;
        assertThat(b.get(valueLength)).isEqualTo((byte) 2); // zig-zag 1
        b.put(valueLength, (byte) 0xFE).put(valueLength + 1, (byte) 0xFF); // no longer a one-byte varint: a huge value length
        b.putInt(start + 17, (int) Crc32C.compute(b, start + 21, b.limit() - start - 21));
        MemoryRecords records = MemoryRecords.readableRecords(b);
        DefaultRecordBatch batch = (DefaultRecordBatch) records.batches().iterator().next();
        PlainBatchReader reader = new PlainBatchReader(records.buffer(), records.buffer().position(), batch);
        assertThatThrownBy(reader::next).isInstanceOf(InvalidRecordException.class);
    }

    /** A batch of three records whose record count says {@code 3 + delta}, with its checksum made to match. */
    private static MemoryRecords miscounted(int delta) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.NONE, TimestampType.CREATE_TIME, 0);
        for (int i = 0; i < 3; i++) {
            builder.append(1L, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer b = builder.build().buffer();
        int start = b.position();
        b.putInt(start + 57, 3 + delta); // records count
        b.putInt(start + 17, (int) Crc32C.compute(b, start + 21, b.limit() - start - 21)); // CRC of attributes .. end
        return MemoryRecords.readableRecords(b);
    }

    private static byte[] bytesOrNull(Random random, int max) {
        if (random.nextInt(5) == 0) {
            return null;
        }
        byte[] b = new byte[random.nextInt(max)];
        random.nextBytes(b);
        return b;
    }

    private static Header[] headers(Random random) {
        Header[] h = new Header[random.nextInt(6)];
        for (int i = 0; i < h.length; i++) {
            String key = random.nextInt(10) == 0 ? "k" + random.nextInt(100_000) : KEYS[random.nextInt(KEYS.length)];
            h[i] = new RecordHeader(key, bytesOrNull(random, 40));
        }
        return h;
    }

    /** The parts one after another, in a buffer where they start at position 7 (a batch need not start at 0). */
    private static MemoryRecords concat(List<MemoryRecords> parts) {
        int size = parts.stream().mapToInt(MemoryRecords::sizeInBytes).sum();
        ByteBuffer all = ByteBuffer.allocate(size + 7);
        all.position(7);
        for (MemoryRecords m : parts) {
            all.put(m.buffer().duplicate());
        }
        all.position(7).limit(7 + size);
        return MemoryRecords.readableRecords(all);
    }
}
