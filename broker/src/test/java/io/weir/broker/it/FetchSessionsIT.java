package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.api.FetchSessionCache;
import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.server.WeirServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incremental fetch sessions (KIP-227) with unmodified kafka-clients consumers and follower replicas,
 * and the session errors of raw Fetch requests.
 */
class FetchSessionsIT {
    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(2).build().start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        cluster.close();
    }

    private static void createTopic(String name, int partitions, int replicas) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicas))).all().get();
    }

    private static void produce(String topic, int partitions, int perPartition, String tag) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int part = 0; part < partitions; part++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, part, null, tag + "-" + part + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Polls until {@code expected} records came, then a little more to catch duplicates or strays. */
    private static Map<TopicPartition, List<ConsumerRecord<String, String>>> poll(KafkaConsumer<String, String> c, int expected) {
        Map<TopicPartition, List<ConsumerRecord<String, String>>> out = new HashMap<>();
        int[] count = {0};
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            c.poll(Duration.ofMillis(200)).forEach(r -> {
                out.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
                count[0]++;
            });
            return count[0] >= expected;
        });
        for (int i = 0; i < 3; i++) {
            c.poll(Duration.ofMillis(200)).forEach(r -> {
                out.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
                count[0]++;
            });
        }
        return out;
    }

    private static long total(ToLongFunction<FetchSessionCache> metric) {
        long sum = 0;
        for (int id = 0; id < cluster.size(); id++) {
            sum += metric.applyAsLong(cluster.broker(id).fetchSessions());
        }
        return sum;
    }

    private static void assertOffsets(List<ConsumerRecord<String, String>> records, long from, int count) {
        assertThat(records).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(records.get(i).offset()).isEqualTo(from + i);
        }
    }

    @Test
    void consumersUseIncrementalSessionsAcrossAssignmentChanges() throws Exception {
        createTopic("fs-a", 3, 2);
        createTopic("fs-b", 2, 2);
        produce("fs-a", 3, 20, "first");
        produce("fs-b", 2, 20, "first");
        long incrementalBefore = total(FetchSessionCache::incrementalFetches);
        try (KafkaConsumer<String, String> c = consumer()) {
            TopicPartition a0 = new TopicPartition("fs-a", 0);
            TopicPartition a1 = new TopicPartition("fs-a", 1);
            TopicPartition a2 = new TopicPartition("fs-a", 2);
            TopicPartition b0 = new TopicPartition("fs-b", 0);
            TopicPartition b1 = new TopicPartition("fs-b", 1);
            c.assign(List.of(a0, a1, a2));
            Map<TopicPartition, List<ConsumerRecord<String, String>>> first = poll(c, 60);
            assertThat(first.keySet()).containsExactlyInAnyOrder(a0, a1, a2);
            first.values().forEach(records -> assertOffsets(records, 0, 20));
            // idle polls are incremental fetches answered with nothing
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(c.poll(Duration.ofMillis(100))).isEmpty();
                return total(FetchSessionCache::incrementalFetches) > incrementalBefore + 4;
            });
            assertThat(total(FetchSessionCache::sessionCount)).isPositive();

            // a-1 and a-2 leave the session, b-0 and b-1 join it
            c.assign(List.of(a0, b0, b1));
            produce("fs-a", 3, 5, "second");
            Map<TopicPartition, List<ConsumerRecord<String, String>>> second = poll(c, 5 + 40);
            assertThat(second.keySet()).containsExactlyInAnyOrder(a0, b0, b1);
            assertOffsets(second.get(a0), 20, 5);
            assertOffsets(second.get(b0), 0, 20);
            assertOffsets(second.get(b1), 0, 20);
            assertThat(second.get(a0)).extracting(ConsumerRecord::value).allMatch(v -> v.startsWith("second-0-"));

            // back to one partition, then more records everywhere: only a-2 is read, from where it was left
            c.assign(List.of(a2));
            c.seek(a2, 20);
            produce("fs-b", 2, 5, "third");
            Map<TopicPartition, List<ConsumerRecord<String, String>>> third = poll(c, 5);
            assertThat(third.keySet()).containsExactly(a2);
            assertOffsets(third.get(a2), 20, 5);
        }
        assertThat(total(FetchSessionCache::incrementalFetches)).isGreaterThan(incrementalBefore + 4);
    }

    @Test
    void followersReplicateInIncrementalSessions() throws Exception {
        createTopic("fs-replicated", 4, 2);
        produce("fs-replicated", 4, 30, "r");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(total(FetchSessionCache::followerSessionCount)).isPositive());
        long before = total(FetchSessionCache::incrementalFetches);
        produce("fs-replicated", 4, 10, "s");
        for (int p = 0; p < 4; p++) {
            TopicPartition tp = new TopicPartition("fs-replicated", p);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (int id = 0; id < cluster.size(); id++) {
                    WeirServer b = cluster.broker(id);
                    assertThat(b.replicaManager().partition(tp)).hasValueSatisfying(
                            part -> assertThat(part.log().logEndOffset()).as("%s on broker %s", tp, b.config().brokerId())
                                    .isEqualTo(40));
                }
            });
        }
        assertThat(total(FetchSessionCache::incrementalFetches)).isGreaterThan(before);
    }

    /** The broker leading partition 0 of {@code topic}. */
    private static RawKafkaClient leaderOf(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
        int leader = d.partitions().get(0).leader().id();
        return new RawKafkaClient("127.0.0.1", cluster.broker(leader).boundPort());
    }

    private static FetchRequestData fetch(int sessionId, int epoch, String topic, long offset) {
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setSessionId(sessionId).setSessionEpoch(epoch);
        if (topic != null) {
            data.topics().add(new FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20))));
        }
        return data;
    }

    private static FetchResponseData send(RawKafkaClient client, short version, FetchRequestData data) throws Exception {
        return ((FetchResponse) client.send(ApiKeys.FETCH, version, data)).data();
    }

    private static List<PartitionData> partitions(FetchResponseData r) {
        return r.responses().stream().flatMap(t -> t.partitions().stream()).toList();
    }

    @Test
    void rawFetchesOpenUseAndCloseSessionsWithKafkasErrors() throws Exception {
        createTopic("fs-raw", 1, 1);
        produce("fs-raw", 1, 3, "raw");
        short v12 = 12;
        try (RawKafkaClient client = leaderOf("fs-raw")) {
            FetchResponseData full = send(client, v12, fetch(0, 0, "fs-raw", 0));
            assertThat(full.errorCode()).isZero();
            assertThat(full.sessionId()).as("a full fetch opens a session").isPositive();
            assertThat(partitions(full)).singleElement().satisfies(p -> {
                assertThat(p.highWatermark()).isEqualTo(3);
                assertThat(p.records().sizeInBytes()).isPositive();
            });
            int id = full.sessionId();

            // the fetcher moves on to offset 3: the partition is sent as changed, nothing new to answer
            FetchResponseData moved = send(client, v12, fetch(id, 1, "fs-raw", 3));
            assertThat(moved.errorCode()).isZero();
            assertThat(moved.sessionId()).isEqualTo(id);
            assertThat(partitions(moved)).as("no records, same high watermark").isEmpty();
            FetchResponseData idle = send(client, v12, fetch(id, 2, null, 0));
            assertThat(partitions(idle)).isEmpty();
            produce("fs-raw", 1, 2, "more");
            FetchResponseData fresh = send(client, v12, fetch(id, 3, null, 0));
            assertThat(partitions(fresh)).singleElement().satisfies(p -> {
                assertThat(p.highWatermark()).isEqualTo(5);
                assertThat(p.records().sizeInBytes()).as("read from the session's offset 3").isPositive();
            });

            assertThat(Errors.forCode(send(client, v12, fetch(id, 3, null, 0)).errorCode()))
                    .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
            assertThat(Errors.forCode(send(client, v12, fetch(id + 1, 1, null, 0)).errorCode()))
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
            assertThat(Errors.forCode(send(client, (short) 13, fetch(id, 4, null, 0)).errorCode()))
                    .as("a session by topic names cannot continue by topic ids").isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);

            // forgetting the last partition closes the session
            FetchRequestData forget = fetch(id, 4, null, 0);
            forget.forgottenTopicsData().add(new ForgottenTopic().setTopic("fs-raw").setPartitions(List.of(0)));
            assertThat(send(client, v12, forget).sessionId()).isZero();
            assertThat(Errors.forCode(send(client, v12, fetch(id, 5, null, 0)).errorCode()))
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            // epoch -1 closes a session and is answered in full without one
            int second = send(client, v12, fetch(0, 0, "fs-raw", 0)).sessionId();
            FetchResponseData closing = send(client, v12, fetch(second, -1, "fs-raw", 0));
            assertThat(closing.sessionId()).isZero();
            assertThat(partitions(closing)).hasSize(1);
            assertThat(Errors.forCode(send(client, v12, fetch(second, 1, null, 0)).errorCode()))
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            // sessionless fetches are answered whole, every time
            for (int i = 0; i < 2; i++) {
                FetchResponseData sessionless = send(client, v12, fetch(0, -1, "fs-raw", 5));
                assertThat(sessionless.sessionId()).isZero();
                assertThat(partitions(sessionless)).singleElement().satisfies(p -> assertThat(p.highWatermark()).isEqualTo(5));
            }

            // topic ids (v13+): an unknown id is answered UNKNOWN_TOPIC_ID, in a session too
            short v13 = 13;
            FetchRequestData unknown = fetch(0, 0, null, 0);
            unknown.topics().add(new FetchTopic().setTopicId(Uuid.randomUuid()).setPartitions(List.of(
                    new FetchPartition().setPartition(0).setPartitionMaxBytes(1 << 20))));
            FetchResponseData r = send(client, v13, unknown);
            assertThat(partitions(r)).singleElement().satisfies(p ->
                    assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID));
        }
    }

    @Test
    void aFetchNamingAnEpochTheLeaderNeverHadIsAnsweredWithTheDivergingEpoch() throws Exception {
        createTopic("fs-diverge", 1, 1);
        produce("fs-diverge", 1, 4, "d");
        try (RawKafkaClient client = leaderOf("fs-diverge")) {
            FetchRequestData data = fetch(0, -1, "fs-diverge", 4);
            PartitionData unnamed = partitions(send(client, (short) 12, data)).get(0);
            assertThat(unnamed.divergingEpoch().epoch()).as("no epoch named: no diverging epoch").isEqualTo(-1);

            int current = epochOf("fs-diverge");
            data.topics().get(0).partitions().get(0).setLastFetchedEpoch(current).setFetchOffset(4);
            assertThat(partitions(send(client, (short) 12, data)).get(0).divergingEpoch().epoch())
                    .as("the logs agree at the log end").isEqualTo(-1);

            data.topics().get(0).partitions().get(0).setLastFetchedEpoch(current).setFetchOffset(7);
            PartitionData ahead = partitions(send(client, (short) 12, data)).get(0);
            assertThat(ahead.divergingEpoch().epoch()).isEqualTo(current);
            assertThat(ahead.divergingEpoch().endOffset()).as("the epoch ends at the leader's log end").isEqualTo(4);
            assertThat(ahead.records().sizeInBytes()).isZero();

            data.topics().get(0).partitions().get(0).setLastFetchedEpoch(current + 3).setFetchOffset(4);
            PartitionData newer = partitions(send(client, (short) 12, data)).get(0);
            assertThat(newer.divergingEpoch().epoch()).as("the leader's last epoch below the one named").isEqualTo(current);
            assertThat(newer.divergingEpoch().endOffset()).isEqualTo(4);
        }
    }

    private static int epochOf(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        for (int id = 0; id < cluster.size(); id++) {
            var p = cluster.broker(id).replicaManager().partition(tp);
            if (p.isPresent() && p.get().isLeader()) {
                return p.get().leaderEpoch();
            }
        }
        throw new AssertionError("no leader of " + tp);
    }
}
