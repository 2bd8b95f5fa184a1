package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two-phase participation (KIP-939) over the wire, as the JMS provider's XA engine speaks it: a
 * transaction is prepared (InitProducerId v6 with enable_2pc, partitions added, records written and
 * acknowledged), the client goes away and the broker is killed and restarted; the prepared transaction
 * is still pending (read_committed readers do not see it, no timeout aborted it); a recovering
 * instance keeps it with keep_prepared_txn, learns its producer id and epoch, and commits it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoPhaseCommitIT {
    private static final String ID = "xa-branch-1";
    private static final String TOPIC = "xa-orders";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void aPreparedTransactionSurvivesAClientAndBrokerCrashAndIsCommittedByTheRecoveringInstance() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "100").build().start()) {
            try (Admin admin = admin(cluster)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            long producerId;
            try (RawKafkaClient client = RawKafkaClient.connect(cluster.bootstrapServers())) {
                findCoordinator(client);
                InitProducerIdResponseData init = initProducerId(client, false);
                producerId = init.producerId();
                assertThat(init.producerEpoch()).isZero();
                var topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
                topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(TOPIC).setPartitions(List.of(0)));
                AddPartitionsToTxnResponse added = (AddPartitionsToTxnResponse) client.send(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                        new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(ID).setV3AndBelowProducerId(producerId)
                                .setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics));
                assertThat(added.errors().values().stream().flatMap(m -> m.values().stream())).containsOnly(Errors.NONE);
                MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0,
                        new SimpleRecord("order-1".getBytes(StandardCharsets.UTF_8)),
                        new SimpleRecord("order-2".getBytes(StandardCharsets.UTF_8)));
                var partition = new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records);
                var topicData = new ProduceRequestData.TopicProduceDataCollection();
                topicData.add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(partition)));
                ProduceResponse produced = (ProduceResponse) client.send(ApiKeys.PRODUCE, (short) 11, new ProduceRequestData()
                        .setTransactionalId(ID).setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topicData));
                assertThat(produced.errorCounts().keySet()).containsOnly(Errors.NONE);
                // prepared: the client's log would now record (producerId, epoch 0) for its Xid
            }

            cluster.killBroker(0);
            cluster.restartBroker(0);

            try (Admin admin = admin(cluster)) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> lastStableOffset(admin) == 0);
                Thread.sleep(1_000); // ten timeout checks: a two-phase transaction is never aborted by them
                assertThat(lastStableOffset(admin)).as("still prepared").isZero();
            }
            try (RawKafkaClient client = RawKafkaClient.connect(cluster.bootstrapServers())) {
                findCoordinator(client);
                InitProducerIdResponseData recovered = initProducerId(client, true);
                assertThat(recovered.ongoingTxnProducerId()).isEqualTo(producerId);
                assertThat(recovered.ongoingTxnProducerEpoch()).isZero();
                assertThat(recovered.producerEpoch()).isEqualTo((short) 1);
                EndTxnResponse ended = (EndTxnResponse) client.send(ApiKeys.END_TXN, (short) 4, new EndTxnRequestData()
                        .setTransactionalId(ID).setProducerId(recovered.producerId()).setProducerEpoch(recovered.producerEpoch())
                        .setCommitted(true));
                assertThat(ended.error()).isEqualTo(Errors.NONE);
            }
            assertThat(TransactionsIT.readAll(cluster, TOPIC, 1, "read_committed", 2)).containsExactly("order-1", "order-2");
        }
    }

    private static Admin admin(EmbeddedWeirCluster cluster) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static long lastStableOffset(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(TP, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all().get(10, TimeUnit.SECONDS).get(TP).offset();
    }

    private static void findCoordinator(RawKafkaClient client) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            FindCoordinatorResponse r = (FindCoordinatorResponse) client.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                    new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of(ID)));
            return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
        });
    }

    /** InitProducerId v6 with enable_2pc, retried while the coordinator loads or finishes a previous write. */
    private static InitProducerIdResponseData initProducerId(RawKafkaClient client, boolean keepPrepared) {
        InitProducerIdResponseData[] answer = new InitProducerIdResponseData[1];
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            InitProducerIdResponse r = (InitProducerIdResponse) client.send(ApiKeys.INIT_PRODUCER_ID, (short) 6,
                    new InitProducerIdRequestData().setTransactionalId(ID).setTransactionTimeoutMs(1_000)
                            .setProducerId(-1).setProducerEpoch((short) -1).setEnable2Pc(true).setKeepPreparedTxn(keepPrepared));
            Errors error = Errors.forCode(r.data().errorCode());
            assertThat(error).isIn(Set.of(Errors.NONE, Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR,
                    Errors.COORDINATOR_NOT_AVAILABLE, Errors.CONCURRENT_TRANSACTIONS));
            answer[0] = r.data();
            return error == Errors.NONE;
        });
        return answer[0];
    }
}
