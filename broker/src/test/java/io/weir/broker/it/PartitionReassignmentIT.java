package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.replication.ReplicationQuota;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Partition reassignment through the Admin API (AlterPartitionReassignments and
 * ListPartitionReassignments) on a three-broker cluster, with unmodified kafka-clients. A partition on
 * two brokers moves to the third while an idempotent acks=all producer writes, its leader included:
 * the new replica catches up, the reassignment shows as in progress until then, the old replica
 * leaves and deletes its log, and every acknowledged record is on the new replicas once, in order.
 * The new replica is held back by stopping its fetching, so "in progress" is observed
 * deterministically. Also the admin calls around it: incremental topic config changes, which every
 * replica applies, and the log directories each broker describes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionReassignmentIT {
    private EmbeddedWeirCluster cluster;
    private Admin admin;

    @BeforeAll
    void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(3).brokerProperty("replica.lag.time.max.ms", "3000").build().start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPartitionMovesToAnotherBrokerLeaderIncludedUnderAnAcksAllProducer() throws Exception {
        String topic = "moving";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic);
        TopicPartitionInfo before = describe(topic);
        List<Integer> original = ids(before.replicas());
        int leader = before.leader().id();
        int follower = original.stream().filter(id -> id != leader).findFirst().orElseThrow();
        int outsider = outsider(original);

        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            int sent = 0;
            for (; sent < 500; sent++) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + sent)));
            }
            producer.flush();

            cluster.pauseFollowerFetching(outsider, true);
            try {
                List<Integer> target = List.of(outsider, follower);
                admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(target))))
                        .all().get(30, TimeUnit.SECONDS);

                PartitionReassignment ongoing = admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS)
                        .get(tp);
                assertThat(ongoing).as("in progress while the new replica cannot catch up").isNotNull();
                assertThat(ongoing.replicas()).containsExactly(outsider, follower, leader);
                assertThat(ongoing.addingReplicas()).containsExactly(outsider);
                assertThat(ongoing.removingReplicas()).containsExactly(leader);
                assertThat(admin.listPartitionReassignments(Set.of(tp, new TopicPartition(topic, 5))).reassignments()
                        .get(30, TimeUnit.SECONDS)).containsOnlyKeys(tp);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(ids(describe(topic).replicas())).containsExactly(outsider, follower, leader));
                assertThat(ids(describe(topic).isr())).doesNotContain(outsider);
                for (; sent < 1000; sent++) {
                    sends.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + sent)));
                }
                producer.flush();
                assertThat(ids(describe(topic).isr())).as("not in sync while stalled").doesNotContain(outsider);
            } finally {
                cluster.pauseFollowerFetching(outsider, false);
            }

            for (; sent < 2000; sent++) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + sent)));
                if (sent % 100 == 0) {
                    Thread.sleep(20); // keep writing while the reassignment completes
                }
            }
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() ->
                    admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).isEmpty());
            for (; sent < 2500; sent++) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + sent)));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(60, TimeUnit.SECONDS); // every write is acknowledged, across the leader's move
            }
        }

        TopicPartitionInfo after = describe(topic);
        assertThat(ids(after.replicas())).containsExactly(outsider, follower);
        assertThat(new HashSet<>(ids(after.isr()))).isEqualTo(Set.of(outsider, follower));
        assertThat(after.leader().id()).as("the removed leader handed over").isIn(outsider, follower);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(cluster.broker(leader).replicaManager().partition(tp)).as("removed replica").isEmpty();
            assertThat(cluster.broker(leader).logManager().getLog(tp)).as("its log is deleted").isEmpty();
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            expected.add(i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> endOffset(outsider, tp) == 2500 && endOffset(follower, tp) == 2500);
        assertThat(values(outsider, tp)).containsExactlyElementsOf(expected);
        assertThat(values(follower, tp)).containsExactlyElementsOf(expected);
    }

    @Test
    void aCancelledReassignmentReturnsToTheOriginalReplicasAndTheAddedOneDropsItsCopy() throws Exception {
        String topic = "staying";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic);
        List<Integer> original = ids(describe(topic).replicas());
        int outsider = outsider(original);
        cluster.pauseFollowerFetching(outsider, true);
        try {
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(
                    List.of(outsider, original.get(0)))))).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker(outsider).replicaManager().partition(tp).isPresent());
            assertThat(admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS)).containsKey(tp);

            admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS)).doesNotContainKey(tp);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(ids(describe(topic).replicas())).containsExactlyElementsOf(original);
                assertThat(cluster.broker(outsider).replicaManager().partition(tp)).isEmpty();
                assertThat(cluster.broker(outsider).logManager().getLog(tp)).isEmpty();
            });
        } finally {
            cluster.pauseFollowerFetching(outsider, false);
        }
    }

    @Test
    void invalidRequestsGetAPreciseErrorPerPartition() throws Exception {
        String topic = "checked";
        createTopic(topic);
        List<Integer> original = ids(describe(topic).replicas());
        Map<TopicPartition, Optional<NewPartitionReassignment>> request = new LinkedHashMap<>();
        request.put(new TopicPartition("no-such-topic", 0), Optional.of(new NewPartitionReassignment(List.of(0, 1))));
        request.put(new TopicPartition(topic, 7), Optional.of(new NewPartitionReassignment(List.of(0, 1))));
        request.put(new TopicPartition(topic, 0), Optional.empty());
        var result = admin.alterPartitionReassignments(request).values();
        assertCause(result.get(new TopicPartition("no-such-topic", 0)), UnknownTopicOrPartitionException.class);
        assertCause(result.get(new TopicPartition(topic, 7)), UnknownTopicOrPartitionException.class);
        assertCause(result.get(new TopicPartition(topic, 0)), NoReassignmentInProgressException.class);
        // (an empty list is refused by the client itself; ReassignmentsTest covers the broker's answer)
        for (List<Integer> bad : List.of(List.of(0, 0), List.of(0, 42))) {
            assertCause(admin.alterPartitionReassignments(Map.of(new TopicPartition(topic, 0),
                    Optional.of(new NewPartitionReassignment(bad)))).all(), InvalidReplicaAssignmentException.class);
        }
        assertThat(ids(describe(topic).replicas())).as("nothing changed").containsExactlyElementsOf(original);
        assertThat(admin.listPartitionReassignments(Set.of(new TopicPartition("no-such-topic", 0))).reassignments()
                .get(30, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void topicConfigsChangeIncrementallyOnEveryReplicaAndLogDirsAreDescribed() throws Exception {
        String topic = "configured";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic);
        List<Integer> replicas = ids(describe(topic).replicas());
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "v-0")).get(30, TimeUnit.SECONDS);
        }
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(op("retention.ms", "3600000",
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.describeConfigs(List.of(resource)).all()
                .get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value()).isEqualTo("3600000"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int id : replicas) {
                assertThat(cluster.broker(id).replicaManager().partition(tp).orElseThrow().log().config().retentionMs())
                        .as("broker %d applies it", id).isEqualTo(3_600_000L);
            }
        });
        for (var bad : List.of(op("no.such.config", "1", org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                op("retention.ms", "banana", org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                op("leader.replication.throttled.replicas", "0:banana", org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                op("cleanup.policy", "banana", org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))) {
            assertCause(admin.incrementalAlterConfigs(Map.of(resource, List.of(bad))).all(),
                    org.apache.kafka.common.errors.InvalidConfigurationException.class);
        }
        org.apache.kafka.common.config.ConfigResource unknown =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "nope");
        assertCause(admin.incrementalAlterConfigs(Map.of(unknown, List.of(op("retention.ms", "1",
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all(), UnknownTopicOrPartitionException.class);
        org.apache.kafka.common.config.ConfigResource broker =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "0");
        assertCause(admin.incrementalAlterConfigs(Map.of(broker, List.of(op("log.retention.ms", "1",
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all(),
                org.apache.kafka.common.errors.InvalidConfigurationException.class);
        assertCause(admin.incrementalAlterConfigs(Map.of(broker, List.of(op("leader.replication.throttled.rate", "0",
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all(),
                org.apache.kafka.common.errors.InvalidConfigurationException.class);
        admin.incrementalAlterConfigs(Map.of(broker, List.of(op("leader.replication.throttled.rate", null,
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(op("retention.ms", null,
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        // any broker may answer, and the others learn the change from ZooKeeper a moment later
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.describeConfigs(List.of(resource)).all()
                .get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value()).as("back to the broker default")
                .isNotEqualTo("3600000"));

        var dirs = admin.describeLogDirs(List.of(0, 1, 2)).allDescriptions().get(30, TimeUnit.SECONDS);
        for (int id = 0; id < 3; id++) {
            var replicaInfos = dirs.get(id).values().stream().flatMap(d -> d.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().equals(tp)).toList();
            if (replicas.contains(id)) {
                assertThat(replicaInfos).as("broker %d holds %s", id, tp).hasSize(1);
                assertThat(replicaInfos.get(0).getValue().size()).isPositive();
                assertThat(replicaInfos.get(0).getValue().isFuture()).isFalse();
            } else {
                assertThat(replicaInfos).as("broker %d does not hold %s", id, tp).isEmpty();
            }
            assertThat(dirs.get(id).values()).allSatisfy(d -> {
                assertThat(d.error()).isNull();
                assertThat(d.totalBytes().orElse(-1)).isPositive();
            });
        }
    }

    /**
     * A reassignment under Kafka's replication throttle: the moving replica catches up at the set pace
     * (the throttle engages and holds it back while the in-sync replicas are never throttled), the
     * rates show as dynamic broker settings, and once they are removed the move completes.
     */
    @Test
    void aThrottledReassignmentIsHeldToTheRateUntilTheThrottleIsRemoved() throws Exception {
        String topic = "throttled";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic);
        List<Integer> original = ids(describe(topic).replicas());
        int leader = describe(topic).leader().id();
        int follower = original.stream().filter(id -> id != leader).findFirst().orElseThrow();
        int outsider = outsider(original);
        String value = "x".repeat(1000);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 4000; i++) { // about 4 MB: beyond what the rate lets through in its first 10 s
                producer.send(new ProducerRecord<>(topic, 0, "k", value));
            }
            producer.flush();
        }
        var topicResource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        var set = org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET;
        var delete = org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE;
        Map<org.apache.kafka.common.config.ConfigResource, java.util.Collection<org.apache.kafka.clients.admin.AlterConfigOp>> on =
                new java.util.HashMap<>();
        Map<org.apache.kafka.common.config.ConfigResource, java.util.Collection<org.apache.kafka.clients.admin.AlterConfigOp>> off =
                new java.util.HashMap<>();
        for (int id : List.of(leader, outsider)) {
            var b = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER,
                    String.valueOf(id));
            on.put(b, List.of(op("leader.replication.throttled.rate", "100000", set),
                    op("follower.replication.throttled.rate", "100000", set)));
            off.put(b, List.of(op("leader.replication.throttled.rate", null, delete),
                    op("follower.replication.throttled.rate", null, delete)));
        }
        on.put(topicResource, List.of(op("leader.replication.throttled.replicas", "0:" + leader + ",0:" + follower, set),
                op("follower.replication.throttled.replicas", "0:" + outsider, set)));
        admin.incrementalAlterConfigs(on).all().get(30, TimeUnit.SECONDS);
        var leaderResource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.BROKER, String.valueOf(leader));
        var described = admin.describeConfigs(List.of(leaderResource)).all().get(30, TimeUnit.SECONDS).get(leaderResource)
                .get("leader.replication.throttled.rate");
        assertThat(described.value()).isEqualTo("100000");
        assertThat(described.source()).isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.broker(leader).replicaManager().leaderQuota().rate() == 100_000
                && cluster.broker(outsider).replicaManager().followerQuota().rate() == 100_000);

        admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(leader, outsider)))))
                .all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.broker(leader).replicaManager().leaderQuota().throttledTimes()
                + cluster.broker(outsider).replicaManager().followerQuota().throttledTimes() > 0);
        assertThat(admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS)).as("held back")
                .containsKey(tp);
        long moved = cluster.broker(outsider).replicaManager().partition(tp).map(p -> p.log().logEndOffset()).orElse(0L);
        assertThat(moved).as("the new replica is behind").isLessThan(4000);
        assertThat(ids(describe(topic).isr())).as("the in-sync replicas are not throttled").contains(leader, follower);

        admin.incrementalAlterConfigs(off).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() ->
                admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).isEmpty());
        assertThat(ids(describe(topic).replicas())).containsExactly(leader, outsider);
        await().atMost(Duration.ofSeconds(20)).until(() -> endOffset(outsider, tp) == 4000);
        assertThat(cluster.broker(outsider).replicaManager().followerQuota().rate()).isEqualTo(ReplicationQuota.UNLIMITED);
    }

    /** DeleteRecords through the Admin API: the leader's log start moves, the followers follow, consumers start there. */
    @Test
    void deletedRecordsAreGoneFromEveryReplica() throws Exception {
        String topic = "purged";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic);
        List<Integer> replicas = ids(describe(topic).replicas());
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + i));
            }
            producer.flush();
        }
        var result = admin.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(40)))
                .lowWatermarks().get(tp).get(30, TimeUnit.SECONDS);
        assertThat(result.lowWatermark()).isEqualTo(40);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int id : replicas) {
                assertThat(cluster.broker(id).replicaManager().partition(tp).orElseThrow().log().logStartOffset())
                        .as("broker %d", id).isEqualTo(40);
            }
        });
        assertThat(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest())).partitionResult(tp)
                .get(30, TimeUnit.SECONDS).offset()).isEqualTo(40);
        java.util.Properties c = new java.util.Properties();
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(c)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> left = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> left.add(r.offset() + ":" + r.value()));
                return left.size() >= 60;
            });
            assertThat(left).as("what a consumer reads from the beginning").hasSize(60).startsWith("40:v-40").endsWith("99:v-99");
        }

        var beyond = admin.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(1000)))
                .lowWatermarks().get(tp);
        assertThatThrownBy(() -> beyond.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
    }

    private static org.apache.kafka.clients.admin.AlterConfigOp op(String name, String value,
                                                                   org.apache.kafka.clients.admin.AlterConfigOp.OpType type) {
        return new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(name, value), type);
    }

    // ---- helpers

    private void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 2).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> describe(topic).isr().size() == 2);
    }

    private static void assertCause(org.apache.kafka.common.KafkaFuture<Void> f, Class<? extends Throwable> type) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(type).hasMessageNotContaining("Unexpected");
    }

    private int outsider(List<Integer> replicas) {
        for (int id = 0; id < cluster.size(); id++) {
            if (!replicas.contains(id)) {
                return id;
            }
        }
        throw new AssertionError("every broker holds " + replicas);
    }

    private TopicPartitionInfo describe(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        return d.partitions().get(0);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private long endOffset(int broker, TopicPartition tp) {
        return cluster.broker(broker).replicaManager().partition(tp).map(p -> p.highWatermark().offset()).orElse(-1L);
    }

    /** The record values in broker {@code id}'s copy of {@code tp}, in offset order, as {@code i} of "v-i". */
    private List<Integer> values(int id, TopicPartition tp) {
        PartitionLog log = cluster.broker(id).replicaManager().partition(tp).orElseThrow().log();
        List<Integer> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            FetchDataInfo info = log.read(offset, 1 << 20, true);
            long next = offset;
            for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                for (Record r : batch) {
                    out.add(Integer.parseInt(StandardCharsets.UTF_8.decode(r.value()).toString().substring(2)));
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return out;
    }
}
