package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.log.PartitionLog;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer state across broker restarts, loaded from producer-state snapshots: an idempotent producer's
 * retried batch is still answered as a duplicate after a {@code kill -9} and after a clean stop, and a
 * transaction open before a restart still holds back read_committed readers and is then aborted (by a
 * new producer with the same transactional id) or committed (by its own producer) correctly. Topics use
 * 1 KiB segments, so the partitions roll (and snapshot) many times.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProducerSnapshotRestartIT {
    private static final String PAD = "x".repeat(120);

    @TempDir
    static Path data;

    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).dataDir(data)
                .brokerProperty("log.flush.offset.checkpoint.interval.ms", "100").build().start();
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
    void aRetriedIdempotentBatchIsStillADuplicateAfterAKillAndAfterACleanStop() throws Exception {
        String topic = "snap-idempotent";
        createTopic(topic);
        long producerId;
        short epoch;
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            InitProducerIdResponse init = (InitProducerIdResponse) raw.send(ApiKeys.INIT_PRODUCER_ID, (short) 4,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1));
            assertThat(init.error()).isEqualTo(Errors.NONE);
            producerId = init.data().producerId();
            epoch = init.data().producerEpoch();
        }
        for (int seq = 0; seq < 30; seq++) {
            assertThat(produce(topic, producerId, epoch, seq)).isEqualTo(new Answer(Errors.NONE, seq));
        }
        awaitRecoveryPointCheckpointed(topic, 20);

        cluster.killBroker(0);
        cluster.restartBroker(0);
        assertThat(produce(topic, producerId, epoch, 29)).as("the retried last batch").isEqualTo(new Answer(Errors.NONE, 29));
        assertThat(produce(topic, producerId, epoch, 27)).as("an older retried batch").isEqualTo(new Answer(Errors.NONE, 27));
        PartitionLog.ProducerStateLoad afterKill = loadOf(topic);
        assertThat(afterKill.snapshotOffset()).as("recovery started from a roll's snapshot, not the whole log").isPositive()
                .isLessThan(30);
        assertThat(produce(topic, producerId, epoch, 31).error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(produce(topic, producerId, epoch, 30)).isEqualTo(new Answer(Errors.NONE, 30));

        cluster.restartBroker(0); // clean stop: a snapshot at the log end
        assertThat(produce(topic, producerId, epoch, 30)).isEqualTo(new Answer(Errors.NONE, 30));
        assertThat(loadOf(topic)).as("nothing replayed after a clean stop").isEqualTo(new PartitionLog.ProducerStateLoad(31, 0));
        assertThat(produce(topic, producerId, epoch, 31)).isEqualTo(new Answer(Errors.NONE, 31));

        List<String> values = read(topic, "read_uncommitted", 32);
        assertThat(values).hasSize(32).doesNotHaveDuplicates();
        assertThat(Files.list(partitionDir(topic)).map(p -> p.getFileName().toString()))
                .anySatisfy(n -> assertThat(n).endsWith(".snapshot"));
    }

    @Test
    void aTransactionOpenAcrossAKillIsAbortedByItsSuccessor() throws Exception {
        String topic = "snap-txn";
        createTopic(topic);
        // a transaction left open by a producer that then vanishes, with plain records written after it
        KafkaProducer<String, String> abandoned = transactionalProducer("snap-tx-abandoned");
        abandoned.initTransactions();
        abandoned.beginTransaction();
        for (int i = 0; i < 15; i++) {
            abandoned.send(new ProducerRecord<>(topic, 0, null, "open-" + i + PAD));
        }
        abandoned.flush();
        try (KafkaProducer<String, String> plain = plainProducer()) {
            for (int i = 0; i < 5; i++) {
                plain.send(new ProducerRecord<>(topic, 0, null, "after-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        abandoned.close(Duration.ZERO);
        awaitRecoveryPointCheckpointed(topic, 10);

        cluster.killBroker(0);
        cluster.restartBroker(0);
        assertThat(lastStableOffset(topic)).as("the open transaction still holds read_committed readers at its start").isZero();
        assertThat(loadOf(topic).snapshotOffset()).isPositive();
        try (KafkaProducer<String, String> successor = transactionalProducer("snap-tx-abandoned")) {
            successor.initTransactions(); // fences the old epoch: its transaction is aborted
            successor.beginTransaction();
            successor.send(new ProducerRecord<>(topic, 0, null, "committed-0"));
            successor.commitTransaction();
        }
        assertThat(read(topic, "read_committed", 6)).containsExactly("after-0", "after-1", "after-2", "after-3", "after-4",
                "committed-0");
    }

    /**
     * A transaction open across a clean stop of the only broker, committed by its own producer afterwards. It used to
     * fail about one run in four: a restarted broker could lead {@code __transaction_state} partitions from its first
     * metadata snapshot on, before its leadership listener was set, so the transaction coordinator never loaded them
     * and the producer's EndTxn was answered "not coordinator" until it timed out (WeirServer now sets the listener
     * before the cluster watch starts).
     */
    @Test
    void aTransactionOpenAcrossACleanStopIsCommittedByItsProducer() throws Exception {
        String topic = "snap-txn-kept";
        createTopic(topic);
        try (KafkaProducer<String, String> producer = transactionalProducer("snap-tx-kept")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "kept-" + i + PAD));
            }
            producer.flush();
            long start = lastStableOffset(topic);
            cluster.restartBroker(0);
            assertThat(lastStableOffset(topic)).as("still open after the restart").isEqualTo(start);
            assertThat(loadOf(topic).replayedBatches()).as("loaded from the close's snapshot").isZero();
            producer.commitTransaction();
        }
        List<String> committed = read(topic, "read_committed", 10);
        assertThat(committed).hasSize(10).doesNotHaveDuplicates().allMatch(v -> v.startsWith("kept-"));
    }

    private record Answer(Errors error, long baseOffset) {
    }

    /** Produces one idempotent batch of one record, retrying while the broker (re)starts. */
    private static Answer produce(String topic, long producerId, short epoch, int sequence) {
        Answer[] answer = new Answer[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            MemoryRecords records = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence,
                    new SimpleRecord(("seq-" + sequence + PAD).getBytes(StandardCharsets.UTF_8)));
            ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
            topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
            try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
                ProduceResponse response = (ProduceResponse) raw.send(ApiKeys.PRODUCE, (short) 9,
                        new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topics));
                ProduceResponseData.PartitionProduceResponse p = response.data().responses().iterator().next()
                        .partitionResponses().get(0);
                Errors error = Errors.forCode(p.errorCode());
                if (error.exception() instanceof org.apache.kafka.common.errors.RetriableException
                        && error != Errors.OUT_OF_ORDER_SEQUENCE_NUMBER) {
                    return false;
                }
                answer[0] = new Answer(error, error == Errors.NONE ? p.baseOffset() : -1);
                return true;
            }
        });
        return answer[0];
    }

    /** Waits until the broker's recovery-point checkpoint has {@code topic}-0 at or above {@code atLeast}. */
    private static void awaitRecoveryPointCheckpointed(String topic, long atLeast) {
        Path checkpoint = data.resolve("broker-0").resolve("recovery-point-offset-checkpoint");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> Files.readAllLines(checkpoint).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f.length == 3 && f[0].equals(topic) && f[1].equals("0")
                        && Long.parseLong(f[2]) >= atLeast));
    }

    private static PartitionLog.ProducerStateLoad loadOf(String topic) {
        return cluster.broker(0).logManager().getLog(new TopicPartition(topic, 0)).orElseThrow().lastProducerStateLoad();
    }

    private static Path partitionDir(String topic) {
        return data.resolve("broker-0").resolve(topic + "-0");
    }

    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("segment.bytes", "1024"))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static long lastStableOffset(String topic) {
        long[] lso = new long[1];
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            TopicPartition tp = new TopicPartition(topic, 0);
            lso[0] = admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
            return true;
        });
        return lso[0];
    }

    private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 200); // one record per batch: many batches, many rolls
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaProducer<String, String> plainProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Reads partition 0 from the start until {@code expected} records arrived, then briefly more. */
    private static List<String> read(String topic, String isolation, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value().replace(PAD, ""));
                }
                return out.size() >= expected;
            });
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                out.add(r.value().replace(PAD, "")); // anything beyond what was expected is a failure below
            }
        }
        return out;
    }
}
