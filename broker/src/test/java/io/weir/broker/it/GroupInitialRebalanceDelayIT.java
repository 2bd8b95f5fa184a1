package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group config {@code weir.group.initial.rebalance.delay.ms} with unmodified kafka-clients: set, described and
 * deleted with the Admin client, refused when it is not a number of 0 or more, and used by the coordinator. The broker
 * runs with a first-rebalance delay far longer than any test waits (10 minutes, so 5 minutes with the consumer's
 * default rebalance timeout): a consumer of a group set to 0 gets its partitions well within the wait, one of a
 * group without it would not.
 */
class GroupInitialRebalanceDelayIT {
    private static final String KEY = "weir.group.initial.rebalance.delay.ms";
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).brokerProperty("group.initial.rebalance.delay.ms", "600000").build()
                .start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static void alter(Admin admin, String group, AlterConfigOp op) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(op))).all()
                .get(30, TimeUnit.SECONDS);
    }

    private static ConfigEntry describe(Admin admin, String group) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        return config.get(KEY);
    }

    @Test
    void theGroupConfigIsSetDescribedDeletedAndValidated() throws Exception {
        try (Admin admin = admin()) {
            ConfigEntry before = describe(admin, "round-trip");
            assertThat(before.value()).isEqualTo("600000");
            assertThat(before.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

            alter(admin, "round-trip", new AlterConfigOp(new ConfigEntry(KEY, "0"), AlterConfigOp.OpType.SET));
            ConfigEntry set = describe(admin, "round-trip");
            assertThat(set.value()).isEqualTo("0");
            assertThat(set.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);

            for (String bad : List.of("-1", "soon", "1.5")) {
                assertThatThrownBy(() -> alter(admin, "round-trip", new AlterConfigOp(new ConfigEntry(KEY, bad),
                        AlterConfigOp.OpType.SET))).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(KEY);
            }
            assertThat(describe(admin, "round-trip").value()).as("a refused value changes nothing").isEqualTo("0");

            alter(admin, "round-trip", new AlterConfigOp(new ConfigEntry(KEY, ""), AlterConfigOp.OpType.DELETE));
            ConfigEntry deleted = describe(admin, "round-trip");
            assertThat(deleted.value()).isEqualTo("600000");
            assertThat(deleted.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
    }

    @Test
    void aGroupSetToZeroIsAssignedWithoutTheBrokersDelay() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("no-wait", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            alter(admin, "no-wait-group", new AlterConfigOp(new ConfigEntry(KEY, "0"), AlterConfigOp.OpType.SET));
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "no-wait-group");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("no-wait"));
            // the broker's delay would hold the first join for 5 minutes (the default max.poll.interval.ms)
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
        }
    }
}
