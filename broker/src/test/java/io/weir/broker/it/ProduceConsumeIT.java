package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Produce and consume with unmodified kafka-clients: codecs, headers, acks, large records, timestamps, restart. */
class ProduceConsumeIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        return new KafkaConsumer<>(p);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(TopicPartition tp, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCompressionCodecRoundTrips(String codec) throws Exception {
        String topic = "codec-" + codec;
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < 500; i++) {
                p.send(new ProducerRecord<>(topic, 0, bytes("k" + i), bytes("value " + i + " ".repeat(i % 50))));
            }
            p.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(new TopicPartition(topic, 0), 500);
        assertThat(got).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(got.get(i).offset()).isEqualTo(i);
            assertThat(new String(got.get(i).value(), StandardCharsets.UTF_8)).isEqualTo("value " + i + " ".repeat(i % 50));
        }
    }

    @Test
    void headersKeysAndNullValuesSurvive() throws Exception {
        String topic = "headers";
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, 0, 1234L, bytes("the-key"), null,
                    List.<Header>of(new RecordHeader("JMSType", bytes("order")), new RecordHeader("empty", new byte[0])));
            p.send(r).get();
            p.send(new ProducerRecord<>(topic, 0, null, bytes("no key"))).get();
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(new TopicPartition(topic, 0), 2);
        assertThat(got).hasSize(2);
        assertThat(got.get(0).key()).isEqualTo(bytes("the-key"));
        assertThat(got.get(0).value()).isNull();
        assertThat(got.get(0).timestamp()).isEqualTo(1234L);
        assertThat(got.get(0).headers().lastHeader("JMSType").value()).isEqualTo(bytes("order"));
        assertThat(got.get(0).headers().lastHeader("empty").value()).isEmpty();
        assertThat(got.get(1).key()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDelivers(String acks) throws Exception {
        String topic = "acks-" + acks;
        createTopic(topic, 1);
        Map<String, Object> config = acks.equals("all") ? Map.of(ProducerConfig.ACKS_CONFIG, acks)
                : Map.of(ProducerConfig.ACKS_CONFIG, acks, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        try (KafkaProducer<byte[], byte[]> p = producer(config)) {
            for (int i = 0; i < 100; i++) {
                RecordMetadata m = p.send(new ProducerRecord<>(topic, 0, null, bytes("m" + i))).get();
                if (!acks.equals("0")) {
                    assertThat(m.offset()).isEqualTo(i);
                }
            }
        }
        assertThat(readAll(new TopicPartition(topic, 0), 100)).hasSize(100);
    }

    @Test
    void recordsNearTheSizeLimitPassAndLargerOnesAreRefused() throws Exception {
        String topic = "large";
        byte[] big = new byte[1024 * 1024 - 200];
        Arrays.fill(big, (byte) 'x');
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024))) {
            assertThat(p.send(new ProducerRecord<>(topic, 0, null, big)).get().offset()).isZero();
            byte[] tooBig = new byte[1024 * 1024 + 100];
            assertThatThrownBy(() -> p.send(new ProducerRecord<>(topic, 0, null, tooBig)).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(p.send(new ProducerRecord<>(topic, 0, null, bytes("after"))).get().offset()).isEqualTo(1);
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(new TopicPartition(topic, 0), 2);
        assertThat(got).hasSize(2);
        assertThat(got.get(0).value()).isEqualTo(big);
    }

    @Test
    void offsetsForTimesFindsTheFirstRecordAtOrAfter() throws Exception {
        String topic = "times";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, 0, 1_000_000L + i * 100, null, bytes("t" + i))).get();
            }
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(Map.of(tp, 1_000_250L));
            assertThat(found.get(tp).offset()).isEqualTo(3);
            assertThat(found.get(tp).timestamp()).isEqualTo(1_000_300L);
            assertThat(c.offsetsForTimes(Map.of(tp, 9_999_999L)).get(tp)).isNull();
            assertThat(c.beginningOffsets(List.of(tp)).get(tp)).isZero();
            assertThat(c.endOffsets(List.of(tp)).get(tp)).isEqualTo(10);
        }
    }

    @Test
    void dataSurvivesABrokerRestart() throws Exception {
        String topic = "restart";
        createTopic(topic, 2);
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of())) {
            for (int i = 0; i < 200; i++) {
                p.send(new ProducerRecord<>(topic, i % 2, null, bytes("before-" + i))).get();
            }
        }
        cluster.restartBroker(0);
        try (KafkaProducer<byte[], byte[]> p = producer(Map.of())) {
            assertThat(p.send(new ProducerRecord<>(topic, 0, null, bytes("after"))).get().offset()).isEqualTo(100);
        }
        List<ConsumerRecord<byte[], byte[]>> p0 = readAll(new TopicPartition(topic, 0), 101);
        assertThat(p0).hasSize(101);
        assertThat(new String(p0.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("before-0");
        assertThat(new String(p0.get(100).value(), StandardCharsets.UTF_8)).isEqualTo("after");
        assertThat(readAll(new TopicPartition(topic, 1), 100)).hasSize(100);
    }

    @Test
    void longPollReturnsAsSoonAsDataArrives() throws Exception {
        String topic = "long-poll";
        createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = consumer(); KafkaProducer<byte[], byte[]> p = producer(Map.of())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            assertThat(c.poll(Duration.ofMillis(300)).count()).isZero();
            p.send(new ProducerRecord<>(topic, 0, null, bytes("wake"))).get();
            int got = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got == 0 && System.nanoTime() < deadline) {
                got = c.poll(Duration.ofSeconds(5)).count();
            }
            assertThat(got).isEqualTo(1);
        }
    }
}
