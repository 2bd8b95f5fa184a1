package io.weir.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.PartitionLog;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

/** The benchmarks' central assumption: one batch, appended again and again, stays a valid append. */
class ProducerBatchTest {

    @Test
    void fillsSixteenKibWithRecordsOfTheAskedSize() {
        ProducerBatch small = ProducerBatch.of(100, false);
        ProducerBatch large = ProducerBatch.of(1024, true);

        assertThat(small.sizeInBytes()).isBetween(ProducerBatch.TARGET_BYTES - 200, ProducerBatch.TARGET_BYTES);
        assertThat(small.recordCount()).isBetween(140, 160);
        assertThat(large.sizeInBytes()).isBetween(ProducerBatch.TARGET_BYTES - 1100, ProducerBatch.TARGET_BYTES);
        assertThat(large.recordCount()).isEqualTo(15);
        assertThat(large.isDirect()).isTrue();
    }

    @Test
    void theSameBufferAppendedTwiceGetsConsecutiveOffsetsAndStaysValid() {
        ProducerBatch batch = ProducerBatch.of(100, false);
        try (BenchLog bench = BenchLog.create("test", 1024 * 1024, false)) {
            PartitionLog log = bench.log();
            LogAppendInfo first = log.appendAsLeader(batch.view(), 0);
            LogAppendInfo second = log.appendAsLeader(batch.view(), 0);

            assertThat(first.firstOffset()).isZero();
            assertThat(second.firstOffset()).isEqualTo(batch.recordCount());
            ByteBuffer stored = log.read(0, Integer.MAX_VALUE, true).records().readAll();
            long expectedBase = 0;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(stored).batches()) {
                b.ensureValid();
                assertThat(b.baseOffset()).isEqualTo(expectedBase);
                expectedBase = b.lastOffset() + 1;
            }
            assertThat(expectedBase).isEqualTo(2L * batch.recordCount());
        }
    }

    @Test
    void copiesAreIndependentBuffers() {
        ProducerBatch batch = ProducerBatch.of(1024, false);
        ProducerBatch copy = batch.copy();
        copy.duplicate().putLong(0, 99);

        assertThat(batch.duplicate().getLong(0)).isZero();
        assertThat(copy.sizeInBytes()).isEqualTo(batch.sizeInBytes());
    }
}
