package io.weir.ecosystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MirrorMaker 2 in dedicated mode (the {@link MirrorMaker} driver, in-process) between two Weir clusters,
 * {@code primary} and {@code backup}: the records of a topic, its configuration and a consumer group's
 * committed offsets are replicated; the remote topic follows the default replication policy
 * ({@code primary.orders}); the driver's own state lives in compacted topics on the target.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MirrorMakerIT {
    private static final Duration REPLICATED = Duration.ofSeconds(120);
    private static final int RECORDS = 100;

    @Test
    void replicatesRecordsTopicConfigsAndGroupOffsetsToTheRemoteTopic() throws Exception {
        try (EmbeddedWeirCluster primary = EmbeddedWeirCluster.builder().brokers(1).build().start();
             EmbeddedWeirCluster backup = EmbeddedWeirCluster.builder().brokers(1).build().start();
             Admin primaryAdmin = ConnectSupport.admin(primary.bootstrapServers());
             Admin backupAdmin = ConnectSupport.admin(backup.bootstrapServers())) {
            primaryAdmin.createTopics(List.of(new NewTopic("orders", 2, (short) 1).configs(Map.of("retention.ms", "123456789"))))
                    .all().get(30, TimeUnit.SECONDS);
            Map<String, String> sent = produce(primary.bootstrapServers());
            consumeAndCommit(primary.bootstrapServers(), "billing");

            MirrorMaker mm = new MirrorMaker(mirrorConfig(primary, backup));
            mm.start();
            try {
                await().atMost(REPLICATED).untilAsserted(() -> assertThat(backupAdmin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .contains("primary.orders", "primary.checkpoints.internal", "heartbeats"));
                assertThat(backupAdmin.describeTopics(List.of("primary.orders")).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get("primary.orders").partitions()).as("partitions of the remote topic").hasSize(2);
                await().atMost(REPLICATED).untilAsserted(() -> assertThat(readAll(backup.bootstrapServers(), "primary.orders"))
                        .isEqualTo(sent));
                assertThat(ConnectSupport.topicConfig(backupAdmin, "primary.orders").get("retention.ms").value())
                        .as("topic config replicated").isEqualTo("123456789");
                assertThat(backupAdmin.listTopics().names().get(30, TimeUnit.SECONDS)).as("no topic named after the target")
                        .doesNotContain("backup.orders", "orders");

                // group offsets: checkpoints translate them, and the group is synced on the target while inactive there
                await().atMost(REPLICATED).untilAsserted(() -> {
                    Map<TopicPartition, OffsetAndMetadata> translated = RemoteClusterUtils.translateOffsets(
                            Map.of("bootstrap.servers", backup.bootstrapServers()), "primary", "billing", Duration.ofSeconds(30));
                    assertThat(translated.keySet()).extracting(TopicPartition::topic).containsOnly("primary.orders");
                    assertThat(sum(translated)).isEqualTo(RECORDS);
                });
                await().atMost(REPLICATED).untilAsserted(() -> assertThat(sum(backupAdmin.listConsumerGroupOffsets("billing")
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))).isEqualTo(RECORDS));
                for (String internal : List.of("mm2-configs.primary.internal", "mm2-offsets.primary.internal", "mm2-status.primary.internal")) {
                    assertThat(ConnectSupport.topicConfig(backupAdmin, internal).get("cleanup.policy").value()).as(internal).isEqualTo("compact");
                }
                assertThat(primaryAdmin.listTopics().names().get(30, TimeUnit.SECONDS)).as("offset syncs kept on the source")
                        .contains("mm2-offset-syncs.backup.internal");
            } finally {
                mm.stop();
                mm.awaitStop();
            }
        }
    }

    private static Map<String, String> mirrorConfig(EmbeddedWeirCluster primary, EmbeddedWeirCluster backup) {
        Map<String, String> p = new HashMap<>();
        p.put("clusters", "primary, backup");
        p.put("primary.bootstrap.servers", primary.bootstrapServers());
        p.put("backup.bootstrap.servers", backup.bootstrapServers());
        p.put("primary->backup.enabled", "true");
        p.put("primary->backup.topics", "orders");
        p.put("primary->backup.groups", "billing");
        p.put("backup->primary.enabled", "false");
        for (String key : List.of("replication.factor", "checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
                "offset-syncs.topic.replication.factor", "offset.storage.replication.factor", "status.storage.replication.factor",
                "config.storage.replication.factor")) {
            p.put(key, "1");
        }
        // short intervals so a test sees replication, checkpoints and group syncs within seconds
        p.put("refresh.topics.interval.seconds", "1");
        p.put("refresh.groups.interval.seconds", "1");
        p.put("emit.checkpoints.interval.seconds", "1");
        p.put("emit.heartbeats.interval.seconds", "1");
        p.put("sync.group.offsets.enabled", "true");
        p.put("sync.group.offsets.interval.seconds", "1");
        p.put("offset.lag.max", "0");
        p.put("offset.flush.interval.ms", "1000");
        // plugins from their ServiceLoader manifests, not a reflective scan of the classpath (tens of seconds per herder)
        for (String prefix : List.of("", "primary.", "backup.")) {
            p.put(prefix + "plugin.discovery", "service_load");
        }
        return p;
    }

    private static Map<String, String> produce(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, String> sent = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                sent.put("k" + i, "v" + i);
                producer.send(new ProducerRecord<>("orders", "k" + i, "v" + i));
            }
            producer.flush();
        }
        return sent;
    }

    private static void consumeAndCommit(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of("orders"));
            int[] seen = {0};
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                seen[0] += c.poll(Duration.ofMillis(200)).count();
                return seen[0] >= RECORDS;
            });
            c.commitSync(Duration.ofSeconds(30));
        }
    }

    /** Every record of {@code topic} (key → value), read from the beginning to the end offsets. */
    private static Map<String, String> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, String> out = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(100)).forEach(r -> out.put(r.key(), r.value()));
            }
        }
        return out;
    }

    private static long sum(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
}
