package io.weir.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TransactionLogRecordsTest {
    @Test
    void keysAndValuesRoundTrip() {
        TxnRecord r = new TxnRecord("app-1", 42, (short) 7, (short) 6, 60_000, TransactionState.PREPARE_COMMIT,
                Set.of(new TopicPartition("a", 0), new TopicPartition("a", 3), new TopicPartition("__consumer_offsets", 12)),
                1_000, 2_000);
        String id = TransactionLogRecords.decodeKey(ByteBuffer.wrap(TransactionLogRecords.key("app-1")));
        assertThat(id).isEqualTo("app-1");
        assertThat(TransactionLogRecords.decodeValue(id, ByteBuffer.wrap(TransactionLogRecords.value(r)))).isEqualTo(r);
    }

    @Test
    void aTwoPhaseStateIsWrittenAsVersionOne() {
        TxnRecord r = new TxnRecord("xa", 9, (short) 1, (short) 0, 0, TransactionState.ONGOING,
                Set.of(new TopicPartition("a", 1)), 5, 6, true);
        byte[] value = TransactionLogRecords.value(r);
        assertThat(ByteBuffer.wrap(value).getShort()).isEqualTo((short) 1);
        assertThat(TransactionLogRecords.decodeValue("xa", ByteBuffer.wrap(value))).isEqualTo(r);
    }

    @Test
    void anUnknownVersionDecodesToNull() {
        byte[] value = TransactionLogRecords.value(new TxnRecord("x", 1, (short) 0, (short) -1, 1, TransactionState.EMPTY,
                Set.of(), -1, 0));
        value[1] = 9;
        assertThat(TransactionLogRecords.decodeValue("x", ByteBuffer.wrap(value))).isNull();
        byte[] key = TransactionLogRecords.key("x");
        key[1] = 9;
        assertThat(TransactionLogRecords.decodeKey(ByteBuffer.wrap(key))).isNull();
    }
}
