package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.network.FrameMutator;
import io.weir.broker.network.LogCapture;
import io.weir.broker.network.ProtocolSamples;
import io.weir.broker.network.ProtocolSamples.KeyVersion;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input over real sockets to a running broker. Frames the protocol cannot answer close their
 * connection with one log line naming the client's address; requests it can answer get the error
 * code Kafka defines, per partition or topic. Other connections keep working throughout, and the
 * data stored before is unchanged after each test.
 */
class BadInputIT {
    private static final LogCapture LOGS = LogCapture.install();
    private static final int REQUEST_LIMIT = 65_536;
    private static final String KEEP = "keep";
    private static final String TARGET = "target";

    private static EmbeddedWeirCluster cluster;
    private static List<String> kept;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("socket.request.max.bytes", String.valueOf(REQUEST_LIMIT))
                .brokerProperty("message.max.bytes", "32768")
                .build().start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(KEEP, 1, (short) 1), new NewTopic(TARGET, 2, (short) 1))).all().get();
        }
        kept = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                kept.add("kept-" + i);
                producer.send(new ProducerRecord<>(KEEP, "k" + i, "kept-" + i));
            }
            producer.flush();
        }
        assertThat(consume(KEEP, 100)).isEqualTo(kept);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @AfterEach
    void storedDataIsIntact() {
        assertThat(consume(KEEP, kept.size())).isEqualTo(kept);
    }

    // ---- frames without an answer: the connection is closed

    /** Bytes no client should send; each closes its connection. */
    enum BadFrame {
        OVER_THE_LIMIT("request frame rejected", sized(REQUEST_LIMIT + 1, new byte[1_000])),
        NEGATIVE_SIZE("request frame rejected", sized(-5, new byte[16])),
        GARBAGE_HEADER("cannot parse the request header", sized(6, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1})),
        UNKNOWN_API_KEY("cannot parse the request header", sized(12, header(999, 0, 1, "bad"))),
        // header v2 (Metadata v9 and later): an empty tagged-field section after the client id
        METADATA_V99("METADATA version 99 is not supported", sized(14, header(3, 99, 1, "bad"), new byte[] {0})),
        GARBLED_BODY("cannot parse the body of PRODUCE v9", garbledProduce());

        final String reason;
        final byte[] bytes;

        BadFrame(String reason, byte[] bytes) {
            this.reason = reason;
            this.bytes = bytes;
        }
    }

    static byte[] header(int apiKey, int version, int correlationId, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(10 + id.length).putShort((short) apiKey).putShort((short) version).putInt(correlationId)
                .putShort((short) id.length).put(id).array();
    }

    static byte[] sized(int size, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(size).array());
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] garbledProduce() {
        RequestHeader h = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "bad", 1);
        ByteBuffer request = ProtocolSamples.request(ApiKeys.PRODUCE, (short) 9).serializeWithHeader(h);
        byte[] bytes = new byte[request.remaining()];
        request.get(bytes);
        for (int i = h.size() + 2 + 4; i < h.size() + 2 + 4 + 8; i++) {
            bytes[i] = (byte) 0xff; // the transactional id and topic array lengths
        }
        return sized(bytes.length, bytes);
    }

    @ParameterizedTest
    @EnumSource(BadFrame.class)
    void aFrameWithoutAnAnswerClosesOnlyItsConnection(BadFrame bad) throws Exception {
        try (RawKafkaSocket healthy = new RawKafkaSocket(cluster.bootstrapServers());
             RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            assertClosedAfter(socket, bad);
            assertThat(apiVersions(healthy).errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    private static void assertClosedAfter(RawKafkaSocket socket, BadFrame bad) throws Exception {
        int since = LOGS.mark();
        socket.writeRaw(bad.bytes);
        assertThat(socket.closedByBroker(Duration.ofSeconds(10))).as("%s closed the connection", bad).isTrue();
        String marker = "from " + socket.clientAddress() + ": ";
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContainingSince(since, marker)).hasSize(1));
        assertThat(LOGS.linesContainingSince(since, marker).get(0)).contains("WARN").contains(bad.reason);
    }

    @Test
    void aTruncatedFrameThenHangingUpLeavesNoTrace() throws Exception {
        String address;
        int since = LOGS.mark();
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            address = socket.clientAddress();
            socket.writeRaw(sized(100, header(ApiKeys.METADATA.id, 12, 1, "cut"), new byte[10]));
        }
        try (RawKafkaSocket next = new RawKafkaSocket(cluster.bootstrapServers())) {
            assertThat(apiVersions(next).errorCode()).isEqualTo(Errors.NONE.code());
        }
        assertThat(LOGS.linesContainingSince(since, "from " + address + ": ")).as("a client hanging up is not logged as bad input")
                .isEmpty();
    }

    @Test
    void apiVersionsOfAnUnknownVersionIsAnsweredInVersionZeroWithTheImplementedRanges() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            byte[] id = "future-client".getBytes(StandardCharsets.UTF_8);
            byte[] header = ByteBuffer.allocate(11 + id.length).putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(42)
                    .putShort((short) id.length).put(id).put((byte) 0).array(); // request header v2
            socket.writeRaw(sized(header.length + 3, header, new byte[] {2, 'x', 0}));
            byte[] frame = socket.receiveFrame();
            ByteBuffer body = ByteBuffer.wrap(frame);
            assertThat(body.getInt()).as("correlation id").isEqualTo(42);
            ApiVersionsResponseData v0 = new ApiVersionsResponseData(new ByteBufferAccessor(body), (short) 0);
            assertThat(body.remaining()).as("bytes after a v0 body").isZero();
            assertThat(Errors.forCode(v0.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(v0.apiKeys()).containsExactlyInAnyOrderElementsOf(implementedRanges());

            // the connection stays usable, and a supported version lists the same ranges
            ApiVersionsResponseData current = apiVersions(socket);
            assertThat(Errors.forCode(current.errorCode())).isEqualTo(Errors.NONE);
            assertThat(current.apiKeys()).containsExactlyInAnyOrderElementsOf(implementedRanges());
        }
    }

    /** Every version of every key the broker implements. */
    private static List<ApiVersion> implementedRanges() {
        return ProtocolSamples.ADVERTISED.stream().map(k -> new ApiVersion().setApiKey(k.id)
                .setMinVersion(ProtocolSamples.oldest(k)).setMaxVersion(ProtocolSamples.latest(k))).toList();
    }

    private static ApiVersionsResponseData apiVersions(RawKafkaSocket socket) throws Exception {
        return ((ApiVersionsResponse) socket.call(ApiKeys.API_VERSIONS, (short) 3,
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"))).data();
    }

    @Test
    void clientsOnOtherConnectionsKeepWorkingWhileBadConnectionsComeAndGo() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            Future<List<RecordMetadata>> produced = pool.submit(() -> {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                try (KafkaProducer<String, String> producer = producer()) {
                    for (int i = 0; i < 300; i++) {
                        acks.add(producer.send(new ProducerRecord<>("live", 0, "k", "live-" + i)));
                        if (i % 30 == 0) {
                            Thread.sleep(20);
                        }
                    }
                    List<RecordMetadata> done = new ArrayList<>();
                    for (Future<RecordMetadata> f : acks) {
                        done.add(f.get());
                    }
                    return done;
                }
            });
            for (int round = 0; round < 3; round++) {
                for (BadFrame bad : BadFrame.values()) {
                    try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
                        assertClosedAfter(socket, bad);
                    }
                }
            }
            List<RecordMetadata> acks = produced.get(60, TimeUnit.SECONDS);
            assertThat(acks).extracting(RecordMetadata::offset).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, 300).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
        List<String> expected = java.util.stream.IntStream.range(0, 300).mapToObj(i -> "live-" + i).toList();
        assertThat(consume("live", 300)).isEqualTo(expected);
    }

    /**
     * Random and mutated frames (seeded), each on its own connection, against the real request
     * handlers. CreateTopics, CreatePartitions and DeleteTopics are left out: a mutated partition count
     * would have the broker create thousands of partitions, which is a quota question, not a codec one.
     */
    @Test
    void fuzzedFramesLeaveTheBrokerServing() throws Exception {
        Set<ApiKeys> admin = Set.of(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_PARTITIONS, ApiKeys.DELETE_TOPICS);
        List<KeyVersion> samples = ProtocolSamples.everyVersion().stream().filter(kv -> !admin.contains(kv.key())).toList();
        long seed = Long.getLong("weir.fuzz.seed", 0x5eed_50c_4e7L);
        Random random = new Random(seed);
        FrameMutator mutator = new FrameMutator(REQUEST_LIMIT);
        List<String> clients = new ArrayList<>();
        int since = LOGS.mark();
        for (int i = 0; i < 300; i++) {
            byte[] frame = i % 3 == 0 ? FrameMutator.randomFrame(random, samples) : mutator.mutatedFrame(random, samples);
            try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
                clients.add(socket.clientAddress());
                socket.writeRaw(frame);
            } catch (java.io.IOException e) {
                // the broker may close before all of a bad frame is written
            }
        }

        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            assertThat(apiVersions(socket).errorCode()).isEqualTo(Errors.NONE.code());
        }
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("after-fuzz", 0, "k", "after-" + i)).get();
            }
        }
        assertThat(consume("after-fuzz", 10)).containsExactly(
                java.util.stream.IntStream.range(0, 10).mapToObj(i -> "after-" + i).toArray(String[]::new));
        for (String client : new java.util.LinkedHashSet<>(clients)) {
            // an ephemeral port may serve several of the 300 connections: one close line per connection at most
            int connections = (int) clients.stream().filter(client::equals).count();
            assertThat(LOGS.linesContainingSince(since, client + ":").stream().filter(l -> l.contains("ERROR") || l.contains("unexpected")))
                    .as("seed %d: errors logged for %s", seed, client).isEmpty();
            assertThat(LOGS.linesContainingSince(since, client + ":").stream().filter(l -> l.contains("Closing connection")))
                    .as("seed %d: close lines for %s", seed, client).hasSizeLessThanOrEqualTo(connections);
        }
    }

    // ---- requests with an answer: Kafka's error codes

    @Test
    void anInvalidTopicNameIsInvalidTopicExceptionInMetadata() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            for (boolean autoCreate : new boolean[] {true, false}) {
                MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(autoCreate)
                        .setTopics(new ArrayList<>(List.of(new MetadataRequestTopic().setName("bad/name"),
                                new MetadataRequestTopic().setName(".."), new MetadataRequestTopic().setName(KEEP))));
                MetadataResponse response = (MetadataResponse) socket.call(ApiKeys.METADATA, (short) 12, request);
                assertThat(response.data().topics()).as("allowAutoTopicCreation=%s", autoCreate)
                        .extracting(MetadataResponseTopic::name, t -> Errors.forCode(t.errorCode()))
                        .containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple("bad/name", Errors.INVALID_TOPIC_EXCEPTION),
                                org.assertj.core.groups.Tuple.tuple("..", Errors.INVALID_TOPIC_EXCEPTION),
                                org.assertj.core.groups.Tuple.tuple(KEEP, Errors.NONE));
            }
        }
    }

    @Test
    void anInvalidTopicNameIsInvalidTopicExceptionInCreateTopics() throws Exception {
        List<String> names = List.of("bad/name", "", "..", "x".repeat(250), "space d");
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(10_000);
        for (String name : names) {
            request.topics().add(new CreatableTopic().setName(name).setNumPartitions(1).setReplicationFactor((short) 1));
        }
        request.topics().add(new CreatableTopic().setName("fine-name").setNumPartitions(1).setReplicationFactor((short) 1));
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            CreateTopicsResponse response = (CreateTopicsResponse) socket.call(ApiKeys.CREATE_TOPICS, (short) 7, request);
            for (CreatableTopicResult r : response.data().topics()) {
                Errors expected = r.name().equals("fine-name") ? Errors.NONE : Errors.INVALID_TOPIC_EXCEPTION;
                assertThat(Errors.forCode(r.errorCode())).as("topic '%s'", r.name()).isEqualTo(expected);
            }
            assertThat(response.data().topics()).hasSize(names.size() + 1);
        }
    }

    @Test
    void aBatchWithABadCrcIsCorruptMessageAndNothingIsStored() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            long end0 = latestOffset(socket, TARGET, 0);
            long end1 = latestOffset(socket, TARGET, 1);
            MemoryRecords corrupt = ProtocolSamples.records("x", "y", "z");
            ByteBuffer bytes = corrupt.buffer();
            bytes.put(DefaultRecordBatch.CRC_OFFSET, (byte) (bytes.get(DefaultRecordBatch.CRC_OFFSET) ^ 0x01));
            ProduceRequestData produce = produce(TARGET, (short) -1,
                    new PartitionProduceData().setIndex(0).setRecords(corrupt),
                    new PartitionProduceData().setIndex(1).setRecords(ProtocolSamples.records("good")));

            ProduceResponse response = (ProduceResponse) socket.call(ApiKeys.PRODUCE, (short) 12, produce);
            List<PartitionProduceResponse> partitions = response.data().responses().iterator().next().partitionResponses();
            assertThat(partitions).extracting(PartitionProduceResponse::index, p -> Errors.forCode(p.errorCode()))
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, Errors.CORRUPT_MESSAGE),
                            org.assertj.core.groups.Tuple.tuple(1, Errors.NONE));
            assertThat(latestOffset(socket, TARGET, 0)).as("partition with the bad batch").isEqualTo(end0);
            assertThat(latestOffset(socket, TARGET, 1)).as("partition with the good batch").isEqualTo(end1 + 1);
        }
    }

    @Test
    void produceToAPartitionTheTopicDoesNotHaveIsUnknownTopicOrPartition() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            ProduceRequestData produce = produce(TARGET, (short) 1,
                    new PartitionProduceData().setIndex(99).setRecords(ProtocolSamples.records("nowhere")));
            ProduceResponse response = (ProduceResponse) socket.call(ApiKeys.PRODUCE, (short) 12, produce);
            PartitionProduceResponse p = response.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(p.index()).isEqualTo(99);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
    }

    @Test
    void produceWithAcksFiveIsInvalidRequiredAcks() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            long end = latestOffset(socket, TARGET, 0);
            ProduceRequestData produce = produce(TARGET, (short) 5,
                    new PartitionProduceData().setIndex(0).setRecords(ProtocolSamples.records("acks-5")));
            ProduceResponse response = (ProduceResponse) socket.call(ApiKeys.PRODUCE, (short) 12, produce);
            PartitionProduceResponse p = response.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
            assertThat(latestOffset(socket, TARGET, 0)).isEqualTo(end);
        }
    }

    @Test
    void aFetchBeyondTheEndIsOffsetOutOfRangeAtOnce() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(cluster.bootstrapServers())) {
            long end = latestOffset(socket, KEEP, 0);
            FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10_000).setMinBytes(1)
                    .setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
            fetch.topics().add(new FetchTopic().setTopic(KEEP).setPartitions(new ArrayList<>(List.of(
                    new FetchPartition().setPartition(0).setFetchOffset(end + 1_000).setPartitionMaxBytes(1 << 20)))));
            long started = System.nanoTime();
            FetchResponse response = (FetchResponse) socket.call(ApiKeys.FETCH, (short) 12, fetch);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            PartitionData p = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
            assertThat(tookMs).as("an error is answered without waiting max.wait.ms").isLessThan(5_000);
        }
    }

    // ---- helpers

    private static ProduceRequestData produce(String topic, short acks, PartitionProduceData... partitions) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000);
        TopicProduceData t = new TopicProduceData().setName(topic);
        t.partitionData().addAll(List.of(partitions));
        data.topicData().add(t);
        return data;
    }

    private static long latestOffset(RawKafkaSocket socket, String topic, int partition) throws Exception {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1).setIsolationLevel((byte) 0);
        request.topics().add(new ListOffsetsTopic().setName(topic).setPartitions(new ArrayList<>(List.of(
                new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(-1L)))));
        ListOffsetsResponse response = (ListOffsetsResponse) socket.call(ApiKeys.LIST_OFFSETS, (short) 7, request);
        var p = response.data().topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        return p.offset();
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(p);
    }

    /** The values of partition 0 of {@code topic} from the start, in offset order. */
    private static List<String> consume(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(r.value());
                }
            }
            // nothing beyond what is expected
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
