package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code __consumer_offsets} is replicated ({@code offsets.topic.replication.factor} 3), and when the
 * group coordinator's broker is killed the new leader of the group's offsets partition loads the
 * offsets and coordinates: the group keeps its committed offsets and resumes where it was.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoordinatorFailoverIT {
    private static final String TOPIC = "events";
    private static final String GROUP = "survivors";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void aGroupKeepsItsCommittedOffsetsWhenItsCoordinatorDies() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = producer(cluster)) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, "e-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            try (KafkaConsumer<String, String> consumer = consumer(cluster)) {
                consumer.subscribe(List.of(TOPIC));
                int seen = 0;
                while (seen < 42) {
                    seen += consumer.poll(Duration.ofMillis(200)).count();
                }
                consumer.commitSync(Map.of(TP, new OffsetAndMetadata(42)));
            }
            assertThat(admin.describeTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).allTopicNames().get()
                    .get(Topic.GROUP_METADATA_TOPIC_NAME).partitions().get(0).replicas()).as("offsets topic RF").hasSize(3);
            int coordinator = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP)
                    .coordinator().id();

            cluster.killBroker(coordinator);

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                return committed.containsKey(TP) && committed.get(TP).offset() == 42;
            });
            assertThat(admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP).coordinator().id())
                    .isNotEqualTo(coordinator);
            try (KafkaConsumer<String, String> consumer = consumer(cluster)) {
                consumer.subscribe(List.of(TOPIC));
                ConsumerRecord<String, String> first = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (first == null && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    if (!records.isEmpty()) {
                        first = records.iterator().next();
                    }
                }
                assertThat(first).isNotNull();
                assertThat(first.offset()).as("the group resumes at its committed offset").isEqualTo(42);
                assertThat(first.value()).isEqualTo("e-42");
            }
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
