package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compacted topics with unmodified kafka-clients: a fresh consumer sees the last value per key once the
 * cleaner has run, tombstones disappear after {@code delete.retention.ms}, {@code cleanup.policy} changed
 * at run time takes effect, keyless records are refused, and a new replica copies a compacted log with
 * its offset gaps from the leader and serves it after the leader stops.
 */
class CompactionIT {
    private static final int KEYS = 20;
    private static final int ROUNDS = 30;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(2).brokerProperty("log.cleaner.backoff.ms", "200").build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(p);
    }

    /** Every record of partition 0 from the beginning to the end offset, read by a fresh consumer. */
    private static List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertThat(c.position(tp, Duration.ofSeconds(30))).as("read to the end").isEqualTo(end);
        }
        return out;
    }

    private static Map<String, String> compactedConfigs() {
        return Map.of("cleanup.policy", "compact", "segment.bytes", "1024", "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", "3000");
    }

    /** KEYS keys written ROUNDS times, then a tombstone for the first five and filler that rolls the last segment. */
    private static void writeRounds(String topic) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k" + k, "r" + round));
                }
            }
            for (int k = 0; k < 5; k++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + k, null));
            }
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "filler", "f" + i + "-".repeat(40))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Records per key among the k* keys. */
    private static Map<String, List<String>> byKey(List<ConsumerRecord<String, String>> records) {
        Map<String, List<String>> m = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.key() != null && r.key().startsWith("k")) {
                m.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
            }
        }
        return m;
    }

    @Test
    void aFreshConsumerSeesTheLastValuePerKeyAndTombstonesGoAfterDeleteRetention() throws Exception {
        String topic = "compacted";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 2).configs(compactedConfigs()))).all().get(30, TimeUnit.SECONDS);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get("cleanup.policy").value()).isEqualTo("compact");
        }
        writeRounds(topic);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> byKey = byKey(readAll(topic));
            for (int k = 5; k < KEYS; k++) {
                assertThat(byKey.get("k" + k)).as("k%d", k).containsExactly("r" + (ROUNDS - 1));
            }
            for (int k = 0; k < 5; k++) {
                List<String> values = byKey.get("k" + k);
                assertThat(values == null || (values.size() == 1 && values.get(0) == null))
                        .as("k%d: its tombstone only, or nothing once it went: %s", k, values).isTrue();
            }
        });
        // the cleaner's second look after delete.retention.ms removes the tombstones
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> byKey = byKey(readAll(topic));
            assertThat(byKey.keySet()).as("the deleted keys are gone").doesNotContain("k0", "k1", "k2", "k3", "k4")
                    .hasSize(KEYS - 5);
        });
        assertThat(cluster.broker(0).logManager().cleaner().passes() + cluster.broker(1).logManager().cleaner().passes())
                .isPositive();
    }

    @Test
    void cleanupPolicyChangedAtRunTimeTakesEffectAndKeylessRecordsAreRefused() throws Exception {
        String topic = "altered";
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("segment.bytes", "1024"))))
                    .all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>(topic, 0, null, "keyless is fine while delete")).get(30, TimeUnit.SECONDS);
            }
            writeRounds(topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND),
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.describeConfigs(List.of(resource))
                    .all().get(30, TimeUnit.SECONDS).get(resource).get("cleanup.policy").value()).isEqualTo("compact,delete"));
        }
        try (KafkaProducer<String, String> producer = producer()) {
            // the policy reaches the broker through ZooKeeper: retry until it refuses
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(
                    () -> producer.send(new ProducerRecord<>(topic, 0, null, "no key")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidRecordException.class));
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "filler", "g" + i + "-".repeat(40))).get(30, TimeUnit.SECONDS);
            }
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> byKey = byKey(readAll(topic));
            for (int k = 5; k < KEYS; k++) {
                assertThat(byKey.get("k" + k)).as("k%d", k).containsExactly("r" + (ROUNDS - 1));
            }
        });
    }

    @Test
    void aNewReplicaCopiesTheCompactedLogWithItsGapsAndServesItAlone() throws Exception {
        String topic = "moved";
        TopicPartition tp = new TopicPartition(topic, 0);
        int[] leader = new int[1];
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(compactedConfigs()))).all().get(30, TimeUnit.SECONDS);
            cluster.awaitTopic(topic, 1, 30_000);
            writeRounds(topic);
            int first = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .get(0).leader().id();
            leader[0] = first;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(byKey(readAll(topic)).get("k7")).containsExactly("r" + (ROUNDS - 1)));
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(first, 1 - first)))))
                    .all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.describeTopics(List.of(topic))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().get(0).isr()).hasSize(2));
        }
        int first = leader[0];
        int added = 1 - first;
        long leaderEnd = cluster.broker(first).replicaManager().partition(tp).orElseThrow().log().logEndOffset();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                cluster.broker(added).replicaManager().partition(tp).orElseThrow().log().logEndOffset()).isEqualTo(leaderEnd));
        cluster.stopBroker(first);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> byKey = byKey(readAll(topic));
            for (int k = 5; k < KEYS; k++) {
                assertThat(byKey.get("k" + k)).as("k%d from the new replica", k).containsExactly("r" + (ROUNDS - 1));
            }
        });
        cluster.restartBroker(first);
    }
}
