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
        setUp(topic, group, Map.of());
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
        Properties p = new Properties();
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
