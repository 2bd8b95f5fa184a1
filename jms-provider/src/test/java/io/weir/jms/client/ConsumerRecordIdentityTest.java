package io.weir.jms.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The share reader keeps its held records in a HashMap keyed by the records themselves and relies on kafka-clients'
 * ConsumerRecord keeping Object's identity equality: the same offset delivered twice (a redelivery while the first
 * copy is still held) must be two keys. Should a kafka-clients release give ConsumerRecord a value equality, this fails
 * and the reader must go back to an IdentityHashMap.
 */
class ConsumerRecordIdentityTest {

    @Test
    void twoRecordsWithTheSameContentAreTwoKeys() {
        byte[] value = {1, 2, 3};
        ConsumerRecord<byte[], byte[]> a = new ConsumerRecord<>("q", 0, 42L, null, value);
        ConsumerRecord<byte[], byte[]> b = new ConsumerRecord<>("q", 0, 42L, null, value);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
        java.util.Map<ConsumerRecord<byte[], byte[]>, String> map = new java.util.HashMap<>();
        map.put(a, "first");
        map.put(b, "second");
        assertThat(map).hasSize(2);
        assertThat(map.get(a)).isEqualTo("first");
    }
}
