package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stateful Kafka Streams application on Weir: orders keyed by order id are re-keyed by customer (a
 * repartition topic) and summed per customer in a state store whose changelog is a compacted topic. The
 * log cleaner compacts the changelog while the application runs; the application is then stopped, its
 * local state deleted ({@link KafkaStreams#cleanUp()}), and a new instance restores the store from the
 * compacted changelog and carries on: the totals after the restart include the orders before it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StreamsStatefulIT {
    private static final String APP = "totals-app";
    private static final String IN = "orders";
    private static final String OUT = "totals";
    private static final int CUSTOMERS = 5;

    @TempDir
    Path stateDir;

    @Test
    void aggregatesThroughARepartitionAndRestoresFromTheCompactedChangelog() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("log.cleaner.backoff.ms", "200").build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(IN, 2, (short) 1), new NewTopic(OUT, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            Map<String, Long> expected = new HashMap<>();
            produceOrders(cluster, 0, 200, expected);
            try (KafkaStreams streams = new KafkaStreams(topology(), streamsConfig(cluster))) {
                streams.start();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(latestTotals(cluster)).isEqualTo(expected));
                String changelog = APP + "-sums-changelog";
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, changelog);
                assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                        .get("cleanup.policy").value()).isEqualTo("compact");
                // more updates of the same keys, so the changelog has something to compact, then wait for the cleaner
                produceOrders(cluster, 200, 400, expected);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(latestTotals(cluster)).isEqualTo(expected));
                Set<TopicPartition> changelogPartitions = Set.of(new TopicPartition(changelog, 0), new TopicPartition(changelog, 1));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(changelogPartitions.stream()
                        .filter(tp -> cluster.broker(0).logManager().cleaner().cleanedOffset(tp).isPresent()))
                        .as("the cleaner compacted the changelog").isNotEmpty());
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
            }
            try (java.util.stream.Stream<Path> files = Files.walk(stateDir.resolve(APP))) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f); // the whole state directory, not only what cleanUp() removes
                }
            }
            assertThat(Files.exists(stateDir.resolve(APP))).as("local state deleted").isFalse();
            produceOrders(cluster, 400, 500, expected);
            try (KafkaStreams restarted = new KafkaStreams(topology(), streamsConfig(cluster))) {
                restarted.start();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(latestTotals(cluster)).as("totals include the orders before the restart")
                                .isEqualTo(expected));
            }
        }
    }

    private static org.apache.kafka.streams.Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(IN, Consumed.with(Serdes.String(), Serdes.String()))
                .selectKey((orderId, value) -> value.substring(0, value.indexOf(':')))
                .groupByKey(Grouped.with("by-customer", Serdes.String(), Serdes.String()))
                .aggregate(() -> 0L, (customer, value, total) -> total + Long.parseLong(value.substring(value.indexOf(':') + 1)),
                        Materialized.<String, Long, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("sums")
                                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to(OUT, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private Properties streamsConfig(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // small segments and an eager cleaner for the internal topics, so the changelog is compacted within the test
        p.put(StreamsConfig.topicPrefix("segment.bytes"), "1024");
        p.put(StreamsConfig.topicPrefix("min.cleanable.dirty.ratio"), "0.01");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "1000");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.METADATA_MAX_AGE_CONFIG), "1000");
        return p;
    }

    /** Orders {@code from}..{@code to}-1: customer {@code c<i % CUSTOMERS>}, amount {@code i % 10 + 1}. */
    private static void produceOrders(EmbeddedWeirCluster cluster, int from, int to, Map<String, Long> expected) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                String customer = "c" + (i % CUSTOMERS);
                long amount = i % 10 + 1;
                expected.merge(customer, amount, Long::sum);
                producer.send(new ProducerRecord<>(IN, "order-" + i, customer + ":" + amount));
            }
            producer.flush();
        }
    }

    /** The last total per customer in the output topic. */
    private static Map<String, Long> latestTotals(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        Map<String, Long> totals = new HashMap<>();
        try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(p, new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> tps = List.of(new TopicPartition(OUT, 0), new TopicPartition(OUT, 1));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(100)).forEach(r -> totals.put(r.key(), r.value()));
            }
        }
        return totals;
    }
}
