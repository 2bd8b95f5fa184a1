package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ReplicaFetcherThreadTest {

    /** Three batches of 10 records each, at offsets 0, 10, 20. */
    private static MemoryRecords threeBatches() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (int b = 0; b < 3; b++) {
            MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
                    TimestampType.CREATE_TIME, b * 10L);
            for (int i = 0; i < 10; i++) {
                builder.append(new SimpleRecord(1000L, ("k" + i).getBytes(), ("value-" + b + "-" + i).repeat(20).getBytes()));
            }
            builder.close();
        }
        buffer.flip();
        return MemoryRecords.readableRecords(buffer);
    }

    private static List<Long> baseOffsets(MemoryRecords records) {
        List<Long> out = new ArrayList<>();
        for (MutableRecordBatch b : records.batches()) {
            b.ensureValid();
            out.add(b.baseOffset());
        }
        return out;
    }

    @Test
    void aSliceCutInsideItsLastBatchKeepsOnlyTheWholeBatches() {
        MemoryRecords all = threeBatches();
        assertThat(baseOffsets(all)).containsExactly(0L, 10L, 20L);
        int firstTwo = 0;
        int n = 0;
        for (MutableRecordBatch b : all.batches()) {
            if (n++ < 2) {
                firstTwo += b.sizeInBytes();
            }
        }
        for (int cut : new int[] {firstTwo + 1, firstTwo + 30, all.sizeInBytes() - 1}) {
            ByteBuffer sliced = all.buffer().duplicate();
            sliced.limit(cut);
            MemoryRecords complete = ReplicaFetcherThread.completeBatches(MemoryRecords.readableRecords(sliced.slice()));
            assertThat(complete.sizeInBytes()).as("cut at %d", cut).isEqualTo(firstTwo);
            assertThat(baseOffsets(complete)).containsExactly(0L, 10L);
        }
        assertThat(ReplicaFetcherThread.completeBatches(all)).as("nothing cut: the same records").isSameAs(all);
        ByteBuffer tiny = all.buffer().duplicate();
        tiny.limit(20);
        assertThat(ReplicaFetcherThread.completeBatches(MemoryRecords.readableRecords(tiny.slice())).sizeInBytes())
                .as("not even one whole batch").isZero();
    }

    @Test
    void everyPartitionLeadsTheFetchRequestInTurn() {
        List<String> firsts = new ArrayList<>();
        for (long round = 0; round < 4; round++) {
            List<String> order = ReplicaFetcherThread.rotated(new ArrayList<>(List.of("a", "b", "c", "d")), round);
            assertThat(order).containsExactlyInAnyOrder("a", "b", "c", "d");
            firsts.add(order.get(0));
        }
        assertThat(firsts).containsExactly("a", "b", "c", "d");
        assertThat(ReplicaFetcherThread.rotated(new ArrayList<String>(), 7)).isEmpty();
    }
}
