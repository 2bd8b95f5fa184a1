package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.replication.Partition;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault tests of replication on a three-broker cluster with RF=3 and {@code min.insync.replicas=2}:
 * the leader killed under an idempotent acks=all producer, the controller's and a leader's
 * ZooKeeper sessions expired. Every acknowledged record must survive exactly once, in order, on
 * every in-sync replica.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationFaultIT {
    private static final String TOPIC = "replicated";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private EmbeddedWeirCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = EmbeddedWeirCluster.builder().brokers(3).brokerProperty("replica.lag.time.max.ms", "3000")
                .brokerProperty("leader.imbalance.check.interval.seconds", "1").build().start();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> isr().size() == 3);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killingTheLeaderUnderAnIdempotentAcksAllProducerLosesAndDuplicatesNothing() throws Exception {
        int total = 3000;
        List<Integer> acked = new CopyOnWriteArrayList<>();
        AtomicLong killedAtNanos = new AtomicLong();
        AtomicLong firstAckAfterKillNanos = new AtomicLong();
        int leader;
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            leader = leaderId();
            for (int i = 0; i < total; i++) {
                int n = i;
                long sentAt = System.nanoTime();
                sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i), (md, error) -> {
                    if (error == null) {
                        acked.add(n);
                        long killed = killedAtNanos.get();
                        if (killed != 0 && sentAt > killed) {
                            firstAckAfterKillNanos.compareAndSet(0, System.nanoTime());
                        }
                    }
                }));
                if (i == total / 3) {
                    producer.flush();
                    killedAtNanos.set(System.nanoTime());
                    cluster.killBroker(leader);
                }
                if (i % 100 == 0) {
                    Thread.sleep(5); // spread the writes over the failover
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        long resumeMs = TimeUnit.NANOSECONDS.toMillis(firstAckAfterKillNanos.get() - killedAtNanos.get());
        System.out.printf("replication-fault: writes resumed %d ms after the leader (broker %d) was killed%n", resumeMs, leader);
        assertThat(acked).hasSize(total);
        assertThat(resumeMs).as("writes resume on the new leader within a few seconds, long before the session timeout")
                .isLessThan(5_000);

        int newLeader = leaderId();
        assertThat(newLeader).isNotEqualTo(leader);
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(leader));
        awaitReplicasEqual(survivors);
        for (int id : survivors) {
            assertThat(values(id)).as("log of broker %d", id).containsExactlyElementsOf(range(total));
        }

        // the killed leader comes back, recovers, follows, and rejoins the ISR with the same log
        cluster.restartBroker(leader);
        await().atMost(Duration.ofSeconds(30)).until(() -> isr().size() == 3);
        awaitReplicasEqual(List.of(0, 1, 2));
        assertThat(values(leader)).containsExactlyElementsOf(range(total));
    }

    @Test
    void controllerSessionExpiryElectsANewControllerAndTheClusterKeepsWorking() throws Exception {
        int controller = awaitController();
        cluster.expireZkSession(controller);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.controllerId() >= 0);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            // a new controller must still move leadership when the leader dies
            int leader = leaderId();
            cluster.killBroker(leader);
            for (int i = 100; i < 200; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            assertThat(leaderId()).isNotEqualTo(leader);
        }
        List<Integer> survivors = liveBrokers();
        awaitReplicasEqual(survivors);
        for (int id : survivors) {
            assertThat(values(id)).containsExactlyElementsOf(range(200));
        }
    }

    @Test
    void aLeaderWhoseSessionExpiresLosesLeadershipAndRejoinsAsFollower() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            int leader = leaderId();
            int epoch = partition(leader).orElseThrow().leaderEpoch();
            cluster.expireZkSession(leader);
            await().atMost(Duration.ofSeconds(20)).until(() -> leaderEpochSeenBy(otherThan(leader)) > epoch);
            for (int i = 100; i < 200; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> isr().size() == 3);
        }
        awaitReplicasEqual(List.of(0, 1, 2));
        for (int id = 0; id < 3; id++) {
            assertThat(values(id)).containsExactlyElementsOf(range(200));
        }
    }

    @Test
    void controlledShutdownMovesLeadershipAwayFirstAndThePreferredLeaderTakesItBackOnReturn() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            int leader = leaderId();
            int epoch = partition(leader).orElseThrow().leaderEpoch();
            cluster.stopBroker(leader);
            assertThat(partition(leader).orElseThrow().isLeader()).as("resigned before stopping").isFalse();
            assertThat(partition(leader).orElseThrow().leaderEpoch()).isGreaterThan(epoch);
            for (int i = 50; i < 100; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
            cluster.restartBroker(leader);
            // the preferred replica (the first one, which led at creation) leads again once it is back in sync
            await().atMost(Duration.ofSeconds(30)).until(() -> isr().size() == 3 && leaderId() == leader);
            for (int i = 100; i < 150; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        awaitReplicasEqual(List.of(0, 1, 2));
        for (int id = 0; id < 3; id++) {
            assertThat(values(id)).containsExactlyElementsOf(range(150));
        }
    }

    // ---- helpers

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "200");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private List<Integer> liveBrokers() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            if (running(i)) {
                out.add(i);
            }
        }
        return out;
    }

    private boolean running(int id) {
        try {
            cluster.broker(id).boundPort();
            return cluster.broker(id).replicaManager().partition(TP).isPresent() && cluster.broker(id).isRunning();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private int otherThan(int id) {
        return (id + 1) % 3;
    }

    private Optional<Partition> partition(int broker) {
        return cluster.broker(broker).replicaManager().partition(TP);
    }

    private int leaderEpochSeenBy(int broker) {
        return partition(broker).map(Partition::leaderEpoch).orElse(-1);
    }

    /** The leader according to the live brokers' own partition state. */
    private int leaderId() {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int id : liveBrokers()) {
                Optional<Partition> p = partition(id);
                if (p.isPresent() && p.get().isLeader()) {
                    return id;
                }
            }
            return -1;
        }, id -> id >= 0);
    }

    private int awaitController() {
        return await().atMost(Duration.ofSeconds(20)).until(cluster::controllerId, id -> id >= 0);
    }

    private List<Integer> isr() throws Exception {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC);
            return d.partitions().get(0).isr().stream().map(n -> n.id()).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private void awaitReplicasEqual(List<Integer> brokers) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long end = -1;
            for (int id : brokers) {
                Optional<Partition> p = partition(id);
                if (p.isEmpty()) {
                    return false;
                }
                long leo = p.get().log().logEndOffset();
                if (end >= 0 && leo != end || p.get().highWatermark().offset() != leo) {
                    return false;
                }
                end = leo;
            }
            return true;
        });
    }

    /** The record values in broker {@code id}'s copy of the partition, in offset order, as {@code i} of "v-i". */
    private List<Integer> values(int id) {
        PartitionLog log = partition(id).orElseThrow().log();
        List<Integer> out = new ArrayList<>();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        while (offset < end) {
            FetchDataInfo info = log.read(offset, 1 << 20, true);
            MemoryRecords records = MemoryRecords.readableRecords(info.records().readAll());
            long next = offset;
            for (RecordBatch batch : records.batches()) {
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

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return Collections.unmodifiableList(out);
    }
}
