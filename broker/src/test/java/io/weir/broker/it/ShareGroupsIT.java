package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share groups (KIP-932) with unmodified {@link KafkaShareConsumer}s against one Weir broker: several
 * members consuming one partition together, explicit acknowledgement, lock-timeout redelivery,
 * RELEASE and REJECT, and the delivery-count limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareGroupsIT {
    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("group.share.delivery.count.limit", "3")
                .build().start();
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
    void severalMembersShareOnePartitionAndEachRecordIsAcceptedOnce() throws Exception {
        String topic = "shared-work";
        String group = "workers";
        setUp(topic, group, Map.of());
        int total = 300;
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> perMember = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger polled = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try {
            for (int m = 0; m < 3; m++) {
                int member = m;
                perMember.put(member, new AtomicInteger());
                threads.execute(() -> {
                    try (KafkaShareConsumer<String, String> c = consumer(group, 10)) {
                        c.subscribe(List.of(topic));
                        while (!stop.get()) {
                            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                                seen.merge(r.value(), 1, Integer::sum);
                                perMember.get(member).incrementAndGet();
                                c.acknowledge(r, AcknowledgeType.ACCEPT);
                            }
                            c.commitSync();
                            polled.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> membersOf(group) == 3);
            produce(topic, total, "w-");
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == total);
            // a while longer: nothing may come twice
            int after = polled.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() > after + 30);
        } finally {
            stop.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(seen).hasSize(total);
        assertThat(seen.values()).as("every record accepted exactly once").allMatch(n -> n == 1);
        assertThat(perMember.values().stream().filter(n -> n.get() > 0).count()).as("members that got records: " + perMember)
                .isGreaterThanOrEqualTo(2);
        Properties classic = new Properties();
        classic.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        classic.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        classic.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        classic.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        classic.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> intruder = new org.apache.kafka.clients.consumer.KafkaConsumer<>(classic)) {
            intruder.subscribe(List.of(topic));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    intruder.poll(Duration.ofMillis(100));
                }
            }).as("a classic consumer cannot join a share group").isInstanceOf(org.apache.kafka.common.errors.InconsistentGroupProtocolException.class);
        }
        ShareGroupDescription d = admin.describeShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
        assertThat(d.members()).isEmpty();
        assertThat(admin.listGroups().all().get(10, TimeUnit.SECONDS)).anyMatch(g -> g.groupId().equals(group)
                && g.type().map(t -> t.toString().equalsIgnoreCase("share")).orElse(false));
    }

    @Test
    void anUnacknowledgedRecordIsRedeliveredWhenItsLockExpires() throws Exception {
        String topic = "locks";
        String group = "lockers";
        setUp(topic, group, Map.of("share.record.lock.duration.ms", "1000"));
        produce(topic, 1, "l-");
        var described = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.GROUP, group))).all()
                .get(30, TimeUnit.SECONDS).get(new ConfigResource(ConfigResource.Type.GROUP, group));
        assertThat(described.get("share.record.lock.duration.ms").value()).isEqualTo("1000");
        assertThat(described.get("share.auto.offset.reset").value()).isEqualTo("earliest");
        try (KafkaShareConsumer<String, String> holder = consumer(group, 1);
             KafkaShareConsumer<String, String> other = consumer(group, 1)) {
            holder.subscribe(List.of(topic));
            ConsumerRecord<String, String> first = pollOne(holder);
            assertThat(first.deliveryCount()).contains((short) 1);
            // the holder neither acknowledges nor polls again: after a second the lock expires
            other.subscribe(List.of(topic));
            ConsumerRecord<String, String> again = pollOne(other);
            assertThat(again.offset()).isEqualTo(first.offset());
            assertThat(again.deliveryCount()).contains((short) 2);
            other.acknowledge(again, AcknowledgeType.ACCEPT);
            assertThat(other.commitSync().values()).allMatch(java.util.Optional::isEmpty);
        }
    }

    @Test
    void releaseRedeliversRejectArchivesAndTheDeliveryLimitArchives() throws Exception {
        String topic = "verdicts";
        String group = "judges";
        // one batch at a time: the client fetches ahead after each poll, and without this the fetch ahead may acquire
        // v-1 before v-0's release arrives (seen under load), which would make the order below depend on timing
        setUp(topic, group, Map.of("weir.share.single.batch", "true"));
        produce(topic, 3, "v-");
        List<String> deliveries = new ArrayList<>();
        try (KafkaShareConsumer<String, String> c = consumer(group, 1)) {
            c.subscribe(List.of(topic));
            // v-0: released every time, archived after 3 deliveries (group.share.delivery.count.limit=3)
            // v-1: rejected at once; v-2: accepted
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    deliveries.add(r.value() + "#" + r.deliveryCount().orElse((short) -1));
                    switch (r.value()) {
                        case "v-0" -> c.acknowledge(r, AcknowledgeType.RELEASE);
                        case "v-1" -> c.acknowledge(r, AcknowledgeType.REJECT);
                        default -> {
                            c.acknowledge(r, AcknowledgeType.ACCEPT);
                            done = true;
                        }
                    }
                }
                c.commitSync();
            }
            assertThat(done).isTrue();
            // records come in offset order with redeliveries first, so v-0's redeliveries precede v-2
            assertThat(deliveries).containsExactly("v-0#1", "v-0#2", "v-0#3", "v-1#1", "v-2#1");
            produce(topic, 1, "after-");
            ConsumerRecord<String, String> next = pollOne(c);
            assertThat(next.value()).as("nothing archived comes back").isEqualTo("after-0");
            c.acknowledge(next, AcknowledgeType.ACCEPT);
            c.commitSync();
        }
    }

    @Test
    void offsetsAreDescribedAlteredAndDeletedWithTheAdminClient() throws Exception {
        String topic = "admin-offsets";
        String group = "administered";
        setUp(topic, group, Map.of());
        produce(topic, 10, "a-");
        org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
        try (KafkaShareConsumer<String, String> c = consumer(group, 4)) {
            c.subscribe(List.of(topic));
            int accepted = 0;
            while (accepted < 4) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                    accepted++;
                }
                c.commitSync();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> membersOf(group) == 0);
        assertThat(startOffset(group, tp)).isEqualTo(4);

        admin.alterShareGroupOffsets(group, Map.of(tp, 8L)).all().get(30, TimeUnit.SECONDS);
        assertThat(startOffset(group, tp)).isEqualTo(8);
        try (KafkaShareConsumer<String, String> c = consumer(group, 1)) {
            c.subscribe(List.of(topic));
            ConsumerRecord<String, String> r = pollOne(c);
            assertThat(r.value()).as("the group resumes at the altered start offset").isEqualTo("a-8");
            c.acknowledge(r, AcknowledgeType.RELEASE);
            c.commitSync();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> membersOf(group) == 0);

        admin.deleteShareGroupOffsets(group, java.util.Set.of(topic)).all().get(30, TimeUnit.SECONDS);
        try (KafkaShareConsumer<String, String> c = consumer(group, 1)) {
            c.subscribe(List.of(topic));
            ConsumerRecord<String, String> r = pollOne(c);
            assertThat(r.value()).as("deleted offsets start again per share.auto.offset.reset=earliest").isEqualTo("a-0");
            assertThat(r.deliveryCount()).contains((short) 1);
            c.acknowledge(r, AcknowledgeType.RELEASE);
            c.commitSync();
        }
    }

    @Test
    void kafkaShareGroupsToolDescribesResetsAndDeletesOffsets() throws Exception {
        String topic = "tooled";
        String group = "tool-users";
        setUp(topic, group, Map.of());
        produce(topic, 5, "t-");
        try (KafkaShareConsumer<String, String> c = consumer(group, 2)) {
            c.subscribe(List.of(topic));
            int accepted = 0;
            while (accepted < 2) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                    accepted++;
                }
                c.commitSync();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> membersOf(group) == 0);
        String tool = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";
        String bootstrap = cluster.bootstrapServers();
        io.weir.broker.testing.KafkaDistribution.Run describe = io.weir.broker.testing.KafkaDistribution.runTool(Duration.ofSeconds(90),
                tool, "--bootstrap-server", bootstrap, "--describe", "--group", group);
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        assertThat(describe.output()).contains(topic).containsPattern(topic + "\\s+0\\s+2");
        io.weir.broker.testing.KafkaDistribution.Run reset = io.weir.broker.testing.KafkaDistribution.runTool(Duration.ofSeconds(90),
                tool, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        assertThat(reset.exitCode()).as(reset.output()).isZero();
        assertThat(startOffset(group, new org.apache.kafka.common.TopicPartition(topic, 0))).isZero();
        io.weir.broker.testing.KafkaDistribution.Run delete = io.weir.broker.testing.KafkaDistribution.runTool(Duration.ofSeconds(90),
                tool, "--bootstrap-server", bootstrap, "--delete-offsets", "--group", group, "--topic", topic);
        assertThat(delete.exitCode()).as(delete.output()).isZero();
    }

    @Test
    void aClosedConnectionReleasesItsRecordsAtOnceAndBadSessionsAreRefused() throws Exception {
        String topic = "vanishing";
        String group = "vanishers";
        // a lock far longer than the test: only the closed connection can release the record
        setUp(topic, group, Map.of("share.record.lock.duration.ms", "600000"));
        org.apache.kafka.common.Uuid topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .topicId();
        produce(topic, 1, "gone-");
        String member = org.apache.kafka.common.Uuid.randomUuid().toString();
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            var stale = (org.apache.kafka.common.requests.ShareFetchResponse) raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH,
                    (short) 1, shareFetch(group, member, 5, topicId, List.of()));
            assertThat(stale.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.SHARE_SESSION_NOT_FOUND);
            var fetched = (org.apache.kafka.common.requests.ShareFetchResponse) raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH,
                    (short) 1, shareFetch(group, member, 0, topicId, List.of()));
            assertThat(fetched.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.NONE);
            var partition = fetched.data().responses().iterator().next().partitions().get(0);
            assertThat(partition.acquiredRecords()).hasSize(1);
            assertThat(partition.acquiredRecords().get(0).firstOffset()).isZero();
            // a request opening a session carries no acknowledgements (KIP-932): refused whole, the record stays acquired
            var ackOnOpen = (org.apache.kafka.common.requests.ShareFetchResponse) raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH,
                    (short) 1, shareFetch(group, member, 0, topicId, List.of(new org.apache.kafka.common.message.ShareFetchRequestData
                            .AcknowledgementBatch().setFirstOffset(0).setLastOffset(0).setAcknowledgeTypes(List.of((byte) 1)))));
            assertThat(ackOnOpen.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.INVALID_REQUEST);
            var wrongEpoch = (org.apache.kafka.common.requests.ShareFetchResponse) raw.send(
                    org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1, shareFetch(group, member, 7, topicId, List.of()));
            assertThat(wrongEpoch.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.INVALID_SHARE_SESSION_EPOCH);
            // another member cannot acknowledge what this one holds
            String thief = org.apache.kafka.common.Uuid.randomUuid().toString();
            raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1, shareFetch(group, thief, 0, topicId, List.of()));
            var stolen = (org.apache.kafka.common.requests.ShareFetchResponse) raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH,
                    (short) 1, shareFetch(group, thief, 1, topicId, List.of(new org.apache.kafka.common.message.ShareFetchRequestData
                            .AcknowledgementBatch().setFirstOffset(0).setLastOffset(0).setAcknowledgeTypes(List.of((byte) 1)))));
            assertThat(stolen.data().responses().iterator().next().partitions().get(0).acknowledgeErrorCode())
                    .isEqualTo(org.apache.kafka.common.protocol.Errors.INVALID_RECORD_STATE.code());
        } // the connection closes as a killed consumer's would
        try (KafkaShareConsumer<String, String> c = consumer(group, 1)) {
            c.subscribe(List.of(topic));
            ConsumerRecord<String, String> r = pollOne(c);
            assertThat(r.value()).isEqualTo("gone-0");
            assertThat(r.deliveryCount()).contains((short) 2);
            c.acknowledge(r, AcknowledgeType.ACCEPT);
            c.commitSync();
        }
    }

    /**
     * A consumer holding a record dies (its connection closes) while its next fetch waits at the broker: the close
     * releases the record, and the waiting fetch, which the release wakes, must not acquire it again for the dead
     * member (for a lock far longer than the test); a live consumer gets it.
     */
    @Test
    void aWaitingFetchWhoseConnectionClosedAcquiresNothing() throws Exception {
        String topic = "abandoned";
        String group = "abandoners";
        setUp(topic, group, Map.of("share.record.lock.duration.ms", "600000"));
        org.apache.kafka.common.Uuid topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .topicId();
        produce(topic, 1, "orphan-");
        String member = org.apache.kafka.common.Uuid.randomUuid().toString();
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            int epoch = 0;
            List<long[]> acquired = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acquired.isEmpty() && System.nanoTime() < deadline) { // the first fetch may find the share-partition loading
                acquired = acquired(raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1,
                        shareFetch(group, member, epoch++, topicId, List.of())));
            }
            assertThat(acquired).as("the member acquired the record").containsExactly(new long[] {0, 0});
            raw.sendOnly(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1,
                    shareFetch(group, member, epoch, topicId, List.of()).setMaxWaitMs(1500));
            Thread.sleep(500); // lets the broker take the fetch in (the test passes either way; this makes it wait)
        } // the connection closes with the fetch waiting, as a killed consumer's would
        Thread.sleep(2500); // the waiting fetch's time runs out before anyone else asks (ordering, not a timing check)
        try (KafkaShareConsumer<String, String> c = consumer(group, 1)) {
            c.subscribe(List.of(topic));
            ConsumerRecord<String, String> r = pollOne(c);
            assertThat(r.value()).isEqualTo("orphan-0");
            assertThat(r.deliveryCount()).contains((short) 2);
            c.acknowledge(r, AcknowledgeType.ACCEPT);
            c.commitSync();
        }
    }

    /**
     * In a single-batch group (the JMS provider's {@code jms-queue.*} groups by default) a member acquires nothing more
     * while it holds unacknowledged records, so that a client fetching ahead cannot lock records its application never
     * sees; once it acknowledged them it acquires the next batch. {@code weir.share.single.batch=false} turns it off.
     */
    @Test
    void aSingleBatchMemberAcquiresOnlyAfterAcknowledgingWhatItHolds() throws Exception {
        for (boolean single : List.of(true, false)) {
            String topic = "batches-" + single;
            String group = "jms-queue.batches-" + single;
            setUp(topic, group, single ? Map.of() : Map.of("weir.share.single.batch", "false"));
            org.apache.kafka.common.Uuid topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).topicId();
            produce(topic, 25, "b-");
            String member = org.apache.kafka.common.Uuid.randomUuid().toString();
            try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
                int epoch = 0;
                List<long[]> first = List.of();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (first.isEmpty() && System.nanoTime() < deadline) { // the share-partition may still be loading
                    first = acquired(raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1,
                            shareFetch(group, member, epoch++, topicId, List.of())));
                }
                assertThat(first).as("the first batch").containsExactly(new long[] {0, 9});
                List<long[]> ahead = acquired(raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1,
                        shareFetch(group, member, epoch++, topicId, List.of())));
                if (single) {
                    assertThat(ahead).as("nothing while the first batch is held").isEmpty();
                    List<long[]> next = acquired(raw.send(org.apache.kafka.common.protocol.ApiKeys.SHARE_FETCH, (short) 1,
                            shareFetch(group, member, epoch++, topicId, List.of(new org.apache.kafka.common.message.ShareFetchRequestData
                                    .AcknowledgementBatch().setFirstOffset(0).setLastOffset(9).setAcknowledgeTypes(List.of((byte) 1))))));
                    assertThat(next).as("the next batch once the first is acknowledged").containsExactly(new long[] {10, 19});
                } else {
                    assertThat(ahead).as("a second batch ahead of the first's acknowledgement").containsExactly(new long[] {10, 19});
                }
            }
        }
    }

    /**
     * The JMS provider's queue groups ({@code jms-queue.*}) give every member every partition, so that a queue's
     * consumers compete for every message; other groups spread the partitions as Kafka does, and
     * {@code weir.share.assignment} (all or spread) overrides either default; a bad value is refused.
     */
    @Test
    void queueGroupsAssignEveryPartitionToEveryMemberOthersSpreadThem() throws Exception {
        String topic = "assigned-4";
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        org.apache.kafka.common.Uuid topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).topicId();
        admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.GROUP, "jms-queue.spread"),
                List.of(new AlterConfigOp(new ConfigEntry("weir.share.assignment", "spread"), AlterConfigOp.OpType.SET)),
                new ConfigResource(ConfigResource.Type.GROUP, "all-by-config"),
                List.of(new AlterConfigOp(new ConfigEntry("weir.share.assignment", "all"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, "g"),
                List.of(new AlterConfigOp(new ConfigEntry("weir.share.assignment", "round-robin"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidConfigurationException.class)
                .hasMessageContaining("expected all or spread");
        Map<String, Boolean> everyPartition = Map.of("jms-queue.every", true, "spread-by-default", false,
                "jms-queue.spread", false, "all-by-config", true);
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            for (Map.Entry<String, Boolean> g : everyPartition.entrySet()) {
                List<List<Integer>> assignments = new ArrayList<>();
                for (String member : List.of("m1", "m2")) {
                    var r = (org.apache.kafka.common.requests.ShareGroupHeartbeatResponse) raw.send(
                            org.apache.kafka.common.protocol.ApiKeys.SHARE_GROUP_HEARTBEAT, (short) 1,
                            new org.apache.kafka.common.message.ShareGroupHeartbeatRequestData().setGroupId(g.getKey())
                                    .setMemberId(member + "-" + org.apache.kafka.common.Uuid.randomUuid()).setMemberEpoch(0)
                                    .setSubscribedTopicNames(List.of(topic)));
                    assertThat(r.data().errorCode()).isZero();
                    assignments.add(r.data().assignment().topicPartitions().stream().filter(t -> t.topicId().equals(topicId))
                            .flatMap(t -> t.partitions().stream()).sorted().toList());
                }
                // the second member's join is what it is told; the first learns its share at its next heartbeat
                String group = g.getKey();
                var described = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
                for (var m : described.members()) {
                    List<Integer> mine = m.assignment().topicPartitions().stream().map(org.apache.kafka.common.TopicPartition::partition)
                            .sorted().toList();
                    if (g.getValue()) {
                        assertThat(mine).as(group).containsExactly(0, 1, 2, 3);
                    } else {
                        assertThat(mine).as(group).hasSize(2);
                    }
                }
                assertThat(assignments.get(1)).as(group + ": the second member's join").hasSize(g.getValue() ? 4 : 2);
            }
        }
    }

    /**
     * A JMS queue's share group ({@code jms-queue.*}) with no group configurations starts at the log start and reads
     * committed records (a queue delivers what it holds, never a rolled-back send); another group starts at the log end
     * and reads uncommitted records (Kafka's defaults). DescribeConfigs shows each group's values as defaults, and
     * ApiVersions lists the feature that tells the JMS provider it need not write them.
     */
    @Test
    void aQueueGroupStartsAtTheLogStartAndReadsCommittedWithoutConfigurationOthersAtTheEnd() throws Exception {
        String topic = "queue-defaults";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        produce(topic, 2, "before-");
        Properties tx = new Properties();
        tx.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "queue-defaults-tx");
        tx.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        tx.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(tx)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "aborted"));
            producer.flush();
            producer.abortTransaction();
        }
        produce(topic, 1, "committed-");

        List<String> queue = new ArrayList<>();
        try (KafkaShareConsumer<String, String> c = consumer("jms-queue.defaults", 10)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (queue.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    queue.add(r.value());
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                c.commitSync();
            }
        }
        assertThat(queue).as("from the log start, committed records only").containsExactly("before-0", "before-1", "committed-0");

        List<String> plain = new ArrayList<>();
        try (KafkaShareConsumer<String, String> c = consumer("plain-defaults", 10)) {
            c.subscribe(List.of(topic));
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> plain.add(r.value()));
                // the share-partition exists once a fetch started it (at the log end)
                var start = admin.listShareGroupOffsets(Map.of("plain-defaults", new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo("plain-defaults").get(30, TimeUnit.SECONDS).get(tp);
                return start != null && start.startOffset() >= 0;
            });
            produce(topic, 1, "after-");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!plain.contains("after-0") && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> plain.add(r.value()));
            }
        }
        assertThat(plain).as("from the log end").containsExactly("after-0");

        for (var g : Map.of("jms-queue.defaults", List.of("earliest", "read_committed"),
                "plain-defaults", List.of("latest", "read_uncommitted")).entrySet()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.GROUP, g.getKey());
            var config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertThat(config.get("share.auto.offset.reset").value()).as(g.getKey()).isEqualTo(g.getValue().get(0));
            assertThat(config.get("share.isolation.level").value()).as(g.getKey()).isEqualTo(g.getValue().get(1));
            assertThat(config.get("share.auto.offset.reset").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            var versions = (org.apache.kafka.common.requests.ApiVersionsResponse) raw.send(
                    org.apache.kafka.common.protocol.ApiKeys.API_VERSIONS, (short) 3,
                    new org.apache.kafka.common.message.ApiVersionsRequestData().setClientSoftwareName("test")
                            .setClientSoftwareVersion("1"));
            assertThat(versions.data().supportedFeatures().find("weir.share.queue.defaults")).isNotNull();
        }
    }

    private static List<long[]> acquired(org.apache.kafka.common.requests.AbstractResponse response) {
        var r = (org.apache.kafka.common.requests.ShareFetchResponse) response;
        assertThat(r.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.NONE);
        List<long[]> ranges = new ArrayList<>();
        r.data().responses().forEach(t -> t.partitions().forEach(p -> p.acquiredRecords()
                .forEach(a -> ranges.add(new long[] {a.firstOffset(), a.lastOffset()}))));
        return ranges;
    }

    @Test
    void aClientsRecordFilterLeavesOtherRecordsToOthersWithoutADelivery() throws Exception {
        String topic = "colors";
        String group = "painters";
        setUp(topic, group, Map.of("weir.share.filter.red-painter", "color = 'red'",
                "weir.share.filter.blue-painter", "color IN ('blue')"));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 20; i++) {
                String color = i % 2 == 0 ? "red" : "blue";
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, 0, null, color + "-" + i);
                r.headers().add("color", color.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.flush();
        }
        for (String color : List.of("red", "blue")) {
            Properties c = new Properties();
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, color + "-painter");
            try (KafkaShareConsumer<String, String> consumer = consumer(cluster.bootstrapServers(), group, 5, c)) {
                consumer.subscribe(List.of(topic));
                List<String> got = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (got.size() < 10 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        got.add(r.value());
                        assertThat(r.deliveryCount()).as("%s was not delivered to anyone before", r.value()).contains((short) 1);
                        consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    consumer.commitSync();
                }
                assertThat(got).hasSize(10).allMatch(v -> v.startsWith(color + "-"));
            }
        }
    }

    private static org.apache.kafka.common.message.ShareFetchRequestData shareFetch(String group, String member, int epoch,
            org.apache.kafka.common.Uuid topicId, List<org.apache.kafka.common.message.ShareFetchRequestData.AcknowledgementBatch> acks) {
        var d = new org.apache.kafka.common.message.ShareFetchRequestData().setGroupId(group).setMemberId(member).setShareSessionEpoch(epoch)
                .setMaxWaitMs(0).setMinBytes(0).setMaxRecords(10).setBatchSize(10);
        var t = new org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        t.partitions().add(new org.apache.kafka.common.message.ShareFetchRequestData.FetchPartition().setPartitionIndex(0)
                .setAcknowledgementBatches(acks));
        d.topics().add(t);
        return d;
    }

    private static long startOffset(String group, org.apache.kafka.common.TopicPartition tp) throws Exception {
        return admin.listShareGroupOffsets(Map.of(group, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()
                .topicPartitions(List.of(tp)))).partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS).get(tp).startOffset();
    }

    private static int membersOf(String group) {
        try {
            return admin.describeShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members().size();
        } catch (Exception e) {
            System.err.println("describeShareGroups " + group + ": " + e);
            return -1;
        }
    }

    private static void setUp(String topic, String group, Map<String, String> groupConfigs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Collection<AlterConfigOp> ops = new ArrayList<>();
        ops.add(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET));
        groupConfigs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all().get(30, TimeUnit.SECONDS);
    }

    static ConsumerRecord<String, String> pollOne(KafkaShareConsumer<String, String> c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                return r;
            }
        }
        throw new AssertionError("no record within 60 s");
    }

    static void produce(String topic, int n, String prefix) throws Exception {
        produce(cluster.bootstrapServers(), topic, n, prefix);
    }

    static void produce(String bootstrap, String topic, int n, String prefix) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, prefix + i));
            }
            producer.flush();
        }
    }

    private static KafkaShareConsumer<String, String> consumer(String group, int maxPollRecords) {
        return consumer(cluster.bootstrapServers(), group, maxPollRecords);
    }

    static KafkaShareConsumer<String, String> consumer(String bootstrap, String group, int maxPollRecords) {
        return consumer(bootstrap, group, maxPollRecords, new Properties());
    }

    static KafkaShareConsumer<String, String> consumer(String bootstrap, String group, int maxPollRecords, Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaShareConsumer<>(p);
    }
}
