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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deposed leader that returns with records its successor never had truncates them: with
 * {@code unclean.leader.election.enable=true}, an out-of-sync replica is elected while the old leader
 * is down, takes new writes, and the old leader, on return, asks it (OffsetsForLeaderEpoch) where its
 * epoch ended, cuts its divergent tail there and replicates the new leader's records.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UncleanElectionIT {
    private static final String TOPIC = "diverging";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void aReturningLeaderTruncatesTheTailItsUncleanSuccessorNeverHad() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(2)
                .brokerProperty("unclean.leader.election.enable", "true").build().start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 2).configs(Map.of("min.insync.replicas", "1"))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            int leader = await().atMost(Duration.ofSeconds(20)).until(() -> leaderOf(cluster), id -> id >= 0);
            int follower = 1 - leader;
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, leader).orElseThrow().isr().size() == 2);

            send(cluster, "a-", 0, 50);
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, follower).orElseThrow().log().logEndOffset() == 50);

            cluster.killBroker(follower);
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, leader).orElseThrow().isr().size() == 1);
            send(cluster, "a-", 50, 100); // only on the leader: the tail that will diverge
            assertThat(partition(cluster, leader).orElseThrow().log().logEndOffset()).isEqualTo(100);

            cluster.killBroker(leader);
            cluster.restartBroker(follower);
            await().atMost(Duration.ofSeconds(30)).until(() -> partition(cluster, follower).map(Partition::isLeader).orElse(false));
            send(cluster, "b-", 0, 30);

            cluster.restartBroker(leader);
            await().atMost(Duration.ofSeconds(30)).until(() -> partition(cluster, leader).map(p -> !p.isLeader()
                    && p.log().logEndOffset() == 80).orElse(false));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add("a-" + i);
            }
            for (int i = 0; i < 30; i++) {
                expected.add("b-" + i);
            }
            assertThat(values(partition(cluster, follower).orElseThrow().log())).containsExactlyElementsOf(expected);
            assertThat(values(partition(cluster, leader).orElseThrow().log())).as("the old leader's divergent tail is gone")
                    .containsExactlyElementsOf(expected);
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, follower).orElseThrow().isr().size() == 2);
        }
    }

    /**
     * Unclean elections interleave epochs that each replica lacks, which takes the returning replica
     * two OffsetsForLeaderEpoch rounds. Both hold a-0..a-4 (epoch 0). A alone writes a-5..a-7, then,
     * re-elected after a restart, c-0..c-2 (8..10); B, elected uncleanly, writes b-0..b-9 (5..14);
     * A, elected uncleanly, writes d-0..d-1 (11..12); B, elected uncleanly, writes e-0..e-1 (15..16);
     * A returns as follower. Asked about A's latest epoch, B answers with the epoch of the b- records,
     * which A never had: A truncates to the end of its own older epoch (11) and asks again with the
     * epoch of the c- records, and B answers that epoch 0 ended at 5. One round kept a-5..c-2.
     */
    @Test
    void aReplicaHoldingEpochsItsLeaderNeverHadTruncatesInRepeatedRounds() throws Exception {
        TopicPartition tp = new TopicPartition("interleaved", 0);
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(2)
                .brokerProperty("unclean.leader.election.enable", "true").build().start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(tp.topic(), 1, (short) 2).configs(Map.of("min.insync.replicas", "1"))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            int a = await().atMost(Duration.ofSeconds(20)).until(() -> leaderOf(cluster, tp), id -> id >= 0);
            int b = 1 - a;
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, tp, a).orElseThrow().isr().size() == 2);
            send(cluster, tp, "a-", 0, 5);
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, tp, b).orElseThrow().log().logEndOffset() == 5);

            cluster.killBroker(b);
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, tp, a).orElseThrow().isr().size() == 1);
            send(cluster, tp, "a-", 5, 8);
            cluster.killBroker(a);
            leadsAlone(cluster, tp, a);
            send(cluster, tp, "c-", 0, 3);
            cluster.killBroker(a);
            leadsAlone(cluster, tp, b);
            send(cluster, tp, "b-", 0, 10);
            cluster.killBroker(b);
            leadsAlone(cluster, tp, a);
            send(cluster, tp, "d-", 0, 2);
            cluster.killBroker(a);
            leadsAlone(cluster, tp, b);
            send(cluster, tp, "e-", 0, 2);

            cluster.restartBroker(a);
            await().atMost(Duration.ofSeconds(30)).until(() -> partition(cluster, tp, a).map(p -> !p.isLeader()
                    && p.log().logEndOffset() == 17).orElse(false));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expected.add("a-" + i);
            }
            for (int i = 0; i < 10; i++) {
                expected.add("b-" + i);
            }
            expected.addAll(List.of("e-0", "e-1"));
            assertThat(values(partition(cluster, tp, b).orElseThrow().log())).containsExactlyElementsOf(expected);
            assertThat(values(partition(cluster, tp, a).orElseThrow().log())).as("A keeps only what it shares with B")
                    .containsExactlyElementsOf(expected);
            assertThat(partition(cluster, tp, a).orElseThrow().log().leaderEpochCache().entries())
                    .isEqualTo(partition(cluster, tp, b).orElseThrow().log().leaderEpochCache().entries());
            await().atMost(Duration.ofSeconds(20)).until(() -> partition(cluster, tp, b).orElseThrow().isr().size() == 2);
        }
    }

    /** Restarts {@code broker} while the other is down, and waits until it leads. */
    private static void leadsAlone(EmbeddedWeirCluster cluster, TopicPartition tp, int broker) {
        cluster.restartBroker(broker);
        await().atMost(Duration.ofSeconds(30)).until(() -> partition(cluster, tp, broker).map(Partition::isLeader).orElse(false));
    }

    private static void send(EmbeddedWeirCluster cluster, String prefix, int from, int to) throws Exception {
        send(cluster, TP, prefix, from, to);
    }

    private static void send(EmbeddedWeirCluster cluster, TopicPartition tp, String prefix, int from, int to)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "500");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, prefix + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Optional<Partition> partition(EmbeddedWeirCluster cluster, int broker) {
        return partition(cluster, TP, broker);
    }

    private static Optional<Partition> partition(EmbeddedWeirCluster cluster, TopicPartition tp, int broker) {
        if (!cluster.broker(broker).isRunning()) {
            return Optional.empty();
        }
        return cluster.broker(broker).replicaManager().partition(tp);
    }

    private static int leaderOf(EmbeddedWeirCluster cluster) {
        return leaderOf(cluster, TP);
    }

    private static int leaderOf(EmbeddedWeirCluster cluster, TopicPartition tp) {
        for (int id = 0; id < cluster.size(); id++) {
            if (partition(cluster, tp, id).map(Partition::isLeader).orElse(false)) {
                return id;
            }
        }
        return -1;
    }

    private static List<String> values(PartitionLog log) {
        List<String> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            FetchDataInfo info = log.read(offset, 1 << 20, true);
            long next = offset;
            for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                for (Record r : batch) {
                    out.add(StandardCharsets.UTF_8.decode(r.value()).toString());
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
