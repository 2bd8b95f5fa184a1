package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.common.Time;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.network.ProtocolSamples;
import io.weir.broker.replication.Partition;
import io.weir.broker.server.BrokerConfig;
import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.server.WeirServer;
import io.weir.broker.testing.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network partitions made with a {@link FaultProxy} (blackholed: a silent partition, no reset) while an
 * idempotent acks=all producer writes to an RF=3, min.insync.replicas=2 partition:
 * <ul>
 *   <li>the leader cut off from ZooKeeper only: its session expires, the controller elects another ISR
 *       member, the isolated leader can acknowledge nothing (its followers have left it) and refuses
 *       writes, and after the partition heals it rejoins as a follower, truncating what it appended alone;</li>
 *   <li>the leader cut off from its followers and clients but not from ZooKeeper: it stays leader,
 *       shrinks its ISR to itself and refuses acks=all; after healing the followers rejoin.</li>
 * </ul>
 * Every acknowledged record is present exactly once, in order, on every replica.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetworkPartitionIT {
    @TempDir
    Path dir;

    @Test
    void aLeaderPartitionedFromZooKeeperIsReplacedAndRejoinsWithoutLosingAcknowledgedRecords() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(2).build().start();
             FaultProxy zkProxy = FaultProxy.start("127.0.0.1", Integer.parseInt(cluster.zookeeperConnect().split(":")[1]))) {
            WeirServer isolated = startBroker(2, "127.0.0.1:" + zkProxy.port());
            try {
                // round-robin assignment starts at hash(name) mod 3: pick a name whose first replica is broker 2
                String topic = topicLedBy(2);
                TopicPartition tp = new TopicPartition(topic, 0);
                String bootstrap = cluster.bootstrapServers() + ",127.0.0.1:" + isolated.boundPort();
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                            .all().get(30, TimeUnit.SECONDS);
                }
                List<WeirServer> brokers = List.of(cluster.broker(0), cluster.broker(1), isolated);
                await().atMost(Duration.ofSeconds(20)).until(() -> partition(isolated, tp).map(Partition::isLeader).orElse(false)
                        && partition(isolated, tp).get().isr().size() == 3);

                try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                    send(producer, topic, 0, 200);
                    zkProxy.blackhole();
                    // its followers still fetch from it until its ZooKeeper session expires and another leads
                    await().atMost(Duration.ofSeconds(30)).until(() -> brokers.subList(0, 2).stream()
                            .anyMatch(b -> partition(b, tp).map(Partition::isLeader).orElse(false)));
                    assertThat(partition(isolated, tp).orElseThrow().isLeader()).as("it cannot know yet").isTrue();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertFencedFromClients(isolated, topic));
                    send(producer, topic, 200, 400);
                    zkProxy.heal();
                    send(producer, topic, 400, 450);
                }
                await().atMost(Duration.ofSeconds(40)).until(() -> partition(isolated, tp).map(p -> !p.isLeader()).orElse(false));
                assertEveryReplicaHoldsEachRecordOnce(brokers, tp, 450);
            } finally {
                isolated.close();
            }
        }
    }

    /**
     * The leader is cut off from its followers and its clients (a {@link FaultProxy} in front of its
     * listener, blackholed) but keeps its ZooKeeper session, so it stays the leader. Its followers
     * fall out of the ISR, which the leader records in ZooKeeper; with min.insync.replicas=2 it then
     * refuses acks=all writes even from a client on its own side of the partition. After healing,
     * the followers give up on their silent connections (replica.socket.timeout.ms), connect again,
     * catch up and rejoin; the producer's writes held up by the partition go through, each once.
     */
    @Test
    void aLeaderCutOffFromItsFollowersAcknowledgesNothingAloneAndTheyRejoinAfterHealing() throws Exception {
        int port = freePort();
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(2)
                .brokerProperty(BrokerConfig.REPLICA_SOCKET_TIMEOUT_MS, "3000").build().start();
             FaultProxy front = FaultProxy.start("127.0.0.1", port)) {
            WeirServer cut = startBroker(2, cluster.zookeeperConnect(), Map.of(
                    BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:" + port,
                    BrokerConfig.ADVERTISED_LISTENERS, "PLAINTEXT://127.0.0.1:" + front.port(),
                    BrokerConfig.REPLICA_LAG_TIME_MAX_MS, "3000"));
            try {
                String topic = topicLedBy(2);
                TopicPartition tp = new TopicPartition(topic, 0);
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                            .all().get(30, TimeUnit.SECONDS);
                }
                List<WeirServer> brokers = List.of(cluster.broker(0), cluster.broker(1), cut);
                await().atMost(Duration.ofSeconds(20)).until(() -> partition(cut, tp).map(Partition::isLeader).orElse(false)
                        && partition(cut, tp).get().isr().size() == 3);

                try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                    send(producer, topic, 0, 200);
                    front.blackhole();
                    await().atMost(Duration.ofSeconds(30)).until(() -> partition(cut, tp).map(p -> p.isLeader()
                            && p.isr().equals(List.of(2))).orElse(false));
                    assertThat(partition(cluster.broker(0), tp).orElseThrow().isLeader()).as("the controller keeps it leader").isFalse();
                    try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1:" + port)) {
                        assertThat(rawProduce(socket, topic, (short) -1)).as("acks=all with the ISR below min.insync.replicas")
                                .isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
                    }
                    List<Future<RecordMetadata>> held = new ArrayList<>();
                    for (int i = 200; i < 400; i++) {
                        held.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + i)));
                    }
                    Thread.sleep(1000);
                    assertThat(held).as("nothing is acknowledged across the partition").noneMatch(Future::isDone);
                    front.heal();
                    await().atMost(Duration.ofSeconds(40)).until(() -> partition(cut, tp).get().isr().size() == 3);
                    for (Future<RecordMetadata> f : held) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                    send(producer, topic, 400, 450);
                }
                assertEveryReplicaHoldsEachRecordOnce(brokers, tp, 450);
            } finally {
                cut.close();
            }
        }
    }

    /** Every replica commits records 0 to {@code count - 1}, each once and in order. */
    private static void assertEveryReplicaHoldsEachRecordOnce(List<WeirServer> brokers, TopicPartition tp, int count) {
        await().atMost(Duration.ofSeconds(40)).until(() -> brokers.stream().allMatch(b -> partition(b, tp)
                .map(p -> p.log().logEndOffset() == count && p.highWatermark().offset() == count).orElse(false)));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        for (WeirServer b : brokers) {
            assertThat(values(partition(b, tp).orElseThrow().log())).as("broker %d", b.config().brokerId())
                    .containsExactlyElementsOf(expected);
        }
    }

    private static Errors rawProduce(RawKafkaSocket socket, String topic, short acks) throws Exception {
        ProduceRequestData produce = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000);
        TopicProduceData t = new TopicProduceData().setName(topic);
        t.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(ProtocolSamples.records("alone")));
        produce.topicData().add(t);
        ProduceResponse response = (ProduceResponse) socket.call(ApiKeys.PRODUCE, (short) 12, produce);
        return Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    private static int freePort() throws java.io.IOException {
        return io.weir.broker.testing.FreePorts.one();
    }

    /**
     * Still believing it leads, the isolated broker knows it lost ZooKeeper: it refuses writes and,
     * in Metadata, names neither itself nor a leader of its own, so clients turn to the other brokers.
     */
    private static void assertFencedFromClients(WeirServer isolated, String topic) throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1:" + isolated.boundPort())) {
            MetadataResponse metadata = (MetadataResponse) socket.call(ApiKeys.METADATA, (short) 12, new MetadataRequestData()
                    .setAllowAutoTopicCreation(false).setTopics(new ArrayList<>(List.of(new MetadataRequestTopic().setName(topic)))));
            assertThat(metadata.data().brokers()).extracting(MetadataResponseBroker::nodeId).doesNotContain(2);
            MetadataResponsePartition p = metadata.data().topics().find(topic).partitions().get(0);
            assertThat(p.leaderId()).isEqualTo(-1);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.LEADER_NOT_AVAILABLE);

            assertThat(rawProduce(socket, topic, (short) 1)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        }
    }

    private WeirServer startBroker(int id, String zkConnect) throws Exception {
        return startBroker(id, zkConnect, Map.of());
    }

    private WeirServer startBroker(int id, String zkConnect, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(BrokerConfig.BROKER_ID, String.valueOf(id));
        props.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        props.put(BrokerConfig.ZOOKEEPER_CONNECT, zkConnect);
        props.put(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        props.put("log.dirs", Files.createDirectories(dir.resolve("broker-" + id)).toString());
        props.put(BrokerConfig.OFFSETS_TOPIC_PARTITIONS, "5");
        props.putAll(overrides);
        WeirServer server = new WeirServer(new BrokerConfig(props), Time.SYSTEM);
        server.startup();
        return server;
    }

    private static String topicLedBy(int broker) {
        for (int i = 0; ; i++) {
            String name = "partitioned-" + i;
            if ((name.hashCode() & 0x7fffffff) % 3 == broker) {
                return name;
            }
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, int from, int to) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sends.add(producer.send(new ProducerRecord<>(topic, 0, "k", "v-" + i)));
        }
        for (Future<RecordMetadata> f : sends) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static Optional<Partition> partition(WeirServer broker, TopicPartition tp) {
        return broker.isRunning() ? broker.replicaManager().partition(tp) : Optional.empty();
    }

    private static List<Integer> values(PartitionLog log) {
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
