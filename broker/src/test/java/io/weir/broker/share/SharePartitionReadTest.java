package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** What a share fetch reads and sends: about what it may acquire, and only the batches holding what it acquired. */
class SharePartitionReadTest {

    /** Batches of three records each: 0-2, 3-5, 6-8, 9-11. */
    private static MemoryRecords fourBatches() {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        for (long base = 0; base < 12; base += 3) {
            MemoryRecordsBuilder b = MemoryRecords.builder(buf, Compression.NONE, TimestampType.CREATE_TIME, base);
            for (int i = 0; i < 3; i++) {
                b.append(new SimpleRecord(("v" + (base + i)).getBytes()));
            }
            b.close();
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    private static List<Long> baseOffsets(MemoryRecords records) {
        List<Long> bases = new ArrayList<>();
        for (RecordBatch b : records.batches()) {
            bases.add(b.baseOffset());
        }
        return bases;
    }

    @Test
    void onlyTheBatchesHoldingAcquiredOffsetsAreSent() {
        MemoryRecords sent = SharePartition.covering(fourBatches(), List.of(new AcquiredRange(4, 5, 1), new AcquiredRange(7, 7, 2)));
        assertThat(baseOffsets(sent)).containsExactly(3L, 6L);
        List<Long> offsets = new ArrayList<>();
        sent.records().forEach(r -> offsets.add(r.offset()));
        assertThat(offsets).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void aReadWhollyAcquiredIsSentAsItIs() {
        MemoryRecords all = fourBatches();
        assertThat(SharePartition.covering(all, List.of(new AcquiredRange(0, 11, 1)))).isSameAs(all);
        assertThat(baseOffsets(SharePartition.covering(all, List.of(new AcquiredRange(11, 11, 1))))).containsExactly(9L);
        assertThat(baseOffsets(SharePartition.covering(all, List.of(new AcquiredRange(0, 0, 1))))).containsExactly(0L);
    }

    @Test
    void theReadIsSizedByTheRecordsWantedWithinBounds() {
        assertThat(SharePartition.readLimit(1)).isEqualTo(64 * 1024);
        assertThat(SharePartition.readLimit(500)).isEqualTo(500 * 4096);
        assertThat(SharePartition.readLimit(Integer.MAX_VALUE)).isEqualTo(8 * 1024 * 1024);
    }
}
