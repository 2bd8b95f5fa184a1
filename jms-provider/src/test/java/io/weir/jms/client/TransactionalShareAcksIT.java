package io.weir.jms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The provider's {@link TransactionalShareAcks} requests against a Weir broker: the feature is advertised; ACCEPTs
 * sent in a transaction are acknowledged by its commit (the share-partition start offset moves past them) and given
 * back by its abort (delivered again with delivery count 2).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionalShareAcksIT {
    private static final String TOPIC = "txn-acked-queue";
    private static final String GROUP = "txn-acked-queue";
    private static final String TXN_ID = "jms-share-acks-0";
    private static final Set<Errors> RETRIABLE = Set.of(Errors.CONCURRENT_TRANSACTIONS, Errors.COORDINATOR_LOAD_IN_PROGRESS,
            Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE);

    private final String member = Uuid.randomUuid().toString();
    private int sessionEpoch;

    @Test
    void acceptsCommitAndAbortWithTheTransaction() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
             BrokerConnection c = new BrokerConnection("127.0.0.1", cluster.broker(0).boundPort(), "txn-acks-test", 15_000)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            Uuid topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC).topicId();
            produce(cluster.bootstrapServers(), "m-0", "m-1");

            ApiVersionsResponse versions = (ApiVersionsResponse) c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("weir-jms").setClientSoftwareVersion("test"));
            assertThat(TransactionalShareAcks.supported(versions.data())).isTrue();
            assertThat(c.supportsTransactionalShareAcks()).isTrue();

            List<String> first = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> { // the first fetch of a group may find its state topic being made
                first.addAll(fetch(c, topicId));
                return first.size() >= 2;
            });
            assertThat(first).containsExactly("m-0@1", "m-1@1");
            TransactionalShareAcks.Transaction txn = initProducerId(c);
            assertThat(acceptInTxn(c, topicId, 0, 1, txn)).isEqualTo(Errors.NONE);
            assertThat(endTxn(c, txn, true)).isEqualTo(Errors.NONE);
            await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(admin) >= 2);

            produce(cluster.bootstrapServers(), "m-2"); // offset 3: the COMMIT marker is at 2
            assertThat(fetch(c, topicId)).containsExactly("m-2@1");
            assertThat(acceptInTxn(c, topicId, 3, 3, txn)).isEqualTo(Errors.NONE);
            assertThat(fetch(c, topicId)).as("pending: not delivered again").isEmpty();
            assertThat(endTxn(c, txn, false)).isEqualTo(Errors.NONE);
            List<String> again = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                again.addAll(fetch(c, topicId));
                return !again.isEmpty();
            });
            assertThat(again).containsExactly("m-2@2");
        }
    }

    private static void produce(String bootstrap, String... values) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, v));
            }
            producer.flush();
        }
    }

    private static long startOffset(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        var info = admin.listShareGroupOffsets(Map.of(GROUP, new ListShareGroupOffsetsSpec().topicPartitions(List.of(tp))))
                .partitionsToOffsetInfo(GROUP).get(30, TimeUnit.SECONDS).get(tp);
        return info == null ? -1 : info.startOffset();
    }

    /** One ShareFetch in the member's session: the acquired records as value@deliveryCount. */
    private List<String> fetch(BrokerConnection c, Uuid topicId) throws Exception {
        ShareFetchRequestData d = new ShareFetchRequestData().setGroupId(GROUP).setMemberId(member).setShareSessionEpoch(sessionEpoch)
                .setMaxWaitMs(0).setMinBytes(0).setMaxRecords(10).setBatchSize(10);
        var t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        d.topics().add(t);
        ShareFetchResponse r = (ShareFetchResponse) c.send(ApiKeys.SHARE_FETCH, (short) 1, d);
        assertThat(r.error()).isEqualTo(Errors.NONE);
        sessionEpoch++;
        List<String> out = new ArrayList<>();
        for (ShareFetchResponseData.ShareFetchableTopicResponse tr : r.data().responses()) {
            for (ShareFetchResponseData.PartitionData p : tr.partitions()) {
                Map<Long, Short> counts = new java.util.HashMap<>();
                p.acquiredRecords().forEach(a -> {
                    for (long o = a.firstOffset(); o <= a.lastOffset(); o++) {
                        counts.put(o, a.deliveryCount());
                    }
                });
                for (RecordBatch b : ((MemoryRecords) p.records()).batches()) {
                    for (Record rec : b) {
                        if (counts.containsKey(rec.offset())) {
                            out.add(StandardCharsets.UTF_8.decode(rec.value()) + "@" + counts.get(rec.offset()));
                        }
                    }
                }
            }
        }
        return out;
    }

    private Errors acceptInTxn(BrokerConnection c, Uuid topicId, long first, long last, TransactionalShareAcks.Transaction txn) {
        Errors[] result = new Errors[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ShareAcknowledgeResponse r = (ShareAcknowledgeResponse) c.send(ApiKeys.SHARE_ACKNOWLEDGE, (short) 1,
                    TransactionalShareAcks.request(GROUP, member, sessionEpoch, topicId, 0,
                            List.of(new TransactionalShareAcks.Range(first, last)), txn));
            assertThat(r.data().errorCode()).isEqualTo(Errors.NONE.code());
            sessionEpoch++;
            result[0] = Errors.forCode(r.data().responses().iterator().next().partitions().get(0).errorCode());
            return !RETRIABLE.contains(result[0]);
        });
        return result[0];
    }

    private static TransactionalShareAcks.Transaction initProducerId(BrokerConnection c) {
        long[] pid = new long[1];
        short[] epoch = new short[1];
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            FindCoordinatorResponse fc = (FindCoordinatorResponse) c.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                    new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of(TXN_ID)));
            if (fc.data().coordinators().get(0).errorCode() != Errors.NONE.code()) {
                return false;
            }
            InitProducerIdResponse r = (InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(TXN_ID).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1));
            pid[0] = r.data().producerId();
            epoch[0] = r.data().producerEpoch();
            return r.data().errorCode() == Errors.NONE.code();
        });
        return new TransactionalShareAcks.Transaction(TXN_ID, pid[0], epoch[0]);
    }

    private static Errors endTxn(BrokerConnection c, TransactionalShareAcks.Transaction txn, boolean commit) {
        Errors[] result = new Errors[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            EndTxnResponse r = (EndTxnResponse) c.send(ApiKeys.END_TXN, (short) 4, new EndTxnRequestData().setTransactionalId(TXN_ID)
                    .setProducerId(txn.producerId()).setProducerEpoch(txn.producerEpoch()).setCommitted(commit));
            result[0] = r.error();
            return !RETRIABLE.contains(result[0]);
        });
        return result[0];
    }
}
