package io.weir.jms.client;

import io.weir.jms.message.EncodedMessage;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirMessage;
import io.weir.jms.message.WeirTextMessage;
import io.weir.jms.WeirQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterRecordTest {

    @Test
    void theCopyIsTheSameMessageOnTheDeadLetterQueueAndSaysWhereItCameFrom() throws Exception {
        WeirTextMessage m = new WeirTextMessage();
        m.setText("poison");
        m.setIntProperty("n", 7);
        m.setJMSDestination(new WeirQueue("orders"));
        m.setJMSMessageID("ID:poison-1");
        EncodedMessage sent = MessageCodec.encode(m);
        ConsumerRecord<byte[], byte[]> fetched = new ConsumerRecord<>("orders", 0, 42L, 0L, TimestampType.CREATE_TIME,
                -1, -1, sent.key(), sent.value(), new RecordHeaders(sent.headers().toArray()), Optional.empty(),
                Optional.of((short) 5));

        ProducerRecord<byte[], byte[]> dead = DeadLetterRecord.of(fetched, "DLQ", 5);
        assertThat(dead.topic()).isEqualTo("DLQ");
        ConsumerRecord<byte[], byte[]> again = new ConsumerRecord<>("DLQ", 0, 0L, 0L, TimestampType.CREATE_TIME,
                -1, -1, dead.key(), dead.value(), dead.headers(), Optional.empty());
        WeirMessage back = MessageCodec.decode(again);
        assertThat(((WeirTextMessage) back).getText()).isEqualTo("poison");
        assertThat(back.getIntProperty("n")).isEqualTo(7);
        assertThat(back.getJMSMessageID()).isEqualTo("ID:poison-1");
        assertThat(back.getJMSDestination()).isEqualTo(new WeirQueue("DLQ"));
        assertThat(back.getStringProperty(DeadLetterRecord.ORIGINAL_QUEUE)).isEqualTo("orders");
        assertThat(back.getStringProperty(DeadLetterRecord.ORIGINAL_PARTITION)).isEqualTo("0");
        assertThat(back.getStringProperty(DeadLetterRecord.ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(back.getStringProperty(DeadLetterRecord.DELIVERY_COUNT)).isEqualTo("5");
        assertThat(dead.headers().headers("jms.destination")).hasSize(1);
    }
}
