package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Unmodified kafka-clients against a single Weir broker. */
class KafkaClientsIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    static List<ConsumerRecord<String, String>> consumeAll(String topic, int partitions, int expected) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void createProduceConsume() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
            TopicDescription d = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
            assertThat(d.partitions()).hasSize(3);
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            List<RecordMetadata> acks = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                acks.add(producer.send(new ProducerRecord<>("orders", "key-" + (i % 7), "value-" + i)).get());
            }
            assertThat(acks).allSatisfy(m -> assertThat(m.offset()).isGreaterThanOrEqualTo(0));
        }
        List<ConsumerRecord<String, String>> records = consumeAll("orders", 3, 300);
        assertThat(records).hasSize(300);
        assertThat(records.stream().map(ConsumerRecord::value).distinct().count()).isEqualTo(300);
        // same key, same partition, in order
        Map<String, List<ConsumerRecord<String, String>>> byKey = new java.util.HashMap<>();
        records.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
        byKey.values().forEach(list -> assertThat(list.stream().map(ConsumerRecord::partition).distinct()).hasSize(1));
    }

    @Test
    void adminErrorsAreKafkas() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get();
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(InvalidTopicException.class);
            admin.createPartitions(Map.of("dup", NewPartitions.increaseTo(4))).all().get();
            assertThat(admin.describeTopics(List.of("dup")).allTopicNames().get().get("dup").partitions()).hasSize(4);
            Map<ConfigResource, org.apache.kafka.clients.admin.Config> configs = admin.describeConfigs(
                    List.of(new ConfigResource(ConfigResource.Type.TOPIC, "dup"))).all().get();
            assertThat(configs.values().iterator().next().get("retention.ms").value()).isEqualTo("604800000");
            long latest = admin.listOffsets(Map.of(new TopicPartition("dup", 0), OffsetSpec.latest())).all().get()
                    .get(new TopicPartition("dup", 0)).offset();
            assertThat(latest).isZero();
            admin.deleteTopics(List.of("dup")).all().get();
            assertThat(admin.listTopics().names().get()).doesNotContain("dup");
        }
    }
}
