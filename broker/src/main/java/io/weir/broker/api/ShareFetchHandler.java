package io.weir.broker.api;

import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import io.weir.broker.share.AcquiredRange;
import io.weir.broker.share.RecordFilter;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.SharePartition;
import io.weir.broker.share.ShareSessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;

/**
 * ShareFetch (KIP-932), answered by the leader of each data partition: opens, continues or closes
 * the member's share session, applies the acknowledgements piggybacked on the request, then
 * acquires records of the session's partitions for the member (up to {@code MaxRecords} and
 * {@code MaxBytes}) and returns the log's batches that hold them with the acquired ranges and
 * their delivery counts. When nothing can be acquired it waits up to {@code MaxWaitMs} for new
 * records. Records are read up to the high watermark; for a group set to
 * {@code share.isolation.level=read_committed} up to the last stable offset, and the records of aborted
 * transactions are archived instead of acquired (as Kafka does). Control batches are never acquired.
 *
 * <p>A Weir extension: when the group config {@code weir.share.filter.<client.id>} names a
 * {@link RecordFilter} for the requesting client, only records it matches are acquired; the others
 * stay available to other members without a delivery (JMS selectors).
 */
final class ShareFetchHandler implements ApiHandler<ShareFetchRequest> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShareFetchHandler.class);
    private final ShareSupport share;

    ShareFetchHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ShareFetchRequest request) {
        ShareFetchRequestData d = request.data();
        if (d.groupId() == null || d.groupId().isEmpty() || d.memberId() == null || d.memberId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, "ShareFetch needs a group id and a member id", 0);
        }
        int lockMs = share.share().partitions().settings().recordLockDurationMs(d.groupId());
        List<TopicIdPartition> added = new ArrayList<>();
        Map<TopicIdPartition, List<ShareAcks.Batch>> acks = new LinkedHashMap<>();
        for (ShareFetchRequestData.FetchTopic ft : d.topics()) {
            for (ShareFetchRequestData.FetchPartition fp : ft.partitions()) {
                TopicIdPartition tip = new TopicIdPartition(ft.topicId(), fp.partitionIndex(), "");
                added.add(tip);
                if (!fp.acknowledgementBatches().isEmpty()) {
                    acks.put(tip, fp.acknowledgementBatches().stream()
                            .map(b -> new ShareAcks.Batch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes())).toList());
                }
            }
        }
        List<TopicIdPartition> forgotten = new ArrayList<>();
        d.forgottenTopicsData().forEach(t -> t.partitions().forEach(p -> forgotten.add(new TopicIdPartition(t.topicId(), p, ""))));
        int epoch = d.shareSessionEpoch();
        if (log.isTraceEnabled()) {
            log.trace("Share group {} member {}: fetch, session epoch {}, max wait {} ms, max records {}, acknowledgements for {} partitions",
                    d.groupId(), d.memberId(), epoch, d.maxWaitMs(), d.maxRecords(), acks.size());
        }
        if (epoch == 0 && !acks.isEmpty()) {
            // KIP-932: a request that opens a session carries no acknowledgements (Kafka refuses it whole, as here);
            // kafka-clients never sends them so: it fails acknowledgements due on a new session itself
            log.debug("Share group {} member {}: a ShareFetch opening a share session carries acknowledgements: refused",
                    d.groupId(), d.memberId());
            return error(Errors.INVALID_REQUEST, "Acknowledgements in a ShareFetch with share session epoch 0", lockMs);
        }
        if (epoch == 0) {
            share.ensureStateTopic(); // a share session may be opened by a member whose heartbeat went elsewhere first
        }
        ShareSessions.Id id = new ShareSessions.Id(d.groupId(), d.memberId());
        ShareSessions.Use use = share.share().sessions().use(id, epoch, context.connectionId(), epoch == -1 ? List.of() : added, forgotten);
        if (use.error() != Errors.NONE) {
            return error(use.error(), null, lockMs);
        }
        Map<TopicIdPartition, PartitionData> out = new LinkedHashMap<>();
        List<Integer> otherLeaders = new ArrayList<>();
        List<CompletableFuture<?>> ackDone = new ArrayList<>();
        for (Map.Entry<TopicIdPartition, List<ShareAcks.Batch>> e : acks.entrySet()) {
            ShareSupport.Target t = share.resolve(e.getKey().topicId(), e.getKey().partition());
            PartitionData pd = partitionData(out, e.getKey(), t, otherLeaders);
            ackDone.add(ShareAcks.apply(share, t, d.groupId(), d.memberId(), e.getValue())
                    .thenAccept(err -> pd.setAcknowledgeErrorCode(err.code())));
        }
        CompletableFuture<Void> acked = CompletableFuture.allOf(ackDone.toArray(CompletableFuture[]::new));
        if (epoch == -1) {
            List<ShareKey> keys = use.closedPartitions().stream().map(p -> new ShareKey(d.groupId(), p.topicId(), p.partition())).toList();
            return acked.thenApply(v -> {
                share.share().partitions().releaseMember(d.groupId(), d.memberId(), keys, true);
                return response(out, otherLeaders, context.listenerName(), lockMs);
            });
        }
        if (d.isRenewAck()) {
            // v2: a request that renews locks only extends them; it acquires nothing new
            return acked.thenApply(v -> response(out, otherLeaders, context.listenerName(), lockMs));
        }
        List<TopicIdPartition> session = use.session().partitions();
        int maxRecords = d.maxRecords() > 0 ? d.maxRecords() : Integer.MAX_VALUE;
        RecordFilter filter = share.share().partitions().settings().filter(d.groupId(), context.header().clientId());
        boolean readCommitted = share.share().partitions().settings().readCommitted(d.groupId());
        boolean got = fetchIfOpen(d, use.session(), out, otherLeaders, maxRecords, lockMs, filter, readCommitted);
        boolean errors = out.values().stream().anyMatch(p -> p.errorCode() != Errors.NONE.code());
        if (got || errors || !acks.isEmpty() || d.maxWaitMs() <= 0 || session.isEmpty()) {
            return acked.thenApply(v -> response(out, otherLeaders, context.listenerName(), lockMs));
        }
        List<ShareSupport.Target> targets = session.stream().map(p -> share.resolve(p.topicId(), p.partition()))
                .filter(t -> t.error() == Errors.NONE).toList();
        // with a filter, available records may all be unmatched: wait for new ones instead of spinning on them
        Map<ShareSupport.Target, Long> highWatermarks = new java.util.HashMap<>();
        targets.forEach(t -> highWatermarks.put(t, bound(t.leader(), readCommitted).offset()));
        ShareSessions sessions = share.share().sessions();
        // a single-batch member that holds records cannot acquire before it acknowledges them (or their locks expire):
        // those partitions are left out of the wake-up test, decided once here rather than on every append
        List<ShareSupport.Target> open = share.share().partitions().settings().singleBatch(d.groupId())
                ? targets.stream().filter(t -> !holds(d, t)).toList() : targets;
        java.util.function.BooleanSupplier ready = filter == null
                ? () -> !sessions.isOpen(use.session()) || open.stream().anyMatch(t -> acquirable(d, t, readCommitted))
                : () -> !sessions.isOpen(use.session())
                        || targets.stream().anyMatch(t -> bound(t.leader(), readCommitted).offset() > highWatermarks.get(t));
        return share.services().replicas().fetchPurgatory()
                .await(targets.stream().map(ShareSupport.Target::tp).toList(), ready, d.maxWaitMs())
                .thenCompose(v -> acked)
                .thenApply(v -> {
                    fetchIfOpen(d, use.session(), out, otherLeaders, maxRecords, lockMs, filter, readCommitted);
                    return response(out, otherLeaders, context.listenerName(), lockMs);
                });
    }

    /**
     * How far a share fetch reads: the high watermark, or for read_committed the last stable offset (no record
     * at or above it belongs to a transaction that is open or whose marker is not yet replicated).
     */
    static LogOffsetMetadata bound(Partition partition, boolean readCommitted) {
        LogOffsetMetadata hw = partition.highWatermark();
        if (!readCommitted) {
            return hw;
        }
        long lso = Math.max(partition.lastStableOffset(), partition.log().logStartOffset());
        return lso >= hw.offset() ? hw : partition.log().offsetMetadata(lso);
    }

    private boolean acquirable(ShareFetchRequestData d, ShareSupport.Target t, boolean readCommitted) {
        try {
            SharePartition sp = share.share().partitions().getOrLoad(d.groupId(), t.leader());
            return sp.hasAcquirable(bound(t.leader(), readCommitted).offset(), share.share().partitions().time().milliseconds());
        } catch (RuntimeException e) {
            return true; // answer at once; the fetch reports the error
        }
    }

    private boolean holds(ShareFetchRequestData d, ShareSupport.Target t) {
        try {
            return share.share().partitions().getOrLoad(d.groupId(), t.leader()).holds(d.memberId(),
                    share.share().partitions().time().milliseconds());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * {@link #fetch} while the request's share session is open. A fetch that waited may complete after its connection
     * closed (the consumer was killed): the close released what the member held, and acquiring now would lock records
     * for a member nobody answers for until the locks expire. If the session ends while this fetch acquires, what the
     * member holds goes back at once.
     */
    private boolean fetchIfOpen(ShareFetchRequestData d, ShareSessions.Session session, Map<TopicIdPartition, PartitionData> out,
                                List<Integer> otherLeaders, int maxRecords, int lockMs, RecordFilter filter, boolean readCommitted) {
        ShareSessions sessions = share.share().sessions();
        if (!sessions.isOpen(session)) {
            log.debug("Share group {} member {}: its share session ended while its fetch waited; nothing acquired", d.groupId(),
                    d.memberId());
            return false;
        }
        List<TopicIdPartition> partitions = session.partitions();
        boolean got = fetch(d, partitions, out, otherLeaders, maxRecords, lockMs, filter, readCommitted);
        if (got && !sessions.hasSession(session.id())) {
            log.debug("Share group {} member {}: its share session ended during a fetch; releasing what it acquired", d.groupId(),
                    d.memberId());
            share.share().partitions().releaseMember(d.groupId(), d.memberId(),
                    partitions.stream().map(p -> new ShareKey(d.groupId(), p.topicId(), p.partition())).toList(), true);
            return false;
        }
        return got;
    }

    /** Acquires and reads for every session partition; returns whether anything was acquired. */
    private boolean fetch(ShareFetchRequestData d, List<TopicIdPartition> session, Map<TopicIdPartition, PartitionData> out,
                          List<Integer> otherLeaders, int maxRecords, int lockMs, RecordFilter filter, boolean readCommitted) {
        int recordsLeft = maxRecords;
        int bytesLeft = d.maxBytes() > 0 ? d.maxBytes() : Integer.MAX_VALUE;
        boolean singleBatch = share.share().partitions().settings().singleBatch(d.groupId());
        boolean got = false;
        for (TopicIdPartition p : session) {
            ShareSupport.Target t = share.resolve(p.topicId(), p.partition());
            if (t.error() != Errors.NONE) {
                partitionData(out, p, t, otherLeaders);
                continue;
            }
            if (recordsLeft <= 0 || bytesLeft <= 0) {
                continue;
            }
            try {
                SharePartition sp = share.share().partitions().getOrLoad(d.groupId(), t.leader());
                if (singleBatch && sp.holds(d.memberId(), share.share().partitions().time().milliseconds())) {
                    continue; // its earlier batch is not acknowledged yet (ShareGroupSettings.singleBatch)
                }
                SharePartition.Fetched f = null;
                // a read that held only undeliverable records (markers, aborted transactions) archived them: read on
                for (int round = 0; round < MAX_ARCHIVING_ROUNDS && (f == null || f.isEmpty() && f.archived()); round++) {
                    f = sp.fetch(d.memberId(), t.leader().log(), bound(t.leader(), readCommitted), recordsLeft, bytesLeft,
                            lockMs, share.share().partitions().time().milliseconds(), filter, readCommitted);
                    if (f.archived()) {
                        sp.persistInBackground(); // as the delivery counts of an acquisition
                    }
                }
                if (f.isEmpty()) {
                    continue;
                }
                got = true;
                if (log.isTraceEnabled()) {
                    log.trace("Share group {} member {}: acquired {} of {} (max {} records)", d.groupId(), d.memberId(), f.acquired(),
                            t.tp(), recordsLeft);
                }
                sp.persistInBackground(); // the delivery counts: a fetch does not wait for them
                PartitionData pd = partitionData(out, p, t, otherLeaders).setRecords(f.records());
                for (AcquiredRange r : f.acquired()) {
                    pd.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords().setFirstOffset(r.first())
                            .setLastOffset(r.last()).setDeliveryCount((short) r.deliveryCount()));
                    recordsLeft -= (int) (r.last() - r.first() + 1);
                }
                bytesLeft -= f.records().sizeInBytes();
            } catch (RuntimeException e) {
                partitionData(out, p, t, otherLeaders).setErrorCode(fetchError(e, t).code()).setErrorMessage(e.getMessage());
            }
        }
        return got;
    }

    /**
     * The partition error for a failed share fetch, among those kafka-clients retries (any other one
     * fails the application's poll): a share-partition whose state cannot be loaded yet (its share
     * coordinator is moving or starting) is answered as a replica not yet available.
     */
    private static Errors fetchError(RuntimeException e, ShareSupport.Target t) {
        Errors error = ApiErrors.errorFor(e, t.tp());
        if (RETRIED_BY_CLIENTS.contains(error)) {
            return error;
        }
        return ApiErrors.unwrap(e) instanceof org.apache.kafka.common.errors.RetriableException ? Errors.REPLICA_NOT_AVAILABLE
                : Errors.UNKNOWN_SERVER_ERROR;
    }

    /** Reads one fetch may make past records that are all undeliverable before it answers what it has. */
    private static final int MAX_ARCHIVING_ROUNDS = 8;

    private static final java.util.Set<Errors> RETRIED_BY_CLIENTS = java.util.EnumSet.of(Errors.NOT_LEADER_OR_FOLLOWER,
            Errors.REPLICA_NOT_AVAILABLE, Errors.KAFKA_STORAGE_ERROR, Errors.FENCED_LEADER_EPOCH, Errors.OFFSET_NOT_AVAILABLE,
            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_LEADER_EPOCH, Errors.UNKNOWN_SERVER_ERROR);

    private static PartitionData partitionData(Map<TopicIdPartition, PartitionData> out, TopicIdPartition p, ShareSupport.Target t,
                                               List<Integer> otherLeaders) {
        return out.computeIfAbsent(p, k -> {
            PartitionData pd = new PartitionData().setPartitionIndex(p.partition()).setRecords(MemoryRecords.EMPTY)
                    .setErrorCode(t.error().code());
            pd.currentLeader().setLeaderId(t.leaderId()).setLeaderEpoch(t.leaderEpoch());
            if (t.error() == Errors.NOT_LEADER_OR_FOLLOWER && t.leaderId() >= 0) {
                otherLeaders.add(t.leaderId());
            }
            return pd;
        });
    }

    private AbstractResponse response(Map<TopicIdPartition, PartitionData> out, List<Integer> otherLeaders, String listenerName,
                                      int lockMs) {
        return ShareFetchResponse.of(Errors.NONE, 0, new LinkedHashMap<>(out), share.endpoints(otherLeaders, listenerName), lockMs);
    }

    private static CompletableFuture<AbstractResponse> error(Errors error, String message, int lockMs) {
        ShareFetchResponse response = ShareFetchResponse.of(error, 0, new LinkedHashMap<>(), List.of(), lockMs);
        if (message != null) {
            response.data().setErrorMessage(message);
        }
        return CompletableFuture.completedFuture(response);
    }
}
