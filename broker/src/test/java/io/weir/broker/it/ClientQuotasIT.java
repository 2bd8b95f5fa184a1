package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.KafkaDistribution;
import io.weir.broker.testing.KafkaDistribution.Run;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Client quotas on a two-broker cluster with unmodified kafka-clients and Kafka's {@code kafka-configs}:
 * quotas altered through one broker are described by the other (ZooKeeper watch), filters match as in
 * Kafka, bad input is refused with {@code INVALID_REQUEST} and a message, {@code validate_only} stores
 * nothing; a producer and a consumer over their byte rates are throttled (the clients' own throttle-time
 * metrics show it) and every record still arrives.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientQuotasIT {
    private EmbeddedWeirCluster cluster;

    @BeforeAll
    void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(2).build().start();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void adminAltersAndDescribesQuotasOnEveryBroker() throws Exception {
        ClientQuotaEntity alice = entity(ClientQuotaEntity.USER, "alice");
        ClientQuotaEntity defaultUser = entity(ClientQuotaEntity.USER, null);
        Map<String, String> aliceApp = new HashMap<>();
        aliceApp.put(ClientQuotaEntity.USER, "alice");
        aliceApp.put(ClientQuotaEntity.CLIENT_ID, "app");
        ClientQuotaEntity aliceAppEntity = new ClientQuotaEntity(aliceApp);
        try (Admin first = admin(0); Admin second = admin(1)) {
            first.alterClientQuotas(List.of(
                    alteration(alice, "producer_byte_rate", 1024.0, "consumer_byte_rate", 4096.0),
                    alteration(defaultUser, "consumer_byte_rate", 2048.0),
                    alteration(aliceAppEntity, "request_percentage", 12.5))).all().get();

            // the other broker heard it through ZooKeeper
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(describe(second, ClientQuotaFilter.all()))
                    .containsEntry(alice, Map.of("producer_byte_rate", 1024.0, "consumer_byte_rate", 4096.0))
                    .containsEntry(defaultUser, Map.of("consumer_byte_rate", 2048.0))
                    .containsEntry(aliceAppEntity, Map.of("request_percentage", 12.5)));
            assertThat(describe(second, ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity("user", "alice")))))
                    .containsOnlyKeys(alice);
            assertThat(describe(second, ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity("user", "alice")))))
                    .containsOnlyKeys(alice, aliceAppEntity);
            assertThat(describe(second, ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofDefaultEntity("user")))))
                    .containsOnlyKeys(defaultUser);
            // (other tests of this class add client-id quotas too)
            assertThat(describe(second, ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType("client-id")))))
                    .containsKey(aliceAppEntity).doesNotContainKeys(alice, defaultUser);

            // removal of one key keeps the other
            first.alterClientQuotas(List.of(new ClientQuotaAlteration(alice,
                    List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", null))))).all().get();
            assertThat(describe(first, ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity("user", "alice")))))
                    .containsEntry(alice, Map.of("producer_byte_rate", 1024.0));

            // validate_only: checked, not stored
            ClientQuotaEntity bob = entity(ClientQuotaEntity.USER, "bob");
            first.alterClientQuotas(List.of(alteration(bob, "producer_byte_rate", 10.0)),
                    new AlterClientQuotasOptions().validateOnly(true)).all().get();
            assertThat(describe(first, ClientQuotaFilter.all())).doesNotContainKey(bob);

            // bad input: INVALID_REQUEST with a message, nothing stored
            assertInvalid(first, alteration(bob, "bogus_byte_rate", 10.0), "Unknown client quota key 'bogus_byte_rate'");
            assertInvalid(first, alteration(bob, "producer_byte_rate", -5.0), "must be a positive number");
            assertInvalid(first, alteration(bob, "producer_byte_rate", 10.5), "whole number");
            assertInvalid(first, alteration(entity("group", "g"), "producer_byte_rate", 10.0), "Unknown client quota entity type 'group'");
            assertThatThrownBy(() -> first.describeClientQuotas(ClientQuotaFilter.contains(
                    List.of(ClientQuotaFilterComponent.ofEntityType("topic")))).entities().get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("Unknown client quota entity type 'topic'");
            assertThat(describe(first, ClientQuotaFilter.all())).doesNotContainKey(bob).doesNotContainKey(entity("group", "g"));
        }
    }

    @Test
    void kafkaConfigsDescribesUsersAndAltersClients() throws Exception {
        String bootstrap = cluster.bootstrapServers();
        Run altered = KafkaDistribution.runTool(Duration.ofSeconds(120), "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server", bootstrap, "--alter", "--add-config", "producer_byte_rate=1024", "--entity-type", "clients",
                "--entity-name", "x");
        assertThat(altered.exitCode()).as(altered.output()).isZero();
        assertThat(altered.output()).contains("Completed updating config for client x");
        Run user = KafkaDistribution.runTool(Duration.ofSeconds(120), "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server", bootstrap, "--alter", "--add-config", "consumer_byte_rate=4096", "--entity-type", "users",
                "--entity-name", "carol");
        assertThat(user.exitCode()).as(user.output()).isZero();
        Run users = KafkaDistribution.runTool(Duration.ofSeconds(120), "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server", bootstrap, "--describe", "--entity-type", "users");
        assertThat(users.exitCode()).as(users.output()).isZero();
        assertThat(users.output()).contains("user-principal 'carol'", "consumer_byte_rate=4096");
        Run clients = KafkaDistribution.runTool(Duration.ofSeconds(120), "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server", bootstrap, "--describe", "--entity-type", "clients", "--entity-name", "x");
        assertThat(clients.exitCode()).as(clients.output()).isZero();
        assertThat(clients.output()).contains("client-id 'x'", "producer_byte_rate=1024");
        Run bad = KafkaDistribution.runTool(Duration.ofSeconds(120), "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server", bootstrap, "--alter", "--add-config", "producer_byte_rate=-1", "--entity-type", "clients",
                "--entity-name", "x");
        assertThat(bad.exitCode()).as(bad.output()).isNotZero();
        assertThat(bad.output()).contains("must be a positive number");
    }

    @Test
    void producerAndConsumerOverTheirByteRatesAreThrottledAndLoseNothing() throws Exception {
        String topic = "quota-throttled";
        int records = 60;
        String value = "v".repeat(4000);
        try (Admin admin = admin(0)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 2))).all().get();
            // 240 kB against 20 kB/s: over the rate within the first second
            admin.alterClientQuotas(List.of(
                    alteration(entity(ClientQuotaEntity.CLIENT_ID, "throttled-producer"), "producer_byte_rate", 20_000.0),
                    alteration(entity(ClientQuotaEntity.CLIENT_ID, "throttled-consumer"), "consumer_byte_rate", 20_000.0)))
                    .all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin(1), ClientQuotaFilter.all()).containsKey(
                    entity(ClientQuotaEntity.CLIENT_ID, "throttled-consumer")));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "throttled-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, value));
            }
            producer.flush();
            assertThat(metric(producer.metrics(), "producer-metrics", "produce-throttle-time-avg")).isPositive();
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "throttled-consumer");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(r.key());
                }
                return keys.size() >= records;
            });
            assertThat(metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max")).isPositive();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            expected.add("k" + i);
        }
        assertThat(keys).containsExactlyElementsOf(expected);
    }

    private Admin admin(int broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.broker(broker).boundPort()));
    }

    private static ClientQuotaEntity entity(String type, String name) {
        Map<String, String> m = new HashMap<>();
        m.put(type, name);
        return new ClientQuotaEntity(m);
    }

    private static ClientQuotaAlteration alteration(ClientQuotaEntity entity, Object... keyValues) {
        List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            ops.add(new ClientQuotaAlteration.Op((String) keyValues[i], (Double) keyValues[i + 1]));
        }
        return new ClientQuotaAlteration(entity, ops);
    }

    private static Map<ClientQuotaEntity, Map<String, Double>> describe(Admin admin, ClientQuotaFilter filter) throws Exception {
        return admin.describeClientQuotas(filter).entities().get();
    }

    private static void assertInvalid(Admin admin, ClientQuotaAlteration alteration, String message) {
        assertThatThrownBy(() -> admin.alterClientQuotas(List.of(alteration)).all().get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + group + "/" + name));
    }
}
