package io.weir.jms.client;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The Kafka protocol of two-phase commit (KIP-939) as Weir's broker implements it, spoken directly because
 * kafka-clients 4.4 has no public API for it (its {@code InitProducerId} builder stops at v5, the last stable version,
 * and v6 carries {@code enable_2pc}/{@code keep_prepared_txn}). The requests, all with exact versions:
 * <pre>
 *   FindCoordinator v4        key type TRANSACTION (1) for the transactional id, GROUP (0) for a consumer group
 *   InitProducerId v6         enable_2pc=true; keep_prepared_txn=true when recovering (answer: the new epoch, and the
 *                             prepared transaction's ongoing_txn_producer_id/epoch, -1 when there is none)
 *   Metadata v12              partition counts and leaders of the topics sent to
 *   AddPartitionsToTxn v3     the partitions before their first transactional batch
 *   Produce v11               acks=-1, one transactional batch per partition with the branch's sequence numbers
 *   AddOffsetsToTxn v3        the group's offsets partition joins the transaction
 *   TxnOffsetCommit v3        the consumed positions, with the member's generation (a fenced member cannot commit)
 *   EndTxn v4                 commit or abort, also under the epoch a recovering instance got
 * </pre>
 * Retriable answers (coordinator loading or moved, leader moved, concurrent transactions) and lost connections are
 * retried until {@code timeoutMs}; other errors throw {@link TwoPhaseException} with the Kafka error. Connections
 * are secured as the provider's kafka-clients settings say ({@link WireSecurity}: TLS, SASL PLAIN and SCRAM); a refused
 * login is not retried. Thread-safe.
 */
public final class TwoPhaseClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwoPhaseClient.class);
    private static final Set<Errors> RETRIABLE = Set.of(Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.COORDINATOR_NOT_AVAILABLE,
            Errors.NOT_COORDINATOR, Errors.CONCURRENT_TRANSACTIONS, Errors.NOT_LEADER_OR_FOLLOWER,
            Errors.LEADER_NOT_AVAILABLE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.REQUEST_TIMED_OUT,
            Errors.NOT_ENOUGH_REPLICAS, Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Errors.NETWORK_EXCEPTION,
            Errors.UNSTABLE_OFFSET_COMMIT, Errors.REBALANCE_IN_PROGRESS);
    private static final byte TRANSACTION_KEY = 1;
    private static final byte GROUP_KEY = 0;

    private final List<String> bootstrap;
    private final String clientId;
    private final long timeoutMs;
    private final LongSupplier clock;
    private final WireSecurity security;
    private final Map<String, BrokerConnection> connections = new HashMap<>();
    private final Map<Integer, String> nodes = new HashMap<>();
    private boolean closed;

    /** The answer to InitProducerId v6: this instance's producer id/epoch and the prepared transaction's, if any. */
    public record Init(long producerId, short producerEpoch, long ongoingProducerId, short ongoingProducerEpoch) {
        public boolean hasPrepared() {
            return ongoingProducerId >= 0;
        }
    }

    public TwoPhaseClient(String bootstrapServers, String clientId, long timeoutMs, LongSupplier clock) {
        this(bootstrapServers, clientId, timeoutMs, clock, WireSecurity.PLAINTEXT);
    }

    /** A client whose connections are secured as {@code security} says (see {@link WireSecurity#of}). */
    public TwoPhaseClient(String bootstrapServers, String clientId, long timeoutMs, LongSupplier clock, WireSecurity security) {
        this.security = security;
        this.bootstrap = List.of(bootstrapServers.split(","));
        this.clientId = clientId;
        this.timeoutMs = timeoutMs;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ transaction coordinator

    public Init initProducerId(String transactionalId, boolean keepPrepared) {
        InitProducerIdResponseData r = retry("InitProducerId(" + transactionalId + ")", () -> {
            InitProducerIdResponse resp = (InitProducerIdResponse) send(coordinator(TRANSACTION_KEY, transactionalId),
                    ApiKeys.INIT_PRODUCER_ID, (short) 6, new InitProducerIdRequestData().setTransactionalId(transactionalId)
                            .setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1).setProducerEpoch((short) -1)
                            .setEnable2Pc(true).setKeepPreparedTxn(keepPrepared));
            check(resp.data().errorCode(), "InitProducerId(" + transactionalId + ")");
            return resp.data();
        });
        return new Init(r.producerId(), r.producerEpoch(), r.ongoingTxnProducerId(), r.ongoingTxnProducerEpoch());
    }

    /**
     * InitProducerId without two-phase commit, for a transacted session's own transactions (see
     * {@link SessionTransactionEngine}): transactions of this id that stay open longer than {@code transactionTimeoutMs}
     * are aborted by the coordinator. With {@code producerId} and {@code epoch} of this instance (else -1), asks for an
     * epoch bump of the current producer (KIP-360: refused with PRODUCER_FENCED when another instance took the id over);
     * without, fences any other instance and ends what it left open.
     */
    public Init initProducerId(String transactionalId, int transactionTimeoutMs, long producerId, short epoch) {
        InitProducerIdResponseData r = retry("InitProducerId(" + transactionalId + ")", () -> {
            InitProducerIdResponse resp = (InitProducerIdResponse) send(coordinator(TRANSACTION_KEY, transactionalId),
                    ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData().setTransactionalId(transactionalId)
                            .setTransactionTimeoutMs(transactionTimeoutMs).setProducerId(producerId).setProducerEpoch(epoch));
            check(resp.data().errorCode(), "InitProducerId(" + transactionalId + ")");
            return resp.data();
        });
        return new Init(r.producerId(), r.producerEpoch(), -1, (short) -1);
    }

    /**
     * Whether the brokers take share acknowledgements inside Kafka transactions ({@link TransactionalShareAcks}: Weir),
     * as the first bootstrap broker that answers says; false when none answers.
     */
    public boolean supportsTransactionalShareAcks() {
        for (String b : bootstrap) {
            try {
                return connection(b.trim()).supportsTransactionalShareAcks();
            } catch (IOException e) {
                log.debug("{} did not answer ApiVersions: {}", b, e.toString());
            }
        }
        return false;
    }

    public void addPartitions(String transactionalId, long producerId, short epoch, Collection<TopicPartition> partitions) {
        var topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        Map<String, List<Integer>> byTopic = new HashMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        byTopic.forEach((t, ps) -> topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(t).setPartitions(ps)));
        retry("AddPartitionsToTxn(" + transactionalId + ")", () -> {
            AddPartitionsToTxnResponse resp = (AddPartitionsToTxnResponse) send(coordinator(TRANSACTION_KEY, transactionalId),
                    ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3, new AddPartitionsToTxnRequestData()
                            .setV3AndBelowTransactionalId(transactionalId).setV3AndBelowProducerId(producerId)
                            .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(topics.duplicate()));
            for (Map<TopicPartition, Errors> m : resp.errors().values()) {
                for (Errors e : m.values()) {
                    check(e.code(), "AddPartitionsToTxn(" + transactionalId + ")");
                }
            }
            return null;
        });
    }

    public void addOffsets(String transactionalId, long producerId, short epoch,
                           Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        retry("AddOffsetsToTxn(" + transactionalId + ", " + group.groupId() + ")", () -> {
            AddOffsetsToTxnResponse resp = (AddOffsetsToTxnResponse) send(coordinator(TRANSACTION_KEY, transactionalId),
                    ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3, new AddOffsetsToTxnRequestData().setTransactionalId(transactionalId)
                            .setProducerId(producerId).setProducerEpoch(epoch).setGroupId(group.groupId()));
            check(resp.data().errorCode(), "AddOffsetsToTxn(" + transactionalId + ")");
            return null;
        });
        Map<String, TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic> topics = new HashMap<>();
        offsets.forEach((tp, o) -> topics.computeIfAbsent(tp.topic(), t -> new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                .setName(t)).partitions().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                .setPartitionIndex(tp.partition()).setCommittedOffset(o.offset())
                .setCommittedLeaderEpoch(o.leaderEpoch().orElse(-1)).setCommittedMetadata(o.metadata())));
        retry("TxnOffsetCommit(" + transactionalId + ", " + group.groupId() + ")", () -> {
            TxnOffsetCommitResponse resp = (TxnOffsetCommitResponse) send(coordinator(GROUP_KEY, group.groupId()),
                    ApiKeys.TXN_OFFSET_COMMIT, (short) 3, new TxnOffsetCommitRequestData().setTransactionalId(transactionalId)
                            .setGroupId(group.groupId()).setProducerId(producerId).setProducerEpoch(epoch)
                            .setGenerationIdOrMemberEpoch(group.generationId()).setMemberId(group.memberId())
                            .setGroupInstanceId(group.groupInstanceId().orElse(null))
                            .setTopics(new ArrayList<>(topics.values())));
            for (TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic t : resp.data().topics()) {
                for (TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition p : t.partitions()) {
                    check(p.errorCode(), "TxnOffsetCommit(" + group.groupId() + ", " + t.name() + "-" + p.partitionIndex() + ")");
                }
            }
            return null;
        });
    }

    /** EndTxn; a retry of an EndTxn that completed is answered as success by the coordinator. */
    public void endTxn(String transactionalId, long producerId, short epoch, boolean commit) {
        retry("EndTxn(" + transactionalId + ", " + (commit ? "commit" : "abort") + ")", () -> {
            EndTxnResponse resp = (EndTxnResponse) send(coordinator(TRANSACTION_KEY, transactionalId), ApiKeys.END_TXN, (short) 4,
                    new EndTxnRequestData().setTransactionalId(transactionalId).setProducerId(producerId)
                            .setProducerEpoch(epoch).setCommitted(commit));
            check(resp.data().errorCode(), "EndTxn(" + transactionalId + ")");
            return null;
        });
    }

    /**
     * Recovery: a new instance of {@code transactionalId} keeps its prepared transaction and ends it with
     * {@code commit}. False when the id has no prepared transaction (it was completed already, or never prepared).
     */
    public boolean completePrepared(String transactionalId, boolean commit) {
        Init init = initProducerId(transactionalId, true);
        if (!init.hasPrepared()) {
            return false;
        }
        endTxn(transactionalId, init.producerId(), init.producerEpoch(), commit);
        return true;
    }

    // ------------------------------------------------------------------ partition leaders

    /** The number of partitions of {@code topic}. */
    public int partitionCount(String topic) {
        return retry("Metadata(" + topic + ")", () -> metadataTopic(topic).partitions().size());
    }

    /**
     * Writes {@code records} as one transactional batch (acks=all) to {@code tp}, with base sequence {@code sequence};
     * returns the base offset. A batch the leader already has (a retry) is answered with its offset.
     */
    public long produce(String transactionalId, long producerId, short epoch, TopicPartition tp, int sequence,
                        List<SimpleRecord> records) {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, sequence,
                records.toArray(new SimpleRecord[0]));
        return retry("Produce(" + tp + ")", () -> {
            String leader = leader(tp);
            var partition = new ProduceRequestData.PartitionProduceData().setIndex(tp.partition()).setRecords(MemoryRecords.readableRecords(batch.buffer().duplicate()));
            var topicData = new ProduceRequestData.TopicProduceDataCollection();
            topicData.add(new ProduceRequestData.TopicProduceData().setName(tp.topic()).setPartitionData(List.of(partition)));
            ProduceResponse resp = (ProduceResponse) send(leader, ApiKeys.PRODUCE, (short) 11, new ProduceRequestData()
                    .setTransactionalId(transactionalId).setAcks((short) -1).setTimeoutMs((int) Math.min(timeoutMs, 30_000))
                    .setTopicData(topicData));
            for (ProduceResponseData.TopicProduceResponse t : resp.data().responses()) {
                for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                    if (p.errorCode() != Errors.DUPLICATE_SEQUENCE_NUMBER.code()) {
                        if (p.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()) {
                            forgetLeaders();
                        }
                        check(p.errorCode(), "Produce(" + tp + ")");
                    }
                    return p.baseOffset();
                }
            }
            throw new TwoPhaseException(Errors.UNKNOWN_SERVER_ERROR, "Produce(" + tp + ") got no answer for its partition");
        });
    }

    private final Map<TopicPartition, Integer> leaders = new HashMap<>();

    private String leader(TopicPartition tp) throws IOException {
        Integer id;
        synchronized (this) {
            id = leaders.get(tp);
        }
        if (id == null) {
            MetadataResponseData.MetadataResponseTopic t = metadataTopic(tp.topic());
            for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                synchronized (this) {
                    leaders.put(new TopicPartition(tp.topic(), p.partitionIndex()), p.leaderId());
                }
            }
            synchronized (this) {
                id = leaders.get(tp);
            }
        }
        String address;
        synchronized (this) {
            address = id == null ? null : nodes.get(id);
        }
        if (id == null || id < 0 || address == null) {
            forgetLeaders();
            throw new TwoPhaseException(Errors.LEADER_NOT_AVAILABLE, "No leader for " + tp);
        }
        return address;
    }

    private synchronized void forgetLeaders() {
        leaders.clear();
    }

    private MetadataResponseData.MetadataResponseTopic metadataTopic(String topic) throws IOException {
        IOException last = null;
        for (String b : bootstrap) {
            try {
                MetadataResponse resp = (MetadataResponse) send(b.trim(), ApiKeys.METADATA, (short) 12, new MetadataRequestData()
                        .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                        .setAllowAutoTopicCreation(false));
                synchronized (this) {
                    for (MetadataResponseData.MetadataResponseBroker n : resp.data().brokers()) {
                        nodes.put(n.nodeId(), n.host() + ":" + n.port());
                    }
                }
                for (MetadataResponseData.MetadataResponseTopic t : resp.data().topics()) {
                    check(t.errorCode(), "Metadata(" + topic + ")");
                    return t;
                }
                throw new TwoPhaseException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Metadata(" + topic + ") without the topic");
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("No bootstrap server");
    }

    // ------------------------------------------------------------------ plumbing

    /** Coordinators found, by key type and key; forgotten when one answers that it is not (or a connection fails). */
    private final Map<String, String> coordinators = new java.util.concurrent.ConcurrentHashMap<>();

    private String coordinator(byte keyType, String key) throws IOException {
        String known = coordinators.get(keyType + ":" + key);
        if (known != null) {
            return known;
        }
        String found = findCoordinator(keyType, key);
        coordinators.put(keyType + ":" + key, found);
        return found;
    }

    private String findCoordinator(byte keyType, String key) throws IOException {
        IOException last = null;
        for (String b : bootstrap) {
            try {
                FindCoordinatorResponse resp = (FindCoordinatorResponse) send(b.trim(), ApiKeys.FIND_COORDINATOR, (short) 4,
                        new FindCoordinatorRequestData().setKeyType(keyType).setCoordinatorKeys(List.of(key)));
                FindCoordinatorResponseData.Coordinator c = resp.data().coordinators().get(0);
                check(c.errorCode(), "FindCoordinator(" + key + ")");
                return c.host() + ":" + c.port();
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("No bootstrap server");
    }

    private synchronized BrokerConnection connection(String address) throws IOException {
        if (closed) {
            throw new KafkaException("The two-phase commit client is closed");
        }
        BrokerConnection c = connections.get(address);
        if (c == null || c.isBroken()) {
            int colon = address.lastIndexOf(':');
            c = new BrokerConnection(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)),
                    clientId, (int) Math.min(timeoutMs, 30_000), security);
            connections.put(address, c);
        }
        return c;
    }

    private AbstractResponse send(String address, ApiKeys key, short version, ApiMessage data) throws IOException {
        BrokerConnection c = connection(address);
        if (key != ApiKeys.API_VERSIONS && c.maxVersion(key) < version) {
            // e.g. Apache Kafka 4.4, which offers InitProducerId v6 only with unstable API versions enabled
            throw new TwoPhaseException(Errors.UNSUPPORTED_VERSION, "The broker at " + address + " does not offer " + key
                    + " v" + version + " (two-phase commit, KIP-939), which XA needs: it offers up to v" + c.maxVersion(key));
        }
        return c.send(key, version, data);
    }

    private static void check(short code, String what) {
        Errors e = Errors.forCode(code);
        if (e != Errors.NONE) {
            throw new TwoPhaseException(e, what + " failed: " + e.name() + (e.message() == null ? "" : " (" + e.message() + ")"));
        }
    }

    /** The first pause before a retry, and the first after CONCURRENT_TRANSACTIONS; each next one doubles, up to 500 ms. */
    private static final long FIRST_BACKOFF_MS = 20;
    private static final long CONCURRENT_FIRST_BACKOFF_MS = 2;

    private interface Attempt<T> {
        T run() throws IOException;
    }

    private <T> T retry(String what, Attempt<T> attempt) {
        long deadline = clock.getAsLong() + timeoutMs;
        long backoff = -1;
        while (true) {
            RuntimeException failure;
            try {
                return attempt.run();
            } catch (TwoPhaseException e) {
                if (!e.isRetriable()) {
                    throw e;
                }
                if (e.error() == Errors.NOT_COORDINATOR || e.error() == Errors.NOT_LEADER_OR_FOLLOWER
                        || e.error() == Errors.COORDINATOR_NOT_AVAILABLE) {
                    forgetLeaders();
                    coordinators.clear();
                }
                failure = e;
            } catch (IOException e) {
                forgetLeaders();
                coordinators.clear();
                failure = new TwoPhaseException(Errors.NETWORK_EXCEPTION, what + ": " + e.getMessage());
            }
            if (clock.getAsLong() >= deadline) {
                throw new TwoPhaseException(Errors.REQUEST_TIMED_OUT, what + " did not succeed within " + timeoutMs
                        + " ms; last: " + failure.getMessage(), failure);
            }
            log.debug("{} retried: {}", what, failure.getMessage());
            if (backoff < 0) {
                // a busy transactional id (the last transaction's markers still being written: a Weir coordinator holds
                // such a request until they are, an Apache Kafka one answers at once) is free again within milliseconds
                backoff = failure instanceof TwoPhaseException t && t.error() == Errors.CONCURRENT_TRANSACTIONS
                        ? CONCURRENT_FIRST_BACKOFF_MS : FIRST_BACKOFF_MS;
            }
            pause(backoff);
            backoff = Math.min(backoff * 2, 500);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        connections.values().forEach(BrokerConnection::close);
        connections.clear();
    }

    /** A two-phase request failed with {@code error}. */
    public static final class TwoPhaseException extends KafkaException {
        private static final long serialVersionUID = 1L;
        private final transient Errors error;

        TwoPhaseException(Errors error, String message) {
            super(message, error.exception());
            this.error = error;
        }

        TwoPhaseException(Errors error, String message, Throwable cause) {
            super(message, cause);
            this.error = error;
        }

        public Errors error() {
            return error;
        }

        /** A lost connection or a timeout: the state on the broker is unknown. */
        public boolean isCommunicationFailure() {
            return error == Errors.NETWORK_EXCEPTION || error == Errors.REQUEST_TIMED_OUT || isRetriable();
        }

        boolean isRetriable() {
            return RETRIABLE.contains(error) || error.exception() instanceof RetriableException;
        }
    }
}
