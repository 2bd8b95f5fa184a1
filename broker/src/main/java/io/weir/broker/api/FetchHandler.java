package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.AbortedTxn;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch for consumers and follower replicas: reads each partition from its fetch offset up to the
 * high watermark (read_uncommitted), the last stable offset (read_committed, with the aborted
 * transactions of the range so the consumer drops their records) or the log end (a follower), within {@code max.bytes}
 * overall and {@code partition_max_bytes} each (the first partition with data always returns at
 * least one whole batch), and long-polls up to {@code max.wait.ms} until {@code min.bytes} are
 * available. Records are sent from the segment files with zero copy. Fetch sessions (KIP-227) decide
 * which partitions are read and which are answered: see {@link FetchSessions} and {@link FetchContext}.
 */
final class FetchHandler implements ApiHandler<FetchRequest> {
    private static final short TOPIC_ID_VERSION = 13;

    private final BrokerServices services;
    private final FetchSessions sessions;
    private final Access access;

    /**
     * @param access checks READ again on the partitions an incremental fetch reads from its session (the
     *               request names only what changed, so request authorization cannot see them all)
     */
    FetchHandler(BrokerServices services, FetchSessions sessions, Access access) {
        this.services = services;
        this.sessions = sessions;
        this.access = access;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /** One requested partition, resolved. */
    private record Target(FetchPartition request, TopicPartition tp, Partition partition, Errors error,
                          int replicaId, boolean readCommitted) {
        boolean replica() {
            return replicaId >= 0;
        }

        /**
         * Consumers read up to the high watermark (read_committed: the last stable offset), follower
         * replicas up to the log end.
         */
        LogOffsetMetadata bound() {
            if (replica()) {
                return partition.log().logEndOffsetMetadata();
            }
            LogOffsetMetadata hw = partition.highWatermark();
            if (!readCommitted) {
                return hw;
            }
            long lso = Math.max(partition.lastStableOffset(), partition.log().logStartOffset());
            return lso >= hw.offset() ? hw : partition.log().offsetMetadata(lso);
        }
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, FetchRequest request) {
        short version = context.header().apiVersion();
        boolean topicIds = version >= TOPIC_ID_VERSION;
        int replicaId = request.replicaId();
        boolean readCommitted = request.isolationLevel() == IsolationLevel.READ_COMMITTED && replicaId < 0;
        FetchContext fetch = sessions.newContext(request.data(), version, replicaId >= 0);
        List<Target> resolved = resolve(fetch.items(), topicIds, replicaId, readCommitted);
        List<Target> targets = replicaId < 0 && fetch instanceof FetchContext.Incremental && access.enabled()
                ? authorized(context, resolved) : resolved;
        if (replicaId >= 0) {
            for (Target t : targets) {
                if (t.error() == Errors.NONE) {
                    services.replicas().recordFollowerFetch(t.tp(), replicaId, t.request().fetchOffset());
                }
            }
        }
        int minBytes = request.data().minBytes();
        int maxBytes = request.data().maxBytes();
        long maxWaitMs = request.data().maxWaitMs();
        List<PartitionData> first = read(targets, maxBytes);
        // an unknown partition, a failed read (an offset out of range) or a diverging epoch is answered at once, as in Kafka
        boolean answerNow = first.stream().anyMatch(p -> p.errorCode() != Errors.NONE.code() || p.divergingEpoch().epoch() >= 0);
        if (bytesIn(first) >= minBytes || maxWaitMs <= 0 || answerNow || targets.isEmpty()) {
            return CompletableFuture.completedFuture(new FetchResponses(fetch.respond(first, topicIds)));
        }
        List<TopicPartition> watched = targets.stream().map(Target::tp).toList();
        return services.replicas().fetchPurgatory()
                .await(watched, () -> available(targets, minBytes) >= minBytes, maxWaitMs)
                .thenApply(v -> new FetchResponses(fetch.respond(read(targets, maxBytes), topicIds)));
    }

    /** The targets, those of topics this client may no longer read answered TOPIC_AUTHORIZATION_FAILED. */
    private List<Target> authorized(RequestContext context, List<Target> targets) {
        Map<String, Boolean> readable = new HashMap<>();
        List<Target> out = new ArrayList<>(targets.size());
        for (Target t : targets) {
            boolean allowed = t.error() != Errors.NONE
                    || readable.computeIfAbsent(t.tp().topic(), n -> access.topic(context, AclOperation.READ, n));
            out.add(allowed ? t : new Target(t.request(), t.tp(), null, Errors.TOPIC_AUTHORIZATION_FAILED, t.replicaId(),
                    t.readCommitted()));
        }
        return out;
    }

    private List<Target> resolve(List<FetchContext.Item> items, boolean topicIds, int replicaId, boolean readCommitted) {
        List<Target> targets = new ArrayList<>(items.size());
        for (FetchContext.Item item : items) {
            Optional<TopicMetadata> topic = topicIds
                    ? services.metadata().topicById(item.topicId()) : services.metadata().topic(item.topic());
            FetchPartition fp = item.partition();
            String name = topic.map(TopicMetadata::name).orElse(item.topic());
            TopicPartition tp = new TopicPartition(name == null ? "" : name, fp.partition());
            if (topic.isEmpty()) {
                targets.add(new Target(fp, tp, null, topicIds ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, -1,
                        readCommitted));
                continue;
            }
            Optional<Partition> partition = services.replicas().partition(tp);
            Errors error = Errors.NONE;
            if (partition.isEmpty() || !partition.get().isLeader()) {
                error = topic.get().partitions().containsKey(fp.partition())
                        ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                if (partition.isPresent() && fp.currentLeaderEpoch() >= 0
                        && fp.currentLeaderEpoch() > partition.get().leaderEpoch()) {
                    error = Errors.UNKNOWN_LEADER_EPOCH; // this broker has not learnt the newer epoch yet
                } else if (partition.isPresent() && fp.currentLeaderEpoch() >= 0
                        && fp.currentLeaderEpoch() < partition.get().leaderEpoch()) {
                    error = Errors.FENCED_LEADER_EPOCH;
                }
            } else if (fp.currentLeaderEpoch() >= 0 && fp.currentLeaderEpoch() != partition.get().leaderEpoch()) {
                error = fp.currentLeaderEpoch() < partition.get().leaderEpoch()
                        ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
            }
            targets.add(new Target(fp, tp, partition.orElse(null), error, replicaId, readCommitted));
        }
        return targets;
    }

    /** The answer for each target, in order. */
    private List<PartitionData> read(List<Target> targets, int maxBytes) {
        List<PartitionData> out = new ArrayList<>(targets.size());
        int bytes = 0;
        for (Target t : targets) {
            PartitionData pd = new PartitionData().setPartitionIndex(t.request().partition()).setRecords(MemoryRecords.EMPTY)
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
            out.add(pd);
            if (t.error() != Errors.NONE) {
                pd.setErrorCode(t.error().code());
                continue;
            }
            Partition partition = t.partition();
            LogOffsetMetadata hw = partition.highWatermark();
            LogOffsetMetadata bound;
            try {
                bound = t.bound();
            } catch (RuntimeException e) {
                pd.setErrorCode(ApiErrors.errorFor(e, t.tp()).code());
                continue;
            }
            long lso = Math.min(hw.offset(), partition.lastStableOffset());
            pd.setHighWatermark(hw.offset()).setLastStableOffset(lso).setLogStartOffset(partition.log().logStartOffset());
            LeaderEpochCache.EpochEnd diverging = divergingEpoch(t);
            if (diverging != null) {
                pd.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(diverging.epoch())
                        .setEndOffset(diverging.endOffset()));
                continue;
            }
            int limit = Math.min(t.request().partitionMaxBytes(), maxBytes - bytes);
            if (limit <= 0 && bytes > 0) {
                continue;
            }
            if (heldBack(t)) {
                continue;
            }
            try {
                FetchDataInfo info = partition.log().read(t.request().fetchOffset(), Math.max(limit, 0), bound, bytes == 0);
                if (!info.isEmpty()) {
                    if (t.readCommitted()) {
                        pd.setAbortedTransactions(abortedTransactions(partition, t.request().fetchOffset(), bound.offset()));
                    }
                    pd.setRecords(new FileSliceRecords(info.records()));
                    bytes += info.records().size();
                    if (throttled(t)) {
                        services.replicas().leaderQuota().record(info.records().size());
                    }
                }
            } catch (RuntimeException e) {
                pd.setErrorCode(ApiErrors.errorFor(e, t.tp()).code());
            }
        }
        return out;
    }

    /**
     * Where the fetcher's log leaves this one (Fetch v12+, KIP-595): the fetcher names the epoch of its
     * last fetched batch; when this log has no such epoch, or that epoch ends here before the fetch
     * offset, the answer is that epoch's end here, and the fetcher truncates to it without asking
     * OffsetsForLeaderEpoch. Null when the logs agree or the fetcher named no epoch.
     */
    private LeaderEpochCache.EpochEnd divergingEpoch(Target t) {
        int lastFetchedEpoch = t.request().lastFetchedEpoch();
        if (lastFetchedEpoch < 0) {
            return null;
        }
        LeaderEpochCache.EpochEnd end = services.replicas().endOffsetFor(t.partition(), lastFetchedEpoch);
        if (end.epoch() == LeaderEpochCache.UNDEFINED_EPOCH) {
            return null; // this log knows no epochs: nothing to compare with
        }
        return end.epoch() < lastFetchedEpoch || end.endOffset() < t.request().fetchOffset() ? end : null;
    }

    private static List<FetchResponseData.AbortedTransaction> abortedTransactions(Partition partition, long from, long to) {
        List<FetchResponseData.AbortedTransaction> out = new ArrayList<>();
        for (AbortedTxn t : partition.log().collectAbortedTransactions(from, to)) {
            out.add(new FetchResponseData.AbortedTransaction().setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
        }
        return out;
    }

    private static int bytesIn(List<PartitionData> read) {
        int total = 0;
        for (PartitionData p : read) {
            total += p.records() == null ? 0 : p.records().sizeInBytes();
        }
        return total;
    }

    /**
     * Leader throttling applies to a follower's fetch of a throttled partition (topic setting
     * leader.replication.throttled.replicas naming this broker) when that follower is outside the ISR.
     */
    private boolean throttled(Target t) {
        return t.replica() && services.replicas().leaderQuota().isThrottled(t.tp()) && !t.partition().isr().contains(t.replicaId());
    }

    /** A throttled partition while leader.replication.throttled.rate is used up: nothing is sent for it now. */
    private boolean heldBack(Target t) {
        return throttled(t) && services.replicas().leaderQuota().isQuotaExceeded();
    }

    /** Bytes readable now across the targets, stopping once {@code enough} is reached. */
    private int available(List<Target> targets, int enough) {
        int total = 0;
        for (Target t : targets) {
            if (t.partition() == null || t.error() != Errors.NONE) {
                continue;
            }
            if (heldBack(t)) {
                continue; // its data must not end the wait
            }
            long offset = t.request().fetchOffset();
            try {
                LogOffsetMetadata hw = t.bound();
                if (hw.offset() <= offset) {
                    continue;
                }
                total += t.partition().log().read(offset, enough - total, hw, false).records().size();
            } catch (RuntimeException e) {
                return Integer.MAX_VALUE; // an error is worth answering at once
            }
            if (total >= enough) {
                break;
            }
        }
        return total;
    }
}
