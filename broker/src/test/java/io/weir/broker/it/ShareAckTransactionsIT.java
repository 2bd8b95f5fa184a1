package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.share.TxnAck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share acknowledgements inside Kafka transactions, over real sockets against three brokers with a replicated share
 * state: a member acquires records with ShareFetch and ACCEPTs them with a ShareAcknowledge that carries Weir's
 * transactional tag ({@link TxnAck}); the transaction is opened and ended with InitProducerId / EndTxn as a
 * transactional producer would. Commit: never delivered again, also when the data partition's leader is killed while
 * the acknowledgement is pending and the marker reaches its successor. Abort and transaction timeout: delivered again
 * with the delivery counted. A prepared two-phase transaction keeps them pending across broker restarts until the
 * recovering instance commits it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShareAckTransactionsIT {
    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(3)
                .brokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200")
                .brokerProperty("transaction.state.log.num.partitions", "3")
                .brokerProperty("share.coordinator.state.topic.num.partitions", "3").build().start();
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
    void theBrokerAdvertisesTheTransactionalAcknowledgement() throws Exception {
        try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
            ApiVersionsResponse r = (ApiVersionsResponse) raw.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(r.data().supportedFeatures().find(TxnAck.FEATURE)).isNotNull();
            assertThat(r.data().supportedFeatures().find(TxnAck.FEATURE).maxVersion()).isEqualTo((short) 1);
        }
    }

    @Test
    void committedAcknowledgementsAreNeverDeliveredAgainAlsoAcrossALeaderKill() throws Exception {
        Queue q = queue("txn-commit", 3);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).containsExactly("txn-commit-0@1", "txn-commit-1@1", "txn-commit-2@1");
        Txn txn = Txn.init(txnIdCoordinated("share-txn-commit", q.leader(), false), 60_000, false);
        assertThat(a.acceptInTxn(0, 2, txn)).isEqualTo(Errors.NONE);
        assertThat(a.acknowledge(0, 0, (byte) 2)).as("a pending record cannot be released").isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(q.member().fetch()).as("pending: not delivered to others").isEmpty();

        // the data partition's leader dies with the acknowledgement pending; its successor loads it from the share state
        int leader = q.leader();
        cluster.killBroker(leader);
        await().atMost(Duration.ofSeconds(60)).until(() -> q.leaderOrNone() >= 0 && q.leaderOrNone() != leader);
        Member b = q.member();
        assertThat(b.fetch()).as("still pending on the new leader").isEmpty();
        assertThat(txn.end(true)).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(60)).until(() -> q.startOffset() >= 3);
        q.produce(1, "after-");
        await().atMost(Duration.ofSeconds(30)).until(() -> !b.fetchKeep().isEmpty());
        assertThat(b.lastFetched).containsExactly("after-0@1");
        cluster.restartBroker(leader);
    }

    @Test
    void aCommitWhoseMarkerANewLeaderFindsInItsLogAcknowledges() throws Exception {
        Queue q = queue("txn-log-commit", 2);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(2);
        Txn txn = Txn.init("share-txn-log-commit", 60_000, false);
        assertThat(a.acceptInTxn(0, 1, txn)).isEqualTo(Errors.NONE);
        int leader = q.leader();
        cluster.killBroker(leader);
        await().atMost(Duration.ofSeconds(60)).until(() -> q.leaderOrNone() >= 0 && q.leaderOrNone() != leader);
        // nobody touches the share-partition on the new leader before the marker: it loads the pending state afterwards
        // and resolves it from the COMMIT marker in the partition's log
        assertThat(txn.end(true)).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(60)).until(() -> q.endOffset() >= 3); // the marker is replicated
        Member b = q.member();
        assertThat(b.fetch()).isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> q.startOffset() >= 2);
        cluster.restartBroker(leader);
    }

    @Test
    void abortedAcknowledgementsAreDeliveredAgainWithTheirDeliveryCount() throws Exception {
        Queue q = queue("txn-abort", 2);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(2);
        Txn txn = Txn.init(txnIdCoordinated("share-txn-abort", q.leader(), true), 60_000, false);
        assertThat(a.acceptInTxn(0, 1, txn)).isEqualTo(Errors.NONE);
        assertThat(txn.end(false)).isEqualTo(Errors.NONE);
        Member b = q.member();
        await().atMost(Duration.ofSeconds(30)).until(() -> !b.fetchKeep().isEmpty());
        assertThat(b.lastFetched).containsExactly("txn-abort-0@2", "txn-abort-1@2");
        assertThat(q.startOffset()).isZero();
    }

    @Test
    void aTimedOutTransactionReleasesItsAcknowledgementsAndAFencedOneChangesNothing() throws Exception {
        Queue q = queue("txn-timeout", 2);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(2);
        Txn txn = Txn.init("share-txn-timeout", 1_000, false);
        Txn stale = new Txn(txn.id, txn.producerId, (short) (txn.epoch + 1), false);
        assertThat(a.acceptInTxn(0, 1, stale)).as("unknown epoch").isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(a.acceptInTxn(0, 1, txn)).as("the records stayed acquired").isEqualTo(Errors.NONE);
        Member b = q.member();
        // the coordinator aborts the transaction after 1 s with a bumped epoch: the records come back
        await().atMost(Duration.ofSeconds(60)).until(() -> !b.fetchKeep().isEmpty());
        assertThat(b.lastFetched).containsExactly("txn-timeout-0@2", "txn-timeout-1@2");
        assertThat(txn.end(true)).isIn(Errors.PRODUCER_FENCED, Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void aNewInstanceOfTheTransactionalIdFencesTheTransactionAndItsAcknowledgementsComeBack() throws Exception {
        Queue q = queue("txn-fenced", 2);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(2);
        Txn txn = Txn.init("share-txn-fenced", 60_000, false);
        assertThat(a.acceptInTxn(0, 1, txn)).isEqualTo(Errors.NONE);
        // the producer's process dies; its restart initialises the same transactional id, which aborts the open
        // transaction (an ABORT marker at a bumped epoch): the acknowledged records are released
        Txn restarted = Txn.init("share-txn-fenced", 60_000, false);
        assertThat(restarted.epoch()).isGreaterThan(txn.epoch());
        Member b = q.member();
        await().atMost(Duration.ofSeconds(30)).until(() -> !b.fetchKeep().isEmpty());
        assertThat(b.lastFetched).containsExactly("txn-fenced-0@2", "txn-fenced-1@2");
    }

    @Test
    void onlyTheAcceptsOfARequestJoinTheTransaction() throws Exception {
        Queue q = queue("txn-mixed", 3);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(3);
        Txn txn = Txn.init("share-txn-mixed", 60_000, false);
        // per-offset types: ACCEPT, RELEASE, ACCEPT; the RELEASE applies at once, the ACCEPTs wait for the commit
        ShareAcknowledgeRequestData d = a.ackRequest(0, 2, (byte) 1);
        d.topics().iterator().next().partitions().iterator().next().acknowledgementBatches().get(0)
                .setAcknowledgeTypes(List.of((byte) 1, (byte) 2, (byte) 1));
        assertThat(a.acceptInTxn(d, txn)).isEqualTo(Errors.NONE);
        Member b = q.member();
        assertThat(b.fetch()).containsExactly("txn-mixed-1@2");
        assertThat(q.startOffset()).isZero();
        assertThat(txn.end(true)).isEqualTo(Errors.NONE);
        assertThat(b.acknowledge(1, 1, (byte) 1)).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> q.startOffset() >= 3);
    }

    @Test
    void aMalformedTagIsRefusedAndChangesNothing() throws Exception {
        Queue q = queue("txn-malformed", 1);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(1);
        ShareAcknowledgeRequestData d = a.ackRequest(0, 0, (byte) 1);
        d.unknownTaggedFields().add(new RawTaggedField(TxnAck.TAG, new byte[] {0, 0, 0, 40, 1}));
        ShareAcknowledgeResponse r = (ShareAcknowledgeResponse) a.call(ApiKeys.SHARE_ACKNOWLEDGE, (short) 1, d);
        assertThat(r.data().errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(a.acknowledge(0, 0, (byte) 1)).as("still acquired by the member").isEqualTo(Errors.NONE);
    }

    @Test
    void aPreparedTwoPhaseTransactionKeepsThemPendingAcrossRestartsUntilTheRecoveringInstanceCommits() throws Exception {
        Queue q = queue("txn-2pc", 2);
        Member a = q.member();
        assertThat(a.fetchOnceServed()).hasSize(2);
        Txn txn = Txn.init("share-txn-2pc", 0, true);
        assertThat(a.acceptInTxn(0, 1, txn)).isEqualTo(Errors.NONE);
        // prepared; the client goes away; the data partition's leader and the transaction's coordinator are restarted
        int leader = q.leader();
        int coordinator = Txn.coordinator(txn.id);
        cluster.killBroker(leader);
        cluster.restartBroker(leader);
        if (coordinator != leader) {
            cluster.killBroker(coordinator);
            cluster.restartBroker(coordinator);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> q.leaderOrNone() >= 0);
        Member b = q.member();
        assertThat(b.fetchOnceServed()).as("still pending").isEmpty();
        Txn recovered = Txn.init(txn.id, 0, true, true);
        assertThat(recovered.producerId).isEqualTo(txn.producerId);
        assertThat(recovered.end(true)).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(60)).until(() -> q.startOffset() >= 2);
        assertThat(b.fetch()).isEmpty();
    }

    // ------------------------------------------------------------------ a queue, a raw share member, a raw transaction

    /**
     * A transactional id whose coordinator is ({@code onLeader}) or is not the data partition's leader: the partition
     * joins the transaction locally or with an AddPartitionsToTxn request to another broker. (When no transaction
     * state partition is led by the leader, {@code onLeader} settles for any id.)
     */
    private static String txnIdCoordinated(String prefix, int leader, boolean onLeader) throws Exception {
        for (int i = 0; i < 64; i++) {
            String id = prefix + "-" + i;
            if ((Txn.coordinator(id) == leader) == onLeader) {
                return id;
            }
        }
        // every __transaction_state partition led elsewhere: the local join is still covered by TransactionalShareAcksIT
        // (jms-provider, one broker)
        assertThat(onLeader).as("a transactional id coordinated off broker %d", leader).isTrue();
        return prefix;
    }

    private static Queue queue(String topic, int records) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        // the broker that created it has applied it; the admin client may ask another, which learns of it a moment later
        cluster.awaitTopic(topic, 1, 30_000);
        String group = topic + "-group";
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", "600000"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        Uuid id = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
        Queue q = new Queue(topic, group, id);
        q.produce(records, topic + "-");
        return q;
    }

    private record Queue(String topic, String group, Uuid topicId) {
        void produce(int n, String prefix) throws Exception {
            ShareGroupsIT.produce(cluster.bootstrapServers(), topic, n, prefix);
        }

        Member member() {
            return new Member(this, Uuid.randomUuid().toString());
        }

        int leaderOrNone() {
            try {
                var l = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().get(0).leader();
                return l == null ? -1 : l.id();
            } catch (Exception e) {
                return -1;
            }
        }

        int leader() {
            int l = leaderOrNone();
            assertThat(l).isNotNegative();
            return l;
        }

        long startOffset() throws Exception {
            TopicPartition tp = new TopicPartition(topic, 0);
            var info = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec().topicPartitions(List.of(tp))))
                    .partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS).get(tp);
            return info == null ? -1 : info.startOffset();
        }

        long endOffset() throws Exception {
            TopicPartition tp = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS)
                    .get(tp).offset();
        }

    }

    static AbstractResponse call(int broker, ApiKeys key, short version, ApiMessage data) throws Exception {
        try (RawKafkaClient raw = new RawKafkaClient("127.0.0.1", cluster.broker(broker).boundPort())) {
            return raw.send(key, version, data);
        }
    }

    /**
     * A share-group member speaking ShareFetch/ShareAcknowledge itself: one connection to the data partition's
     * leader and one share session on it (a closed connection releases what the member holds, as a killed consumer's
     * does; a new leader means a new connection and session).
     */
    private static final class Member {
        final Queue q;
        final String id;
        int epoch;
        List<String> lastFetched = List.of();
        private RawKafkaClient connection;
        private int connectedTo = -1;

        AbstractResponse call(ApiKeys key, short version, ApiMessage data) throws Exception {
            int leader = q.leader();
            if (connection == null || connectedTo != leader) {
                if (connection != null) {
                    connection.close();
                }
                connection = new RawKafkaClient("127.0.0.1", cluster.broker(leader).boundPort());
                connectedTo = leader;
                epoch = 0;
            }
            return connection.send(key, version, data);
        }

        Member(Queue q, String id) {
            this.q = q;
            this.id = id;
        }

        /** The records acquired by one fetch, as value@deliveryCount (a new leader: a new session). */
        List<String> fetch() throws Exception {
            ShareFetchRequestData d = new ShareFetchRequestData().setGroupId(q.group()).setMemberId(id)
                    .setMaxWaitMs(0).setMinBytes(0).setMaxRecords(10).setBatchSize(10);
            var t = new ShareFetchRequestData.FetchTopic().setTopicId(q.topicId());
            t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
            d.topics().add(t);
            ShareFetchResponse r = (ShareFetchResponse) call(ApiKeys.SHARE_FETCH, (short) 1, d.setShareSessionEpoch(epoch));
            assertThat(r.error()).isEqualTo(Errors.NONE);
            epoch++;
            List<String> out = new ArrayList<>();
            for (ShareFetchResponseData.ShareFetchableTopicResponse tr : r.data().responses()) {
                for (ShareFetchResponseData.PartitionData p : tr.partitions()) {
                    assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
                    Map<Long, Short> counts = new java.util.HashMap<>();
                    for (ShareFetchResponseData.AcquiredRecords ar : p.acquiredRecords()) {
                        for (long o = ar.firstOffset(); o <= ar.lastOffset(); o++) {
                            counts.put(o, ar.deliveryCount());
                        }
                    }
                    if (p.records() == null) {
                        continue;
                    }
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

        /** The first fetch answered without error (restarted brokers may not serve the share state at once). */
        List<String> fetchOnceServed() {
            List<List<String>> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                got.add(fetch());
                return true;
            });
            return got.get(0);
        }

        /** Fetches and keeps the result in {@link #lastFetched}. */
        List<String> fetchKeep() throws Exception {
            lastFetched = fetch();
            return lastFetched;
        }

        ShareAcknowledgeRequestData ackRequest(long first, long last, byte type) {
            ShareAcknowledgeRequestData d = new ShareAcknowledgeRequestData().setGroupId(q.group()).setMemberId(id)
                    .setShareSessionEpoch(epoch);
            var t = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(q.topicId());
            t.partitions().add(new ShareAcknowledgeRequestData.AcknowledgePartition().setPartitionIndex(0)
                    .setAcknowledgementBatches(List.of(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                            .setFirstOffset(first).setLastOffset(last).setAcknowledgeTypes(List.of(type)))));
            d.topics().add(t);
            return d;
        }

        Errors acknowledge(long first, long last, byte type) throws Exception {
            return send(ackRequest(first, last, type));
        }

        /** ACCEPT inside the transaction, retried while the coordinator is busy (as a client retries). */
        Errors acceptInTxn(long first, long last, Txn txn) throws Exception {
            return acceptInTxn(ackRequest(first, last, (byte) 1), txn);
        }

        /** {@code request} sent inside the transaction, retried (with the next session epoch) while the coordinator is busy. */
        Errors acceptInTxn(ShareAcknowledgeRequestData request, Txn txn) throws Exception {
            Errors[] result = new Errors[1];
            request.unknownTaggedFields().add(new RawTaggedField(TxnAck.TAG, new TxnAck(txn.id, txn.producerId, txn.epoch).encode()));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                result[0] = send(request.setShareSessionEpoch(epoch));
                return !Set.of(Errors.CONCURRENT_TRANSACTIONS, Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR,
                        Errors.COORDINATOR_NOT_AVAILABLE).contains(result[0]);
            });
            return result[0];
        }

        private Errors send(ShareAcknowledgeRequestData d) throws Exception {
            ShareAcknowledgeResponse r = (ShareAcknowledgeResponse) call(ApiKeys.SHARE_ACKNOWLEDGE, (short) 1, d);
            assertThat(r.data().errorCode()).isEqualTo(Errors.NONE.code());
            epoch++;
            return Errors.forCode(r.data().responses().iterator().next().partitions().get(0).errorCode());
        }
    }

    /** A transaction opened and ended with the coordinator's APIs, as a transactional producer does. */
    private record Txn(String id, long producerId, short epoch, boolean twoPhase) {
        static Txn init(String id, int timeoutMs, boolean twoPhase) {
            return init(id, timeoutMs, twoPhase, false);
        }

        static Txn init(String id, int timeoutMs, boolean twoPhase, boolean keepPrepared) {
            InitProducerIdResponseData[] answer = new InitProducerIdResponseData[1];
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                InitProducerIdRequestData d = new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(timeoutMs)
                        .setProducerId(-1).setProducerEpoch((short) -1);
                if (twoPhase) {
                    d.setEnable2Pc(true).setKeepPreparedTxn(keepPrepared);
                }
                InitProducerIdResponse r = (InitProducerIdResponse) call(coordinator(id), ApiKeys.INIT_PRODUCER_ID,
                        (short) (twoPhase ? 6 : 5), d);
                answer[0] = r.data();
                return r.data().errorCode() == Errors.NONE.code();
            });
            return new Txn(id, answer[0].producerId(), answer[0].producerEpoch(), twoPhase);
        }

        static int coordinator(String id) throws Exception {
            int[] node = new int[1];
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                try (RawKafkaClient raw = RawKafkaClient.connect(cluster.bootstrapServers())) {
                    FindCoordinatorResponse r = (FindCoordinatorResponse) raw.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                            new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of(id)));
                    node[0] = r.data().coordinators().get(0).nodeId();
                    return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
                }
            });
            return node[0];
        }

        /** EndTxn, retried while the coordinator is unavailable or busy. */
        Errors end(boolean commit) {
            Errors[] result = new Errors[1];
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                EndTxnResponse r = (EndTxnResponse) call(coordinator(id), ApiKeys.END_TXN, (short) 4, new EndTxnRequestData()
                        .setTransactionalId(id).setProducerId(producerId).setProducerEpoch(epoch).setCommitted(commit));
                result[0] = r.error();
                return !Set.of(Errors.CONCURRENT_TRANSACTIONS, Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR,
                        Errors.COORDINATOR_NOT_AVAILABLE).contains(result[0]);
            });
            return result[0];
        }
    }
}
