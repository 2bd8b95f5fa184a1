package io.weir.jms.it;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/** What a plain kafka-clients reader sees of the provider's sends, as the XA tests check their outcome. */
final class CommittedReads {

    private CommittedReads() {
    }

    /**
     * Everything a {@code read_committed} reader finds in {@code topic} at {@code bootstrap}, from the beginning up
     * to the last stable offset, as the texts of the provider's text messages (their values are the UTF-8 text).
     */
    static List<String> readCommitted(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(i -> new TopicPartition(topic, i.partition())).toList(), l -> !l.isEmpty());
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return tps.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
            return values;
        }
    }
}
