package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The copy of a record that a share-group reader moves to the dead-letter queue: the same key, value and
 * headers (so the JMS message is the same), its {@code JMSDestination} the dead-letter queue, and four String
 * properties that say where it came from.
 */
public final class DeadLetterRecord {

    /** The queue the message was taken from. */
    public static final String ORIGINAL_QUEUE = "JMS_WEIR_OriginalQueue";
    /** Its partition and offset there. */
    public static final String ORIGINAL_PARTITION = "JMS_WEIR_OriginalPartition";
    public static final String ORIGINAL_OFFSET = "JMS_WEIR_OriginalOffset";
    /** How many deliveries the broker had counted. */
    public static final String DELIVERY_COUNT = "JMS_WEIR_DeliveryCount";
    private static final String DESTINATION_HEADER = "jms.destination";

    private DeadLetterRecord() {
    }

    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> r, String deadLetterQueue, int deliveryCount) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            switch (h.key()) {
                case DESTINATION_HEADER, ORIGINAL_QUEUE, ORIGINAL_PARTITION, ORIGINAL_OFFSET, DELIVERY_COUNT -> {
                }
                default -> headers.add(h);
            }
        }
        headers.add(DESTINATION_HEADER, utf8("queue://" + deadLetterQueue));
        headers.add(ORIGINAL_QUEUE, utf8(r.topic()));
        headers.add(ORIGINAL_PARTITION, utf8(Integer.toString(r.partition())));
        headers.add(ORIGINAL_OFFSET, utf8(Long.toString(r.offset())));
        headers.add(DELIVERY_COUNT, utf8(Integer.toString(deliveryCount)));
        return new ProducerRecord<>(deadLetterQueue, null, null, r.key(), r.value(), headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
