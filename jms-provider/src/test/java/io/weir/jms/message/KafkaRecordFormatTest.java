package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoded form survives Kafka's own record batch format (v2, as a producer writes it and a consumer reads
 * it), null header values and empty values included; and random header values never crash the decoder.
 */
class KafkaRecordFormatTest {

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Writes {@code e} into a Kafka record batch and reads it back as a consumer would see it. */
    private static ConsumerRecord<byte[], byte[]> throughKafkaFormat(EncodedMessage e, Compression compression) {
        MemoryRecords batch = MemoryRecords.withRecords(100L, compression,
                new SimpleRecord(1234L, e.key(), e.value(), e.headers().toArray()));
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        for (Record r : batch.records()) {
            byte[] key = bytes(r.key());
            byte[] value = bytes(r.value());
            read.add(new ConsumerRecord<>("t", 0, r.offset(), r.timestamp(), TimestampType.CREATE_TIME,
                    key == null ? -1 : key.length, value == null ? -1 : value.length, key, value,
                    new RecordHeaders(r.headers()), Optional.empty()));
        }
        assertThat(read).hasSize(1);
        return read.get(0);
    }

    @Test
    void messagesSurviveTheRecordBatchFormat() throws JMSException {
        for (Compression compression : List.of(Compression.NONE, Compression.gzip().build())) {
            WeirMapMessage map = new WeirMapMessage();
            map.setString("k", "v");
            map.setBytes("b", new byte[0]);
            map.setStringProperty("nullProp", null);
            map.setStringProperty("empty", "");
            map.setLongProperty("n", -5);
            map.setStringProperty("JMSXGroupID", "g");
            map.setJMSCorrelationIDAsBytes(new byte[0]);
            WeirMessage r = MessageCodec.decode(throughKafkaFormat(MessageCodec.encode(map), compression));
            assertThat(((MapMessage) r).getString("k")).isEqualTo("v");
            assertThat(((MapMessage) r).getBytes("b")).isEmpty();
            assertThat(r.propertyExists("nullProp")).isTrue();
            assertThat(r.getStringProperty("nullProp")).isNull();
            assertThat(r.getStringProperty("empty")).isEmpty();
            assertThat(r.getObjectProperty("n")).isEqualTo(-5L);
            assertThat(r.getStringProperty("JMSXGroupID")).isEqualTo("g");
            assertThat(r.getJMSCorrelationIDAsBytes()).isEmpty();
            assertThat(r.getJMSMessageID()).as("no ID was set: the record's coordinates").isEqualTo("ID:t-0-100");

            WeirTextMessage nullText = new WeirTextMessage(null);
            WeirMessage t = MessageCodec.decode(throughKafkaFormat(MessageCodec.encode(nullText), compression));
            assertThat(((TextMessage) t).getText()).isNull();
        }
    }

    @Test
    void randomHeaderValuesGiveMessagesOrMessageFormatExceptionsOnly() throws JMSException {
        String[] keys = {WireHeaders.BODY_TYPE, WireHeaders.MESSAGE_ID, WireHeaders.TIMESTAMP,
                WireHeaders.CORRELATION_ID, WireHeaders.CORRELATION_ID_BYTES, WireHeaders.REPLY_TO,
                WireHeaders.DESTINATION, WireHeaders.DELIVERY_MODE, WireHeaders.EXPIRATION,
                WireHeaders.DELIVERY_TIME, WireHeaders.PRIORITY, WireHeaders.TYPE, WireHeaders.PROPERTY_TYPES,
                WireHeaders.CONTENT_TYPE, "p", "q"};
        String[] pieces = {"text", "map", "stream", "object", "bytes", "message", "1", "2", "9", "-1", "queue://a",
                "temp-topic://b", "p=i", "p=z;q=d", "q=l", "true", "3.5", "", "x", "text/plain; charset=", ";"};
        WeirMessage sample = new WeirStreamMessage();
        ((WeirStreamMessage) sample).writeInt(1);
        byte[][] values = {null, new byte[0], MessageCodec.encode(sample).value(), {1, 0, 0, 0, 1, 9, 0, 0, 0, 1},
                "hello".getBytes(StandardCharsets.UTF_8)};
        Random random = new Random(42);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            RecordHeaders headers = new RecordHeaders();
            int n = random.nextInt(6);
            for (int h = 0; h < n; h++) {
                byte[] value;
                int kind = random.nextInt(3);
                if (kind == 0) {
                    value = pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8);
                } else if (kind == 1) {
                    value = new byte[random.nextInt(6)];
                    random.nextBytes(value);
                } else {
                    value = random.nextBoolean() ? null : new byte[0];
                }
                headers.add(keys[random.nextInt(keys.length)], value);
            }
            byte[] value = values[random.nextInt(values.length)];
            ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, i, 1L, TimestampType.CREATE_TIME,
                    -1, -1, null, value, headers, Optional.empty());
            try {
                WeirMessage m = MessageCodec.decode(record);
                assertThat(m).isNotNull();
                assertThat(m.isPropertiesReadOnly()).isTrue();
                decoded++;
            } catch (MessageFormatException e) {
                assertThat(e.getMessage()).contains("t-0@" + i);
                rejected++;
            }
        }
        assertThat(decoded).as("some records decode").isPositive();
        assertThat(rejected).as("some records are rejected").isPositive();
    }
}
