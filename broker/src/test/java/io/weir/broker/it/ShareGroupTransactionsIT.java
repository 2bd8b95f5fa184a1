package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share groups and transactions with unmodified kafka-clients: a group set to
 * {@code share.isolation.level=read_committed} (IncrementalAlterConfigs on the GROUP resource) gets no record of an
 * aborted transaction, nothing past an open transaction until it ends, and never a transaction marker; a group left
 * at read_uncommitted gets every data record, as against Kafka.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareGroupTransactionsIT {
    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void readCommittedGroupsSkipAbortedTransactionsAndWaitForOpenOnes() throws Exception {
        String topic = "txn-share";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        configure("committed-readers", "read_committed");
        configure("all-readers", "read_uncommitted");
        try (KafkaProducer<String, String> tx = transactional("share-txn-1");
             KafkaProducer<String, String> plain = plain()) {
            tx.beginTransaction();
            for (int i = 0; i < 3; i++) {
                tx.send(new ProducerRecord<>(topic, 0, null, "aborted-" + i));
            }
            tx.flush();
            tx.abortTransaction();
            plain.send(new ProducerRecord<>(topic, 0, null, "plain-0")).get();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 0, null, "open-0"));
            tx.send(new ProducerRecord<>(topic, 0, null, "open-1"));
            tx.flush();
            plain.send(new ProducerRecord<>(topic, 0, null, "plain-1")).get();

            try (KafkaShareConsumer<String, String> committed = ShareGroupsIT.consumer(cluster.bootstrapServers(), "committed-readers", 100);
                 KafkaShareConsumer<String, String> all = ShareGroupsIT.consumer(cluster.bootstrapServers(), "all-readers", 100)) {
                committed.subscribe(List.of(topic));
                all.subscribe(List.of(topic));
                // the open transaction holds back everything from its first record on (the last stable offset)
                List<String> before = pollAccepting(committed, 1, Duration.ofSeconds(60));
                assertThat(before).containsExactly("plain-0");
                assertThat(pollAccepting(committed, 1, Duration.ofSeconds(2))).as("nothing past the open transaction").isEmpty();

                List<String> everything = pollAccepting(all, 7, Duration.ofSeconds(60));
                assertThat(everything).as("read_uncommitted: every data record, no marker")
                        .containsExactly("aborted-0", "aborted-1", "aborted-2", "plain-0", "open-0", "open-1", "plain-1");

                tx.commitTransaction();
                List<String> after = pollAccepting(committed, 3, Duration.ofSeconds(60));
                assertThat(after).containsExactly("open-0", "open-1", "plain-1");
                assertThat(pollAccepting(committed, 1, Duration.ofSeconds(1))).isEmpty();
            }
        }
        // aborted records and markers are archived: the share-partition start offset reaches the log end
        long logEnd = admin.listOffsets(Map.of(new TopicPartition(topic, 0), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all().get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0)).offset();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var offsets = admin.listShareGroupOffsets(Map.of("committed-readers", new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo("committed-readers").get(30, TimeUnit.SECONDS);
            assertThat(offsets.get(new TopicPartition(topic, 0)).startOffset()).isEqualTo(logEnd);
        });
    }

    @Test
    void aBadIsolationLevelIsRefused() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "bad-isolation");
        var op = new AlterConfigOp(new ConfigEntry("share.isolation.level", "read_maybe"), AlterConfigOp.OpType.SET);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(group, List.of(op))).all()
                        .get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("read_committed or read_uncommitted");
    }

    /** Polls, accepting everything, until {@code expected} records came or {@code within} passed (a bounded wait, never a timing check). */
    private static List<String> pollAccepting(KafkaShareConsumer<String, String> c, int expected, Duration within) {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (got.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                got.add(r.value());
                c.acknowledge(r, AcknowledgeType.ACCEPT);
            }
            c.commitSync();
        }
        return got;
    }

    private static void configure(String group, String isolation) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.isolation.level", isolation), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        var described = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.GROUP, group))).all()
                .get(30, TimeUnit.SECONDS).get(new ConfigResource(ConfigResource.Type.GROUP, group));
        assertThat(described.get("share.isolation.level").value()).isEqualTo(isolation);
    }

    private static KafkaProducer<String, String> transactional(String id) {
        Properties p = props();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static KafkaProducer<String, String> plain() {
        return new KafkaProducer<>(props());
    }

    private static Properties props() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }
}
