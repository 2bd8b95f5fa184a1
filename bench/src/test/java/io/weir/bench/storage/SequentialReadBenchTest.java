package io.weir.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SequentialReadBenchTest {

    /** Three batches of the same bytes, offsets as the engine assigns them. */
    private static ByteBuffer threeBatches(ProducerBatch batch) {
        int size = batch.sizeInBytes();
        ByteBuffer buf = ByteBuffer.allocate(3 * size);
        for (int i = 0; i < 3; i++) {
            ByteBuffer one = batch.duplicate();
            one.putLong(0, (long) i * batch.recordCount());
            buf.put(one);
        }
        return buf.flip();
    }

    @Test
    void nextOffsetFollowsTheLastWholeBatch() {
        ProducerBatch batch = ProducerBatch.of(1024, false);
        ByteBuffer all = threeBatches(batch);

        assertThat(SequentialReadBench.nextOffsetAfterWholeBatches(all)).isEqualTo(3L * batch.recordCount());
    }

    @Test
    void aBatchCutByTheReadLimitIsLeftForTheNextRead() {
        ProducerBatch batch = ProducerBatch.of(1024, false);
        ByteBuffer cut = threeBatches(batch).limit(2 * batch.sizeInBytes() + 100);

        assertThat(SequentialReadBench.nextOffsetAfterWholeBatches(cut)).isEqualTo(2L * batch.recordCount());
    }

    @Test
    void noWholeBatchGivesMinusOne() {
        ProducerBatch batch = ProducerBatch.of(1024, false);

        assertThat(SequentialReadBench.nextOffsetAfterWholeBatches(batch.duplicate().limit(100))).isEqualTo(-1);
    }
}
