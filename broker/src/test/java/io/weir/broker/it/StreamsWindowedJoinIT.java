package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams windowed stream-stream join on Weir: page views and ad clicks keyed by user, joined when
 * a click is within 10 s of a view (record timestamps set by the producer, so the result does not depend on
 * arrival order or wall-clock time). The join's window stores are backed by changelog topics on Weir. The
 * output is exactly one joined record per user whose click fell inside the window.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamsWindowedJoinIT {
    private static final String APP = "join-app";
    private static final String VIEWS = "views";
    private static final String CLICKS = "clicks";
    private static final String OUT = "views-with-clicks";
    private static final int USERS = 20;
    private static final long BASE = 1_700_000_000_000L;

    @TempDir
    Path stateDir;

    @Test
    void joinsOnlyTheRecordsWithinTheWindowExactlyOnce() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(VIEWS, 2, (short) 1), new NewTopic(CLICKS, 2, (short) 1),
                    new NewTopic(OUT, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<String> expected = produceInput(cluster.bootstrapServers());
            try (KafkaStreams streams = new KafkaStreams(topology(), streamsConfig(cluster.bootstrapServers()))) {
                streams.start();
                // every input record processed and committed; only then is the output complete
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(committed(admin)).isEqualTo(endOffsets(admin)));
                assertThat(readOutput(cluster.bootstrapServers())).containsExactlyInAnyOrderElementsOf(expected);
            }
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).as("the join's window-store changelogs")
                    .contains(APP + "-view-clicks-this-join-store-changelog", APP + "-view-clicks-other-join-store-changelog");
        }
    }

    private static org.apache.kafka.streams.Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        var views = builder.stream(VIEWS, Consumed.with(Serdes.String(), Serdes.String()));
        var clicks = builder.stream(CLICKS, Consumed.with(Serdes.String(), Serdes.String()));
        // a long grace period: records arriving late (by stream time) still join, so the output is deterministic
        views.join(clicks, (view, click) -> view + "/" + click,
                        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(10), Duration.ofDays(1)),
                        StreamJoined.<String, String, String>with(Serdes.String(), Serdes.String(), Serdes.String())
                                .withName("view-clicks").withStoreName("view-clicks"))
                .to(OUT, Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    /**
     * For user i (view at BASE + i minutes): a click 3 s after the view (joins), one 60 s after (outside the
     * window), and for every fourth user a click 8 s before the view (joins: the window is symmetric). Users
     * whose index is 7 mod 10 click nothing. Returns the expected join output as {@code key=value}.
     */
    private static List<String> produceInput(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<String> expected = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < USERS; i++) {
                String user = "user-" + i;
                long view = BASE + i * 60_000L;
                producer.send(new ProducerRecord<>(VIEWS, null, view, user, "page-" + i));
                if (i % 10 == 7) {
                    continue;
                }
                producer.send(new ProducerRecord<>(CLICKS, null, view + 3_000, user, "ad-" + i));
                expected.add(user + "=page-" + i + "/ad-" + i);
                producer.send(new ProducerRecord<>(CLICKS, null, view + 60_000 - 1, user, "late-ad-" + i));
                if (i % 4 == 0) {
                    producer.send(new ProducerRecord<>(CLICKS, null, view - 8_000, user, "early-ad-" + i));
                    expected.add(user + "=page-" + i + "/early-ad-" + i);
                }
            }
            producer.flush();
        }
        return expected;
    }

    private Properties streamsConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        return p;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String topic : List.of(VIEWS, CLICKS)) {
            for (int partition = 0; partition < 2; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static Map<TopicPartition, Long> committed(Admin admin) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(APP)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
            if (e.getValue() != null) {
                out.put(e.getKey(), e.getValue().offset());
            }
        }
        return out;
    }

    private static List<String> readOutput(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(OUT, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && c.position(tp) < end) {
                c.poll(Duration.ofMillis(100)).forEach(r -> out.add(r.key() + "=" + r.value()));
            }
        }
        return out;
    }
}
