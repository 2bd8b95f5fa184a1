package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumer groups with unmodified kafka-clients: splitting, failure, restart, cooperative and static members, Admin. */
class ConsumerGroupsIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private static void produce(String topic, int partitions, int perPartition, String prefix) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < perPartition; i++) {
                for (int part = 0; part < partitions; part++) {
                    producer.send(new ProducerRecord<>(topic, part, null, prefix + "-" + part + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, String> consumer(String group, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    /** Polls every consumer until each has an assignment and together they cover {@code expected} partitions. */
    private static void pollUntilAssigned(List<KafkaConsumer<String, String>> consumers, int expected) {
        await().atMost(Duration.ofSeconds(45)).until(() -> {
            consumers.forEach(c -> c.poll(Duration.ofMillis(100)));
            Set<TopicPartition> all = new HashSet<>();
            int total = 0;
            for (KafkaConsumer<String, String> c : consumers) {
                if (c.assignment().isEmpty()) {
                    return false;
                }
                all.addAll(c.assignment());
                total += c.assignment().size();
            }
            return all.size() == expected && total == expected;
        });
    }

    @Test
    void membersSplitPartitionsWithoutOverlap() throws Exception {
        createTopic("split", 6);
        List<KafkaConsumer<String, String>> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> c = consumer("splitters", Map.of());
                c.subscribe(List.of("split"));
                members.add(c);
            }
            pollUntilAssigned(members, 6);
            assertThat(members).allSatisfy(c -> assertThat(c.assignment()).hasSize(2));
        } finally {
            members.forEach(KafkaConsumer::close);
        }
    }

    @Test
    void aDeadMembersPartitionsMoveAfterTheSessionTimeout() throws Exception {
        createTopic("failover", 4);
        KafkaConsumer<String, String> survivor = consumer("failover-group", Map.of());
        KafkaConsumer<String, String> victim = consumer("failover-group", Map.of());
        try {
            survivor.subscribe(List.of("failover"));
            victim.subscribe(List.of("failover"));
            pollUntilAssigned(List.of(survivor, victim), 4);
            // the victim vanishes without a LeaveGroup, as a killed process would
            victim.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            long start = System.nanoTime();
            pollUntilAssigned(List.of(survivor), 4);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(40));
        } finally {
            survivor.close();
        }
    }

    @Test
    void committedOffsetsSurviveABrokerRestartAndTheGroupResumesExactly() throws Exception {
        createTopic("resume", 2);
        produce("resume", 2, 50, "r");
        List<String> firstRun = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer("resumers", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10))) {
            c.subscribe(List.of("resume"));
            while (firstRun.size() < 60) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    firstRun.add(r.value());
                }
            }
            c.commitSync();
        }
        cluster.restartBroker(0);
        List<String> secondRun = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer("resumers", Map.of())) {
            c.subscribe(List.of("resume"));
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (firstRun.size() + secondRun.size() < 100 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> secondRun.add(r.value()));
            }
            assertThat(c.poll(Duration.ofMillis(500))).isEmpty();
        }
        List<String> all = new ArrayList<>(firstRun);
        all.addAll(secondRun);
        assertThat(all).hasSize(100).doesNotHaveDuplicates();
    }

    @Test
    void cooperativeRebalancingKeepsUnmovedPartitions() throws Exception {
        createTopic("coop", 4);
        Map<String, Object> coop = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        List<Collection<TopicPartition>> revokedFromFirst = new ArrayList<>();
        KafkaConsumer<String, String> first = consumer("coop-group", coop);
        KafkaConsumer<String, String> second = consumer("coop-group", coop);
        try {
            first.subscribe(List.of("coop"), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revokedFromFirst.add(List.copyOf(partitions));
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            pollUntilAssigned(List.of(first), 4);
            second.subscribe(List.of("coop"));
            pollUntilAssigned(List.of(first, second), 4);
            assertThat(first.assignment()).hasSize(2);
            // cooperative: only the two partitions that moved were revoked, never all four
            assertThat(revokedFromFirst).allSatisfy(r -> assertThat(r).hasSize(2));
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void staticMemberRestartKeepsItsAssignmentWithoutRebalance() throws Exception {
        createTopic("static", 2);
        KafkaConsumer<String, String> a = consumer("static-group", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "a"));
        KafkaConsumer<String, String> b = consumer("static-group", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "b"));
        try {
            a.subscribe(List.of("static"));
            b.subscribe(List.of("static"));
            pollUntilAssigned(List.of(a, b), 2);
            Set<TopicPartition> bBefore = Set.copyOf(b.assignment());
            a.close(); // static members do not leave on close
            KafkaConsumer<String, String> a2 = consumer("static-group", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "a"));
            a2.subscribe(List.of("static"));
            a = a2;
            pollUntilAssigned(List.of(a2, b), 2);
            assertThat(b.assignment()).isEqualTo(bBefore);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void adminSeesListsAltersAndDeletesGroupsAndOffsets() throws Exception {
        createTopic("admin-topic", 2);
        produce("admin-topic", 2, 10, "a");
        TopicPartition p0 = new TopicPartition("admin-topic", 0);
        TopicPartition p1 = new TopicPartition("admin-topic", 1);
        try (Admin admin = admin()) {
            try (KafkaConsumer<String, String> c = consumer("admin-group", Map.of())) {
                c.subscribe(List.of("admin-topic"));
                pollUntilAssigned(List.of(c), 2);
                c.commitSync(Map.of(p0, new OffsetAndMetadata(4, "jms-ack-state"), p1, new OffsetAndMetadata(7)));
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("admin-group")).all().get().get("admin-group");
                assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(d.members()).hasSize(1);
                assertThat(d.members().iterator().next().assignment().topicPartitions()).containsExactlyInAnyOrder(p0, p1);
                Collection<GroupListing> listed = admin.listGroups().all().get();
                assertThat(listed).extracting(GroupListing::groupId).contains("admin-group");
                assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("admin-group")).all().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("admin-group")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(offsets.get(p0)).isEqualTo(new OffsetAndMetadata(4, "jms-ack-state"));
            assertThat(offsets.get(p1).offset()).isEqualTo(7);
            admin.alterConsumerGroupOffsets("admin-group", Map.of(p0, new OffsetAndMetadata(1))).all().get();
            assertThat(admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get().get(p0).offset())
                    .isEqualTo(1);
            admin.deleteConsumerGroupOffsets("admin-group", Set.of(p1)).all().get();
            assertThat(admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get()).containsOnlyKeys(p0);
            admin.deleteConsumerGroups(List.of("admin-group")).all().get();
            assertThat(admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get()).isEmpty();
        }
    }

    @Test
    void staleGenerationCommitsAreFenced() throws Exception {
        createTopic("fence", 1);
        try (KafkaConsumer<String, String> c = consumer("fence-group", Map.of())) {
            c.subscribe(List.of("fence"));
            pollUntilAssigned(List.of(c), 1);
            c.commitSync(Map.of(new TopicPartition("fence", 0), new OffsetAndMetadata(1)));
        }
        // a member-less commit is refused while the group has members, accepted once it is empty
        try (KafkaConsumer<String, String> member = consumer("fence-group", Map.of());
             Admin admin = admin()) {
            member.subscribe(List.of("fence"));
            pollUntilAssigned(List.of(member), 1);
            assertThatThrownBy(() -> admin.alterConsumerGroupOffsets("fence-group",
                    Map.of(new TopicPartition("fence", 0), new OffsetAndMetadata(0))).all().get())
                    .isInstanceOf(ExecutionException.class);
            assertThat(admin.listConsumerGroupOffsets("fence-group").partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition("fence", 0)).offset()).isEqualTo(1);
        }
    }
}
