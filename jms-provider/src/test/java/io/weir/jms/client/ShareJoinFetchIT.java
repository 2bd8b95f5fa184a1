package io.weir.jms.client;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A share-group member sends its first ShareFetch with its join when the partitions' leaders are known
 * ({@link TopicLayouts}), and takes what it acquired from the join; a layout found wrong (the topic was made again under
 * the same name) is forgotten, the session the fetch opened is closed, and the member fetches as usual, losing nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareJoinFetchIT {

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
    void aKnownLayoutFetchesWithTheJoinAndAStaleOneFallsBack() throws Exception {
        String topic = "join-fetch";
        String group = "jms-queue." + topic;
        createTopic(topic);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        produce(topic, "a", "b", "c");
        TopicLayouts layouts = new TopicLayouts(System::currentTimeMillis);

        // nothing known yet: the join does not fetch; the member's Metadata answer and fetch teach the layout
        try (ShareGroupMember first = member(group, topic, "first", layouts)) {
            join(first);
            assertThat(first.takeJoinFetch()).isNull();
            assertThat(layouts.get(topic)).isNotNull();
            // the share state topic may still be starting on a fresh broker: its first fetches may come back empty
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (got.size() < 3 && System.currentTimeMillis() < deadline) {
                got.addAll(values(first.fetch(500, List.of()).records()));
            }
            assertThat(got).containsExactly("a", "b", "c");
            assertThat(layouts.shareFetchVersion()).isPositive();
            first.leave(List.of()); // gives the three back, undelivered
        }

        // known: the join's fetch acquires them
        try (ShareGroupMember second = member(group, topic, "second", layouts)) {
            join(second);
            ShareGroupMember.Fetched f = second.takeJoinFetch();
            assertThat(f).isNotNull();
            assertThat(values(f.records())).containsExactly("a", "b", "c");
            assertThat(second.takeJoinFetch()).as("taken once").isNull();
            // the session the join opened goes on: acknowledging through it works
            List<ShareGroupMember.Ack> accept = f.records().stream()
                    .map(r -> new ShareGroupMember.Ack(r.partition(), r.offset(), (byte) 1)).toList();
            assertThat(second.fetch(0, accept).ackErrors()).isEmpty();
            second.leave(List.of());
        }

        // stale: the layout names an id the topic no longer has
        layouts.put(topic, Uuid.randomUuid(), layouts.get(topic).leaders());
        produce(topic, "d");
        try (ShareGroupMember third = member(group, topic, "third", layouts)) {
            join(third);
            assertThat(third.takeJoinFetch()).as("the stale fetch is not taken").isNull();
            assertThat(layouts.get(topic)).as("forgotten, then learnt again from the join's Metadata answer")
                    .isNotNull().extracting(TopicLayouts.Layout::topicId).isEqualTo(topicId(topic));
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                got.addAll(values(third.fetch(500, List.of()).records()));
            }
            assertThat(got).containsExactly("d");
            third.leave(List.of());
        }
    }

    /** Joins with a fetch where it can, as a lane does: again while the coordinator is not ready (a new cluster). */
    private static void join(ShareGroupMember m) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                assertThat(m.join(10_000, true)).as("assigned").isTrue();
                return;
            } catch (ShareGroupMember.Broken e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static ShareGroupMember member(String group, String topic, String clientId, TopicLayouts layouts) {
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        ShareGroupMember m = new ShareGroupMember(group, topic, clientId, p, 10, true, 10_000);
        m.layouts(layouts);
        return m;
    }

    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static Uuid topicId(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
    }

    private static void produce(String topic, String... values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String v : values) {
                p.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
