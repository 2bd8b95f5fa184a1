package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams application with {@code processing.guarantee=exactly_once_v2} (stateless; the stateful
 * case with a compacted changelog is StreamsStatefulIT) transforms every input record exactly once into its
 * output topic, also across the kill of a broker while it runs: read_committed readers of the output
 * see each input once, no duplicate and no loss.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StreamsExactlyOnceIT {
    private static final String IN = "eos-in";
    private static final String OUT = "eos-out";
    private static final int RECORDS = 300;

    @TempDir
    Path stateDir;

    @Test
    void everyInputIsTransformedExactlyOnceAcrossABrokerKill() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(IN, 3, (short) 3), new NewTopic(OUT, 3, (short) 3)))
                    .all().get(30, TimeUnit.SECONDS);
            produceInput(cluster, 0, RECORDS / 2);

            StreamsBuilder builder = new StreamsBuilder();
            builder.<String, String>stream(IN).mapValues(v -> v.toUpperCase()).to(OUT);
            try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsConfig(cluster))) {
                streams.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> countCommitted(cluster) >= RECORDS / 4);
                cluster.killBroker(1);
                produceInput(cluster, RECORDS / 2, RECORDS);
                await().atMost(Duration.ofSeconds(120)).until(() -> countCommitted(cluster) >= RECORDS);
            }
            List<String> output = readCommitted(cluster);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                expected.add("V-" + i);
            }
            assertThat(output).as("each input exactly once").containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private Properties streamsConfig(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-app");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "1000");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.METADATA_MAX_AGE_CONFIG), "1000");
        return p;
    }

    private static void produceInput(EmbeddedWeirCluster cluster, int from, int to) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(IN, "k" + i, "v-" + i)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static long countCommitted(EmbeddedWeirCluster cluster) {
        return readCommitted(cluster).size();
    }

    private static List<String> readCommitted(EmbeddedWeirCluster cluster) {
        Properties p = TransactionsIT.consumerProps(cluster, null, "read_committed");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = List.of(new TopicPartition(OUT, 0), new TopicPartition(OUT, 1), new TopicPartition(OUT, 2));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }
}
