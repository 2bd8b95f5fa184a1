package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One member of a share group (KIP-932), spoken on the wire by the provider itself rather than through a
 * {@code KafkaShareConsumer}: the member's heartbeat to the group coordinator ({@code ShareGroupHeartbeat} v1, the
 * member id generated here), its share sessions with the leaders of the partitions it is assigned
 * ({@code ShareFetch}, {@code ShareAcknowledge}, v2 when the broker offers it, else v1) and its leaving. Each request
 * is sent and answered on the calling thread over a {@link BrokerConnection} of the member's own (one per broker),
 * so a member costs no thread and no client of its own: joining is a FindCoordinator, a Metadata and one heartbeat,
 * and acknowledgements go out when the owner decides, on a fetch or on their own, without waiting for a poll.
 *
 * <p>Not thread-safe: one thread (the owning {@link ShareLane}'s) uses it. A failed exchange with a broker
 * ({@link IOException}, or an error that means the member's records there are no longer its own: a moved leader, a
 * lost share session) is thrown as a {@link Broken}: the caller gives up what it held and starts again with a new
 * member. Errors no retry can mend (authorization, an invalid group) are thrown as the {@link KafkaException} of their
 * code.
 */
final class ShareGroupMember implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShareGroupMember.class);
    private static final short MAX_SHARE_VERSION = 2;
    private static final int MAX_BYTES = 50 * 1024 * 1024;
    private static final byte GROUP_KEY = 0;
    private static final byte GAP = 0;
    private static final byte REJECT = 3;
    private static final byte RENEW = 4;
    /** How often the metadata is read again while an assigned partition has no leader. */
    private static final long LEADERLESS_REFRESH_MS = 100;

    /** An acknowledgement: the record at {@code offset} of {@code partition}, with Kafka's type code (0 GAP, 1 ACCEPT, 2 RELEASE, 3 REJECT, 4 RENEW). */
    record Ack(int partition, long offset, byte type) {
    }

    /** What a fetch returned: the acquired records (with their delivery counts) and the acknowledgement errors by partition. */
    record Fetched(List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, KafkaException> ackErrors) {
    }

    /** The member's records at a broker are no longer its own (connection lost, leader moved, session gone). */
    static final class Broken extends Exception {
        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String groupId;
    private final String topic;
    private final String clientId;
    private final String memberId = Uuid.randomUuid().toString();
    private final List<String> bootstrap;
    private final WireSecurity security;
    private final int socketTimeoutMs;
    /** How long a TCP connect to a broker may take (the JMS connection's {@code connectTimeoutMs} when set). */
    private int connectTimeoutMs;
    private final int maxRecords;
    private final boolean recordLimit;
    private final Map<String, BrokerConnection> connections = new HashMap<>();
    /** Share session epochs by leader address: the epoch of the next request (0 opens one). */
    private final Map<String, Integer> sessions = new HashMap<>();
    /**
     * Acknowledgements the member owes for offsets it acquired and never hands out, by leader address: GAP for offsets no
     * record carries, REJECT for records of a batch that cannot be read. Sent on their own right after the fetch ({@link #sendGaps}).
     */
    private final Map<String, List<Ack>> gaps = new HashMap<>();
    private String coordinator;
    private Uuid topicId;
    private final Map<Integer, String> leaders = new HashMap<>();
    /**
     * The leader whose share session covers each partition this member fetched: a partition never fetched has nothing
     * of this member's at any leader, so while it has no leader (a queue just created) it is simply left out.
     */
    private final Map<Integer, String> fetchedAt = new HashMap<>();
    /** When the metadata was last read because a partition had no leader (such reads are spaced). */
    private long leaderlessRefreshAt;
    private Set<Integer> assigned = new TreeSet<>();
    private int memberEpoch;
    private long heartbeatIntervalMs = 5_000;
    private long nextHeartbeatAt;
    private int unassignedHeartbeats;
    private long lockTimeoutMs = -1;
    private boolean left;
    /** Where known queues' partitions are (shared by the factory's members), or null. */
    private TopicLayouts layouts;
    /** What the ShareFetch sent with the join acquired, until the owner takes it ({@link #takeJoinFetch}). */
    private Fetched joinFetch;

    /**
     * @param base        the connection's consumer settings: {@code bootstrap.servers} and the security settings
     * @param maxRecords  records one fetch acquires at most
     * @param recordLimit {@code share.acquire.mode=record_limit}: never more than {@code maxRecords} (ShareFetch v2)
     */
    ShareGroupMember(String groupId, String topic, String clientId, java.util.Properties base, int maxRecords,
                     boolean recordLimit, int socketTimeoutMs) {
        this.groupId = groupId;
        this.topic = topic;
        this.clientId = clientId;
        this.bootstrap = List.of(String.valueOf(base.get("bootstrap.servers")).split(","));
        this.security = WireSecurity.of(base);
        this.maxRecords = maxRecords;
        this.recordLimit = recordLimit;
        this.socketTimeoutMs = socketTimeoutMs;
        this.connectTimeoutMs = socketTimeoutMs;
    }

    String memberId() {
        return memberId;
    }

    /**
     * Bounds a TCP connect to a broker by {@code ms} instead of the read timeout: a member joining on the thread that
     * creates its consumer must not keep it longer than the connection's {@code connectTimeoutMs} on an address that
     * does not answer.
     */
    void connectTimeoutMs(int ms) {
        this.connectTimeoutMs = Math.max(1, Math.min(ms, socketTimeoutMs));
    }

    /** Shares what this member learns of its topic's partitions, and uses it to fetch with its join. */
    void layouts(TopicLayouts layouts) {
        this.layouts = layouts;
    }

    /** Whether the join's ShareFetch acquired records not taken yet ({@link #takeJoinFetch}). */
    boolean fetchedAtJoin() {
        return joinFetch != null;
    }

    /** The records the join's ShareFetch acquired (taken once), or null when the join did not fetch. */
    Fetched takeJoinFetch() {
        Fetched f = joinFetch;
        joinFetch = null;
        return f;
    }

    /**
     * Whether the group's coordinator gives a JMS queue's share group ({@code jms-queue.*}) the queue's settings by
     * default (a Weir broker: BrokerConnection#appliesQueueDefaults), so that nobody need write them; false when it
     * does not say so or cannot be asked.
     */
    boolean appliesQueueDefaults() {
        if (!groupId.startsWith("jms-queue.")) {
            return false;
        }
        try {
            return connection(coordinator()).appliesQueueDefaults();
        } catch (IOException | Broken e) {
            log.debug("Share consumer {}: cannot ask {} for its features: {}", clientId, coordinator, e.toString());
            return false;
        }
    }

    /** The acquisition lock the broker grants, once a fetch told it; -1 before. */
    long lockTimeoutMs() {
        return lockTimeoutMs;
    }

    boolean assigned() {
        return !assigned.isEmpty();
    }

    // ------------------------------------------------------------------ membership

    /**
     * Joins the group (a heartbeat at epoch 0) and heartbeats until the coordinator assigns this member partitions or
     * {@code timeoutMs} passes. Returns whether it is assigned.
     */
    boolean join(long timeoutMs) throws Broken {
        return join(timeoutMs, false);
    }

    /**
     * As {@link #join(long)}; with {@code fetch}, the member's first ShareFetch (no wait at the broker) goes with the
     * join when the partitions' leaders are known ({@link TopicLayouts}): only allowed once the group may be fetched
     * from (a share partition's start is fixed by its first fetch). Its records are then taken with
     * {@link #takeJoinFetch}.
     */
    boolean join(long timeoutMs, boolean fetch) throws Broken {
        long deadline = System.currentTimeMillis() + timeoutMs;
        if (coordinator != null || !joinAtFirstBroker(fetch)) {
            heartbeat();
        }
        while (assigned.isEmpty() && System.currentTimeMillis() < deadline) {
            sleep(Math.max(1, Math.min(deadline, nextHeartbeatAt) - System.currentTimeMillis()));
            heartbeat();
        }
        return !assigned.isEmpty();
    }

    /** Heartbeats when the interval the coordinator asked for has passed (and when not yet assigned, sooner). */
    void heartbeatIfDue(long now) throws Broken {
        if (left || now < nextHeartbeatAt) {
            return;
        }
        if (memberEpoch == 0) {
            heartbeat(); // joining again
            return;
        }
        try {
            heartbeat();
        } catch (Broken e) {
            if (memberEpoch == 0) {
                throw e; // fenced or unknown: the member is gone, and what it held with it
            }
            // the coordinator moved or cannot be reached: the member's records are held by the partition leaders,
            // not by the coordinator; it tries again (the coordinator drops it only after the session timeout)
            log.debug("Share consumer {}: {}; heartbeating again shortly", clientId, e.getMessage());
            nextHeartbeatAt = now + Math.min(500, heartbeatIntervalMs);
        }
    }

    /** When the next heartbeat is due. */
    long nextHeartbeatAt() {
        return nextHeartbeatAt;
    }

    private void heartbeat() throws Broken {
        ShareGroupHeartbeatResponseData r;
        try {
            r = ((ShareGroupHeartbeatResponse) send(coordinator(), ApiKeys.SHARE_GROUP_HEARTBEAT, (short) 1, heartbeatRequest())).data();
        } catch (IOException e) {
            coordinator = null;
            throw new Broken("Heartbeat of share group " + groupId + " member " + clientId + " failed: " + e, e);
        }
        heartbeatAnswered(r);
    }

    /**
     * The first join, in one round trip where it can be: the heartbeat goes to the first broker that answers, on the
     * assumption that it coordinates the group (always so with one broker), with the Metadata request the first fetch
     * needs right behind it on the same connection. Returns false when that broker is not the coordinator or the
     * exchange failed: the caller then finds the coordinator (FindCoordinator) and joins there, as Kafka's clients do.
     */
    private boolean joinAtFirstBroker(boolean fetch) throws Broken {
        for (String b : addresses()) {
            TopicLayouts.Layout layout = fetch && layouts != null ? layouts.get(topic) : null;
            short fetchVersion = layout == null ? -1 : layouts.shareFetchVersion();
            List<Integer> fetchHere = fetchVersion < 1 ? List.of() : layout.leaders().entrySet().stream()
                    .filter(e -> e.getValue().equals(b)).map(Map.Entry::getKey).sorted().toList();
            List<BrokerConnection.Request> requests = new ArrayList<>(List.of(
                    new BrokerConnection.Request(ApiKeys.SHARE_GROUP_HEARTBEAT, (short) 1, heartbeatRequest()),
                    new BrokerConnection.Request(ApiKeys.METADATA, (short) 12, metadataRequest())));
            if (!fetchHere.isEmpty()) {
                requests.add(new BrokerConnection.Request(ApiKeys.SHARE_FETCH, fetchVersion,
                        shareFetchRequest(layout.topicId(), fetchHere, Map.of(), 0, 0, fetchVersion)));
            }
            List<org.apache.kafka.common.requests.AbstractResponse> answers;
            try {
                answers = connection(b).sendAll(requests);
            } catch (IOException e) {
                if (!fetchHere.isEmpty()) {
                    layouts.clear(); // perhaps the fetch was refused (a broker downgraded): the next join does not fetch
                }
                log.debug("Share consumer {}: {} did not answer its join: {}", clientId, b, e.toString());
                continue;
            }
            try {
                applyMetadata(((MetadataResponse) answers.get(1)).data());
            } catch (Broken | RuntimeException e) {
                // the first fetch reads the metadata again and reports what is wrong there
                topicId = null;
                leaders.clear();
            }
            if (!fetchHere.isEmpty()) {
                // before the heartbeat's answer, which may throw: the share session the fetch opened is then known
                joinFetched(b, layout.topicId(), fetchHere, ((ShareFetchResponse) answers.get(2)).data());
            }
            ShareGroupHeartbeatResponseData r = ((ShareGroupHeartbeatResponse) answers.get(0)).data();
            Errors error = Errors.forCode(r.errorCode());
            boolean elsewhere = error == Errors.NOT_COORDINATOR || error == Errors.COORDINATOR_NOT_AVAILABLE
                    || error == Errors.COORDINATOR_LOAD_IN_PROGRESS;
            if (elsewhere) {
                log.debug("Share consumer {}: {} does not coordinate group {} ({}): finding its coordinator", clientId, b, groupId,
                        error.name());
            } else {
                coordinator = b;
                heartbeatAnswered(r);
            }
            return !elsewhere;
        }
        return false;
    }

    /**
     * The answer to the ShareFetch sent with the join. Taken as a first fetch's when every partition answered and the
     * topic is the one the layout named; otherwise the layout is forgotten and the share session the fetch opened is
     * closed (the broker gives back what it acquired, at once): the member then fetches as usual.
     */
    private void joinFetched(String leader, Uuid fetchedId, List<Integer> partitions, ShareFetchResponseData r) throws Broken {
        boolean usable = r.errorCode() == Errors.NONE.code() && fetchedId.equals(topicId) && r.responses().stream()
                .allMatch(t -> t.topicId().equals(fetchedId) && t.partitions().stream()
                        .allMatch(pd -> pd.errorCode() == Errors.NONE.code() && leader.equals(leaders.get(pd.partitionIndex()))));
        if (!usable) {
            log.debug("Share consumer {}: the fetch sent with its join to {} did not serve {} (error {}); fetching as usual",
                    clientId, leader, topic, Errors.forCode(r.errorCode()).name());
            layouts.forget(topic, fetchedId);
            if (r.errorCode() == Errors.NONE.code()) {
                try {
                    acknowledgeAt(leader, Map.of(), false, -1); // closes the session (epoch -1)
                } catch (Broken | RuntimeException e) {
                    lostBroker(leader); // closing the connection ends the session too
                }
            }
            sessions.remove(leader);
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<Integer, KafkaException> ackErrors = new HashMap<>();
        fetchAnswered(leader, partitions, 0, r, records, ackErrors);
        joinFetch = new Fetched(records, ackErrors);
        sendGaps(leader);
    }

    private ShareGroupHeartbeatRequestData heartbeatRequest() {
        return new ShareGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setMemberEpoch(memberEpoch).setRackId(null)
                .setSubscribedTopicNames(memberEpoch == 0 ? List.of(topic) : null);
    }

    private void heartbeatAnswered(ShareGroupHeartbeatResponseData r) throws Broken {
        Errors error = Errors.forCode(r.errorCode());
        switch (error) {
            case NONE -> {
            }
            case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS -> {
                coordinator = null;
                throw new Broken("Heartbeat of share group " + groupId + ": " + error.name(), null);
            }
            case UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH -> {
                memberEpoch = 0; // join again, with the same member id
                throw new Broken("Member " + clientId + " of share group " + groupId + " is no longer known: " + error.name(), null);
            }
            default -> throw error.exception("Heartbeat of share group " + groupId + " failed: " + error.name()
                    + (r.errorMessage() == null ? "" : " (" + r.errorMessage() + ")"));
        }
        memberEpoch = r.memberEpoch();
        heartbeatIntervalMs = r.heartbeatIntervalMs() > 0 ? r.heartbeatIntervalMs() : heartbeatIntervalMs;
        if (r.assignment() != null) {
            Set<Integer> now = new TreeSet<>();
            for (ShareGroupHeartbeatResponseData.TopicPartitions tp : r.assignment().topicPartitions()) {
                if (topicId == null || !topicId.equals(tp.topicId())) {
                    topicId = null; // learn the topic's id (and leaders) from the metadata
                }
                now.addAll(tp.partitions());
            }
            assigned = now;
        }
        // not assigned yet: ask again soon, then less and less often (a queue whose topic is missing is not assigned)
        unassignedHeartbeats = assigned.isEmpty() ? unassignedHeartbeats + 1 : 0;
        nextHeartbeatAt = System.currentTimeMillis() + (assigned.isEmpty()
                ? Math.min(heartbeatIntervalMs, 10L << Math.min(unassignedHeartbeats, 9)) : heartbeatIntervalMs);
    }

    // ------------------------------------------------------------------ fetch and acknowledge

    /**
     * Fetches from the leaders of the assigned partitions, carrying {@code acks} (and opening the share sessions as
     * needed; acknowledgements never ride on a request that opens a session: they go on their own first). Waits up to
     * {@code maxWaitMs} at the broker for records when none can be acquired at once.
     */
    Fetched fetch(int maxWaitMs, List<Ack> acks) throws Broken {
        refreshMetadata(false);
        Map<String, List<Integer>> byLeader = partitionsByLeader();
        if (byLeader.isEmpty() && acks.isEmpty()) {
            sleep(Math.min(maxWaitMs, LEADERLESS_REFRESH_MS)); // no partition has a leader yet: as if the broker waited
            return new Fetched(List.of(), Map.of());
        }
        Map<Integer, KafkaException> ackErrors = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<Integer, List<Ack>> ackByPartition = byPartition(acks);
        for (Map.Entry<String, List<Integer>> e : byLeader.entrySet()) {
            String leader = e.getKey();
            Map<Integer, List<Ack>> mine = new LinkedHashMap<>();
            for (int p : e.getValue()) {
                List<Ack> a = ackByPartition.remove(p);
                if (a != null) {
                    mine.put(p, a);
                }
            }
            if (sessions.getOrDefault(leader, 0) == 0 && !mine.isEmpty()) {
                ackErrors.putAll(acknowledgeAt(leader, mine, false)); // no acknowledgements on the request opening a session
                mine.clear();
            }
            fetchFrom(leader, e.getValue(), mine, byLeader.size() > 1 ? Math.max(1, maxWaitMs / byLeader.size()) : maxWaitMs,
                    records, ackErrors);
            sendGaps(leader);
        }
        for (int p : ackByPartition.keySet()) {
            ackErrors.put(p, Errors.NOT_LEADER_OR_FOLLOWER.exception("Partition " + p + " of " + topic
                    + " is no longer assigned to member " + clientId));
        }
        return new Fetched(records, ackErrors);
    }

    private void fetchFrom(String leader, List<Integer> partitions, Map<Integer, List<Ack>> acks, int maxWaitMs,
                           List<ConsumerRecord<byte[], byte[]>> into, Map<Integer, KafkaException> ackErrors) throws Broken {
        int epoch = sessions.getOrDefault(leader, 0);
        if (log.isTraceEnabled()) {
            log.trace("Share consumer {} fetches at {} (epoch {}) acknowledging {}", clientId, leader, epoch, acks);
        }
        ShareFetchResponseData r;
        try {
            short v = version(leader, ApiKeys.SHARE_FETCH);
            if (layouts != null) {
                layouts.shareFetchVersion(v);
            }
            r = ((ShareFetchResponse) send(leader, ApiKeys.SHARE_FETCH, v,
                    shareFetchRequest(topicId, partitions, acks, maxWaitMs, epoch, v))).data();
        } catch (IOException e) {
            lostBroker(leader);
            throw new Broken("ShareFetch of share group " + groupId + " at " + leader + " failed: " + e, e);
        }
        fetchAnswered(leader, partitions, epoch, r, into, ackErrors);
    }

    private ShareFetchRequestData shareFetchRequest(Uuid id, List<Integer> partitions, Map<Integer, List<Ack>> acks,
                                                    int maxWaitMs, int epoch, short version) {
        ShareFetchRequestData.FetchTopic ft = new ShareFetchRequestData.FetchTopic().setTopicId(id);
        for (int p : partitions) {
            ft.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(p)
                    .setAcknowledgementBatches(batches(acks.getOrDefault(p, List.of()), ShareFetchRequestData.AcknowledgementBatch::new,
                            (b, first, last, types) -> b.setFirstOffset(first).setLastOffset(last).setAcknowledgeTypes(types))));
        }
        ShareFetchRequestData req = new ShareFetchRequestData().setGroupId(groupId).setMemberId(memberId)
                .setShareSessionEpoch(epoch).setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(MAX_BYTES)
                .setMaxRecords(maxRecords).setBatchSize(maxRecords);
        req.topics().add(ft);
        if (version >= 2) {
            req.setShareAcquireMode((byte) (recordLimit ? 1 : 0));
        }
        return req;
    }

    /** A ShareFetch answer of {@code leader}: the session's next epoch, the acquired records, the errors. */
    private void fetchAnswered(String leader, List<Integer> partitions, int epoch, ShareFetchResponseData r,
                               List<ConsumerRecord<byte[], byte[]>> into, Map<Integer, KafkaException> ackErrors) throws Broken {
        answered(leader, r.errorCode(), r.errorMessage(), "ShareFetch", next(epoch), r.acquisitionLockTimeoutMs());
        partitions.forEach(p -> fetchedAt.put(p, leader));
        Broken moved = null;
        for (ShareFetchResponseData.ShareFetchableTopicResponse t : r.responses()) {
            for (ShareFetchResponseData.PartitionData pd : t.partitions()) {
                Errors ackError = Errors.forCode(pd.acknowledgeErrorCode());
                if (ackError != Errors.NONE) {
                    ackErrors.put(pd.partitionIndex(), ackError.exception(pd.acknowledgeErrorMessage()));
                }
                Errors error = Errors.forCode(pd.errorCode());
                if (error != Errors.NONE) {
                    if (error == Errors.NOT_LEADER_OR_FOLLOWER || error == Errors.FENCED_LEADER_EPOCH
                            || error == Errors.UNKNOWN_TOPIC_OR_PARTITION || error == Errors.UNKNOWN_TOPIC_ID) {
                        leaders.clear();
                        topicId = error == Errors.UNKNOWN_TOPIC_ID ? null : topicId;
                        moved = new Broken("Partition " + pd.partitionIndex() + " of " + topic + ": " + error.name(), null);
                        continue;
                    }
                    if (error == Errors.GROUP_AUTHORIZATION_FAILED || error == Errors.TOPIC_AUTHORIZATION_FAILED) {
                        throw error.exception("ShareFetch of " + topic + " in share group " + groupId + ": " + error.name());
                    }
                    log.debug("ShareFetch of {}-{} in share group {}: {}", topic, pd.partitionIndex(), groupId, error.name());
                    continue;
                }
                List<Long> offsets = new ArrayList<>();
                List<Long> rejected = new ArrayList<>();
                decode(topic, pd, into, offsets, rejected);
                if (log.isTraceEnabled()) {
                    log.trace("Share consumer {} acquired {} of {}-{}; gaps {}", clientId, pd.acquiredRecords(), topic,
                            pd.partitionIndex(), offsets);
                }
                offsets.forEach(o -> gaps.computeIfAbsent(leader, l -> new ArrayList<>()).add(new Ack(pd.partitionIndex(), o, GAP)));
                rejected.forEach(o -> gaps.computeIfAbsent(leader, l -> new ArrayList<>()).add(new Ack(pd.partitionIndex(), o, REJECT)));
            }
        }
        if (moved != null && into.isEmpty()) {
            throw moved;
        }
    }

    /**
     * The acquired records of one partition's answer, with their delivery counts, into {@code into}; control batches
     * are skipped. Every offset of an acquired range that no record carries (a transaction marker, a record removed by
     * compaction, an aborted record the broker left out) goes to {@code gaps}: it stays acquired by this member until
     * it is acknowledged as a GAP (Kafka's consumer does the same), else it would come back at every lock expiry until
     * its delivery limit, holding the share-partition's start offset back meanwhile. The acquired offsets of a batch that
     * cannot be read (a bad checksum, a corrupt compressed payload) go to {@code rejected}, none of its records to
     * {@code into} (Kafka's consumer rejects such a batch too): handed out again, it would fail every consumer in turn.
     */
    static void decode(String topic, ShareFetchResponseData.PartitionData pd, List<ConsumerRecord<byte[], byte[]>> into,
                       List<Long> gaps, List<Long> rejected) {
        List<ShareFetchResponseData.AcquiredRecords> ranges = pd.acquiredRecords();
        if (ranges.isEmpty()) {
            return;
        }
        List<Long> carried = new ArrayList<>();
        if (pd.records() instanceof MemoryRecords memory) {
            int range = 0;
            ByteBuffer bytes = memory.buffer();
            int batchStart = bytes.position();
            for (MutableRecordBatch batch : memory.batches()) {
                int at = batchStart;
                batchStart += batch.sizeInBytes();
                if (batch.isControlBatch()) {
                    continue;
                }
                int intoBefore = into.size();
                int carriedBefore = carried.size();
                int rangeBefore = range;
                try {
                    batch.ensureValid();
                    try (RecordCursor rec = RecordCursor.of(bytes, at, batch)) {
                        while (rec.next()) {
                            long offset = rec.offset();
                            while (range < ranges.size() && ranges.get(range).lastOffset() < offset) {
                                range++;
                            }
                            if (range == ranges.size()) {
                                break;
                            }
                            ShareFetchResponseData.AcquiredRecords a = ranges.get(range);
                            if (offset < a.firstOffset()) {
                                continue;
                            }
                            carried.add(offset);
                            into.add(new ConsumerRecord<>(topic, pd.partitionIndex(), offset, rec.timestamp(), batch.timestampType(),
                                    rec.keySize(), rec.valueSize(), rec.key(), rec.value(), new RecordHeaders(rec.headers()),
                                    Optional.of(batch.partitionLeaderEpoch()), Optional.of(a.deliveryCount())));
                        }
                    }
                } catch (RuntimeException e) {
                    into.subList(intoBefore, into.size()).clear();
                    carried.subList(carriedBefore, carried.size()).clear();
                    List<Long> lost = new ArrayList<>();
                    for (int i = rangeBefore; i < ranges.size() && ranges.get(i).firstOffset() <= batch.lastOffset(); i++) {
                        ShareFetchResponseData.AcquiredRecords a = ranges.get(i);
                        for (long o = Math.max(a.firstOffset(), batch.baseOffset()); o <= Math.min(a.lastOffset(), batch.lastOffset()); o++) {
                            lost.add(o);
                        }
                    }
                    log.warn("The batch at offsets {}-{} of {}-{} cannot be read ({}): its {} acquired records are rejected",
                            batch.baseOffset(), batch.lastOffset(), topic, pd.partitionIndex(), e.toString(), lost.size());
                    rejected.addAll(lost);
                    carried.addAll(lost); // accounted for: no gap
                    carried.sort(null);
                    range = rangeBefore;
                }
                if (range == ranges.size()) {
                    break;
                }
            }
        }
        int next = 0; // carried is ascending: records come in offset order
        for (ShareFetchResponseData.AcquiredRecords a : ranges) {
            for (long o = a.firstOffset(); o <= a.lastOffset(); o++) {
                while (next < carried.size() && carried.get(next) < o) {
                    next++;
                }
                if (next == carried.size() || carried.get(next) != o) {
                    gaps.add(o);
                }
            }
        }
    }

    /**
     * Sends {@code acks} as ShareAcknowledge requests (RENEW ones with {@code renew}: ShareAcknowledge v2) and returns
     * the errors by partition (none: all applied). A leader without a share session yet gets nothing (nothing was
     * acquired there).
     */
    Map<Integer, KafkaException> acknowledge(List<Ack> acks, boolean renew) throws Broken {
        Map<Integer, KafkaException> errors = new HashMap<>();
        if (acks.isEmpty()) {
            return errors;
        }
        for (Map.Entry<String, Map<Integer, List<Ack>>> e : byLeader(acks, errors).entrySet()) {
            errors.putAll(acknowledgeAt(e.getKey(), e.getValue(), renew));
        }
        return errors;
    }

    /** {@code acks} by the leader of their partition; those of a partition without a known leader fail in {@code errors}. */
    private Map<String, Map<Integer, List<Ack>>> byLeader(List<Ack> acks, Map<Integer, KafkaException> errors) {
        Map<String, Map<Integer, List<Ack>>> byLeader = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Ack>> e : byPartition(acks).entrySet()) {
            String leader = leaders.get(e.getKey());
            if (leader == null) {
                errors.put(e.getKey(), Errors.NOT_LEADER_OR_FOLLOWER.exception("No leader known for partition " + e.getKey() + " of " + topic));
                continue;
            }
            byLeader.computeIfAbsent(leader, l -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
        }
        return byLeader;
    }

    private Map<Integer, KafkaException> acknowledgeAt(String leader, Map<Integer, List<Ack>> acks, boolean renew) throws Broken {
        return acknowledgeAt(leader, acks, renew, sessions.getOrDefault(leader, 0), null);
    }

    /**
     * ACCEPTs {@code acks} inside the Kafka transaction {@code txn} (Weir's transactional share acknowledgement,
     * broker/SHARE-GROUPS.md): the records stay with this member, locked, until the transaction's marker makes them
     * acknowledged (commit) or available again (abort). Returns the errors by partition; throws
     * {@link org.apache.kafka.common.errors.UnsupportedVersionException} when a leader does not take them.
     */
    Map<Integer, KafkaException> acknowledgeInTransaction(List<Ack> acks, TransactionalShareAcks.Transaction txn) throws Broken {
        long deadline = System.currentTimeMillis() + TXN_RETRY_MS;
        long backoff = 5;
        List<Ack> todo = acks;
        Map<Integer, KafkaException> settled = new HashMap<>();
        while (true) {
            Map<Integer, KafkaException> errors = acknowledgeInTransactionOnce(todo, txn);
            // the coordinator is still ending the producer's previous transaction (CONCURRENT_TRANSACTIONS), or moving:
            // nothing changed at the broker, the same acknowledgements go again (TransactionalShareAcks)
            Set<Integer> again = new TreeSet<>();
            errors.forEach((p, ex) -> {
                if (ex instanceof org.apache.kafka.common.errors.ConcurrentTransactionsException
                        || ex instanceof org.apache.kafka.common.errors.NotCoordinatorException
                        || ex instanceof org.apache.kafka.common.errors.CoordinatorLoadInProgressException
                        || ex instanceof org.apache.kafka.common.errors.CoordinatorNotAvailableException) {
                    again.add(p);
                } else {
                    settled.put(p, ex);
                }
            });
            if (again.isEmpty() || System.currentTimeMillis() >= deadline) {
                again.forEach(p -> settled.put(p, errors.get(p)));
                return settled;
            }
            log.debug("Share consumer {}: transactional acknowledgements of {} retried: {}", clientId, again, errors.get(again.iterator().next())
                    .getClass().getSimpleName());
            List<Ack> next = new ArrayList<>();
            for (Ack a : todo) {
                if (again.contains(a.partition())) {
                    next.add(a);
                }
            }
            todo = next;
            sleep(backoff);
            backoff = Math.min(100, backoff * 2);
        }
    }

    /** How long transactional acknowledgements are sent again while the coordinator answers that it is busy or moving. */
    private static final long TXN_RETRY_MS = 10_000;

    private Map<Integer, KafkaException> acknowledgeInTransactionOnce(List<Ack> acks, TransactionalShareAcks.Transaction txn)
            throws Broken {
        Map<Integer, KafkaException> errors = new HashMap<>();
        for (Map.Entry<String, Map<Integer, List<Ack>>> e : byLeader(acks, errors).entrySet()) {
            try {
                if (!connection(e.getKey()).supportsTransactionalShareAcks()) {
                    throw new org.apache.kafka.common.errors.UnsupportedVersionException("The broker at " + e.getKey()
                            + " does not take share acknowledgements inside transactions (" + TransactionalShareAcks.FEATURE + ")");
                }
            } catch (IOException io) {
                lostBroker(e.getKey());
                throw new Broken("ApiVersions of " + e.getKey() + " failed: " + io, io);
            }
            errors.putAll(acknowledgeAt(e.getKey(), e.getValue(), false, sessions.getOrDefault(e.getKey(), 0), txn));
        }
        return errors;
    }

    private Map<Integer, KafkaException> acknowledgeAt(String leader, Map<Integer, List<Ack>> acks, boolean renew, int epoch)
            throws Broken {
        return acknowledgeAt(leader, acks, renew, epoch, null);
    }

    private Map<Integer, KafkaException> acknowledgeAt(String leader, Map<Integer, List<Ack>> acks, boolean renew, int epoch,
                                                       TransactionalShareAcks.Transaction txn) throws Broken {
        Map<Integer, KafkaException> errors = new HashMap<>();
        if (epoch == 0) {
            for (int p : acks.keySet()) {
                errors.put(p, Errors.SHARE_SESSION_NOT_FOUND.exception("No share session with " + leader + " for " + topic + "-" + p));
            }
            return errors;
        }
        ShareAcknowledgeRequestData.AcknowledgeTopic at = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(topicId);
        for (Map.Entry<Integer, List<Ack>> e : acks.entrySet()) {
            at.partitions().add(new ShareAcknowledgeRequestData.AcknowledgePartition().setPartitionIndex(e.getKey())
                    .setAcknowledgementBatches(batches(e.getValue(), ShareAcknowledgeRequestData.AcknowledgementBatch::new,
                            (b, first, last, types) -> b.setFirstOffset(first).setLastOffset(last).setAcknowledgeTypes(types))));
        }
        ShareAcknowledgeRequestData req = new ShareAcknowledgeRequestData().setGroupId(groupId).setMemberId(memberId)
                .setShareSessionEpoch(epoch);
        req.topics().add(at);
        if (txn != null) {
            TransactionalShareAcks.attach(req, txn);
        }
        ShareAcknowledgeResponseData r;
        try {
            short v = version(leader, ApiKeys.SHARE_ACKNOWLEDGE);
            if (renew) {
                if (v < 2) {
                    throw new org.apache.kafka.common.errors.UnsupportedVersionException("The broker at " + leader
                            + " offers ShareAcknowledge up to v" + v + ": no lock renewal (v2)");
                }
                req.setIsRenewAck(true);
            }
            r = ((ShareAcknowledgeResponse) send(leader, ApiKeys.SHARE_ACKNOWLEDGE, v, req)).data();
        } catch (IOException e) {
            lostBroker(leader);
            throw new Broken("ShareAcknowledge of share group " + groupId + " at " + leader + " failed: " + e, e);
        }
        answered(leader, r.errorCode(), r.errorMessage(), "ShareAcknowledge", epoch == -1 ? 0 : next(epoch),
                r.acquisitionLockTimeoutMs());
        for (ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse t : r.responses()) {
            for (ShareAcknowledgeResponseData.PartitionData pd : t.partitions()) {
                Errors error = Errors.forCode(pd.errorCode());
                if (error != Errors.NONE) {
                    errors.put(pd.partitionIndex(), error.exception(pd.errorMessage() != null ? pd.errorMessage()
                            : "Acknowledging records of " + topic + "-" + pd.partitionIndex() + ": " + error.name()));
                }
            }
        }
        return errors;
    }

    /**
     * Sends the GAP (and REJECT) acknowledgements the last fetch left owed at {@code leader}, on their own, at once: while
     * their locks surely hold, and apart from the acknowledgements of records (Apache Kafka 4.4 refuses every
     * acknowledgement of a partition in a request when one of them names an offset no longer acquired, as an owed gap is
     * once its lock ran out and another member took it). A refusal is logged: whoever holds such an offset now owes it.
     */
    private void sendGaps(String leader) {
        List<Ack> owed = gaps.remove(leader);
        if (owed == null || owed.isEmpty() || sessions.getOrDefault(leader, 0) == 0) {
            return;
        }
        Map<Integer, KafkaException> errors;
        try {
            errors = acknowledgeAt(leader, byPartition(owed), false);
        } catch (Broken e) {
            // the records just fetched are handed out; the next request to this leader meets the failure again
            log.debug("Share consumer {}: acknowledging offsets without records at {} failed: {}", clientId, leader, e.toString());
            return;
        }
        errors.forEach((p, e) -> log.debug("Share consumer {}: acknowledging offsets without records of {}-{} failed: {}",
                clientId, topic, p, e.toString()));
    }

    /** A share request's answer: a top-level error ends the session ({@link #sessionError}), else the epoch moves on. */
    private void answered(String leader, short errorCode, String errorMessage, String what, int nextEpoch, int lockMs)
            throws Broken {
        Errors top = Errors.forCode(errorCode);
        if (top != Errors.NONE) {
            sessionError(leader, top, errorMessage, what);
        }
        sessions.put(leader, nextEpoch);
        if (lockMs > 0) {
            lockTimeoutMs = lockMs;
        }
    }

    /** A top-level error: the session is gone (the records it held too) or the request was refused. */
    private void sessionError(String leader, Errors error, String message, String what) throws Broken {
        sessions.remove(leader);
        gaps.remove(leader);
        fetchedAt.values().removeIf(leader::equals);
        if (error == Errors.GROUP_AUTHORIZATION_FAILED || error == Errors.TOPIC_AUTHORIZATION_FAILED
                || error == Errors.INVALID_GROUP_ID || error == Errors.UNSUPPORTED_VERSION) {
            throw error.exception(what + " of share group " + groupId + ": " + error.name()
                    + (message == null ? "" : " (" + message + ")"));
        }
        throw new Broken(what + " of share group " + groupId + " at " + leader + ": " + error.name()
                + (message == null ? "" : " (" + message + ")"), null);
    }

    private static int next(int epoch) {
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }

    @FunctionalInterface
    interface BatchSetter<B> {
        void set(B batch, long first, long last, List<Byte> types);
    }

    /** Runs of consecutive offsets with one type become one batch (one type for the whole range). */
    static <B> List<B> batches(List<Ack> acks, java.util.function.Supplier<B> make, BatchSetter<B> set) {
        List<B> out = new ArrayList<>();
        if (acks.isEmpty()) {
            return out;
        }
        List<Ack> sorted = new ArrayList<>(acks);
        sorted.sort(java.util.Comparator.comparingLong(Ack::offset));
        long first = sorted.get(0).offset();
        long last = first;
        byte type = sorted.get(0).type();
        for (int i = 1; i < sorted.size(); i++) {
            Ack a = sorted.get(i);
            if (a.offset() == last) {
                continue; // the same record twice: the first decision stands
            }
            if (a.offset() == last + 1 && a.type() == type) {
                last = a.offset();
                continue;
            }
            B b = make.get();
            set.set(b, first, last, List.of(type));
            out.add(b);
            first = last = a.offset();
            type = a.type();
        }
        B b = make.get();
        set.set(b, first, last, List.of(type));
        out.add(b);
        return out;
    }

    private static Map<Integer, List<Ack>> byPartition(List<Ack> acks) {
        Map<Integer, List<Ack>> m = new LinkedHashMap<>();
        for (Ack a : acks) {
            m.computeIfAbsent(a.partition(), p -> new ArrayList<>()).add(a);
        }
        return m;
    }

    // ------------------------------------------------------------------ leaving

    /**
     * Ends the member: {@code acks} go with the requests that close its share sessions (the broker then releases what
     * the member still held, without counting a delivery on Weir), then the member leaves the group. Errors are
     * logged, not thrown.
     */
    Map<Integer, KafkaException> leave(List<Ack> acks) {
        Map<Integer, KafkaException> errors = new HashMap<>();
        Map<Integer, List<Ack>> byPartition = byPartition(acks);
        for (Map.Entry<String, Integer> s : new ArrayList<>(sessions.entrySet())) {
            if (s.getValue() == 0) {
                continue;
            }
            Map<Integer, List<Ack>> mine = new LinkedHashMap<>();
            for (Map.Entry<Integer, String> l : leaders.entrySet()) {
                if (l.getValue().equals(s.getKey()) && byPartition.containsKey(l.getKey())) {
                    mine.put(l.getKey(), byPartition.remove(l.getKey()));
                }
            }
            try {
                errors.putAll(acknowledgeAt(s.getKey(), mine, false, -1));
            } catch (Broken | RuntimeException e) {
                log.debug("Closing the share session of {} at {} failed: {}", clientId, s.getKey(), e.toString());
                mine.keySet().forEach(p -> errors.put(p, new KafkaException(e.getMessage(), e)));
            }
        }
        sessions.clear();
        gaps.clear();
        for (Map.Entry<Integer, List<Ack>> e : byPartition.entrySet()) {
            // no open share session holds these records: nothing could be sent, so nothing was applied
            errors.put(e.getKey(), Errors.SHARE_SESSION_NOT_FOUND.exception("The acknowledgements of " + e.getValue().size()
                    + " records of " + topic + "-" + e.getKey() + " could not be sent: no share session holds them"));
        }
        if (memberEpoch > 0 && !left) {
            left = true;
            try {
                send(coordinator(), ApiKeys.SHARE_GROUP_HEARTBEAT, (short) 1, new ShareGroupHeartbeatRequestData()
                        .setGroupId(groupId).setMemberId(memberId).setMemberEpoch(-1));
            } catch (IOException | Broken | RuntimeException e) {
                log.debug("Member {} of share group {} could not leave (the broker drops it after the session timeout): {}",
                        clientId, groupId, e.toString());
            }
        }
        return errors;
    }

    @Override
    public void close() {
        for (BrokerConnection c : connections.values()) {
            c.close();
        }
        connections.clear();
    }

    // ------------------------------------------------------------------ plumbing

    /**
     * The assigned partitions by leader address. A partition without a leader that this member never fetched (the
     * partitions of a queue just created, while their leaders are elected) is left out of this fetch; one it fetched
     * breaks the member, since what it holds there is lost with its leader.
     */
    private Map<String, List<Integer>> partitionsByLeader() throws Broken {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        for (int p : assigned) {
            String leader = leaders.get(p);
            if (leader == null) {
                boolean held = fetchedAt.containsKey(p);
                long now = System.currentTimeMillis();
                if (held || now - leaderlessRefreshAt >= LEADERLESS_REFRESH_MS) {
                    leaderlessRefreshAt = now;
                    refreshMetadata(true);
                    leader = leaders.get(p);
                }
                if (leader == null) {
                    if (held) {
                        throw new Broken("No leader for " + topic + "-" + p, null);
                    }
                    log.debug("Share consumer {}: {}-{} has no leader yet; fetched once it has one", clientId, topic, p);
                    continue;
                }
            }
            m.computeIfAbsent(leader, l -> new ArrayList<>()).add(p);
        }
        return m;
    }

    private void refreshMetadata(boolean force) throws Broken {
        if (!force && topicId != null && (leaders.keySet().containsAll(assigned)
                || System.currentTimeMillis() - leaderlessRefreshAt < LEADERLESS_REFRESH_MS)) {
            return;
        }
        MetadataResponseData data = null;
        Exception last = null;
        for (String b : addresses()) {
            try {
                data = ((MetadataResponse) send(b, ApiKeys.METADATA, (short) 12, metadataRequest())).data();
                break;
            } catch (IOException e) {
                last = e;
            }
        }
        if (data == null) {
            throw new Broken("No broker answered a Metadata request for " + topic, last);
        }
        applyMetadata(data);
    }

    private MetadataRequestData metadataRequest() {
        return new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                .setAllowAutoTopicCreation(false);
    }

    /** Learns the topic's id and its partitions' leaders from a Metadata answer. */
    private void applyMetadata(MetadataResponseData data) throws Broken {
        Map<Integer, String> nodes = new HashMap<>();
        data.brokers().forEach(n -> nodes.put(n.nodeId(), n.host() + ":" + n.port()));
        leaders.clear();
        for (MetadataResponseData.MetadataResponseTopic t : data.topics()) {
            Errors e = Errors.forCode(t.errorCode());
            if (e == Errors.TOPIC_AUTHORIZATION_FAILED) {
                throw e.exception("Reading " + topic + ": " + e.name());
            }
            if (e != Errors.NONE) {
                if (fetchedAt.isEmpty() && (e == Errors.LEADER_NOT_AVAILABLE || e == Errors.UNKNOWN_TOPIC_OR_PARTITION)) {
                    // a queue just created, not yet known to every broker: nothing of this member's is lost; fetch later
                    log.debug("Share consumer {}: metadata of {}: {}; fetched once known", clientId, topic, e.name());
                    leaders.clear();
                    leaderlessRefreshAt = System.currentTimeMillis();
                    return;
                }
                throw new Broken("Metadata of " + topic + ": " + e.name(), null);
            }
            topicId = t.topicId();
            for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                String address = nodes.get(p.leaderId());
                if (address != null) {
                    leaders.put(p.partitionIndex(), address);
                }
            }
            if (layouts != null) {
                layouts.put(topic, topicId, leaders);
            }
        }
    }

    /** The brokers known to answer: the ones connected to, then the bootstrap list. */
    private List<String> addresses() {
        List<String> out = new ArrayList<>();
        connections.forEach((a, c) -> {
            if (!c.isBroken()) {
                out.add(a);
            }
        });
        for (String b : bootstrap) {
            if (!out.contains(b.trim())) {
                out.add(b.trim());
            }
        }
        return out;
    }

    private String coordinator() throws Broken {
        if (coordinator != null) {
            return coordinator;
        }
        Exception last = null;
        for (String b : addresses()) {
            try {
                FindCoordinatorResponseData.Coordinator c = ((FindCoordinatorResponse) send(b, ApiKeys.FIND_COORDINATOR, (short) 4,
                        new FindCoordinatorRequestData().setKeyType(GROUP_KEY).setCoordinatorKeys(List.of(groupId))))
                        .data().coordinators().get(0);
                Errors e = Errors.forCode(c.errorCode());
                if (e == Errors.GROUP_AUTHORIZATION_FAILED) {
                    throw e.exception("Share group " + groupId + ": " + e.name());
                }
                if (e != Errors.NONE) {
                    last = e.exception();
                    continue;
                }
                coordinator = c.host() + ":" + c.port();
                return coordinator;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new Broken("No coordinator found for share group " + groupId, last);
    }

    private short version(String address, ApiKeys key) throws IOException {
        short max = connection(address).maxVersion(key);
        if (max < 1) {
            throw new org.apache.kafka.common.errors.UnsupportedVersionException("The broker at " + address
                    + " does not serve " + key + ": share groups are not available");
        }
        return (short) Math.min(max, MAX_SHARE_VERSION);
    }

    private org.apache.kafka.common.requests.AbstractResponse send(String address, ApiKeys key, short version,
                                                                     org.apache.kafka.common.protocol.ApiMessage data)
            throws IOException {
        return connection(address).send(key, version, data);
    }

    private BrokerConnection connection(String address) throws IOException {
        BrokerConnection c = connections.get(address);
        if (c == null || c.isBroken()) {
            if (c != null) {
                c.close();
            }
            int colon = address.lastIndexOf(':');
            c = new BrokerConnection(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), clientId,
                    connectTimeoutMs, socketTimeoutMs, security);
            connections.put(address, c);
        }
        return c;
    }

    /** A broker's connection failed: its sessions are gone (the broker releases what they held), its address re-learnt. */
    private void lostBroker(String address) {
        BrokerConnection c = connections.remove(address);
        if (c != null) {
            c.close();
        }
        sessions.remove(address);
        gaps.remove(address);
        fetchedAt.values().removeIf(address::equals);
        leaders.clear();
        if (address.equals(coordinator)) {
            coordinator = null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For logs: the topic partitions this member is assigned. */
    List<TopicPartition> assignment() {
        List<TopicPartition> out = new ArrayList<>();
        assigned.forEach(p -> out.add(new TopicPartition(topic, p)));
        return out;
    }
}
