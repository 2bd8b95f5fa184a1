package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.AbortedTxn;
import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.LogOffsetMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
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
 * available. Records are sent from the segment files with zero copy. Fetch sessions are not used:
 * every response says session 0, so clients send full requests.
 */
final class FetchHandler implements ApiHandler<FetchRequest> {
    private static final short TOPIC_ID_VERSION = 13;

    private final BrokerServices services;

    FetchHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /** One requested partition, resolved. */
    private record Target(FetchTopic topic, FetchPartition request, TopicPartition tp, Partition partition, Errors error,
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
        int replicaId = request.replicaId();
        boolean readCommitted = request.isolationLevel() == IsolationLevel.READ_COMMITTED && replicaId < 0;
        List<Target> targets = resolve(request, version, replicaId, readCommitted);
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
        FetchResponseData first = read(targets, maxBytes, version);
        // an unknown partition or a failed read (an offset out of range) is answered at once, as in Kafka
        boolean hasError = first.responses().stream().flatMap(t -> t.partitions().stream())
                .anyMatch(p -> p.errorCode() != Errors.NONE.code());
        if (bytesIn(first) >= minBytes || maxWaitMs <= 0 || hasError || targets.isEmpty()) {
            return CompletableFuture.completedFuture(new FetchResponses(first));
        }
        List<TopicPartition> watched = targets.stream().map(Target::tp).toList();
        return services.replicas().fetchPurgatory()
                .await(watched, () -> available(targets, minBytes) >= minBytes, maxWaitMs)
                .thenApply(v -> new FetchResponses(read(targets, maxBytes, version)));
    }

    private List<Target> resolve(FetchRequest request, short version, int replicaId, boolean readCommitted) {
        List<Target> targets = new ArrayList<>();
        for (FetchTopic ft : request.data().topics()) {
            Optional<TopicMetadata> topic = version >= TOPIC_ID_VERSION
                    ? services.metadata().topicById(ft.topicId()) : services.metadata().topic(ft.topic());
            for (FetchPartition fp : ft.partitions()) {
                String name = topic.map(TopicMetadata::name).orElse(ft.topic());
                TopicPartition tp = new TopicPartition(name == null ? "" : name, fp.partition());
                if (topic.isEmpty()) {
                    targets.add(new Target(ft, fp, tp, null,
                            version >= TOPIC_ID_VERSION ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, -1,
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
                targets.add(new Target(ft, fp, tp, partition.orElse(null), error, replicaId, readCommitted));
            }
        }
        return targets;
    }

    private FetchResponseData read(List<Target> targets, int maxBytes, short version) {
        FetchResponseData data = new FetchResponseData().setSessionId(0);
        FetchableTopicResponse current = null;
        FetchTopic currentTopic = null;
        int bytes = 0;
        for (Target t : targets) {
            if (t.topic() != currentTopic) {
                currentTopic = t.topic();
                current = new FetchableTopicResponse().setTopic(version >= TOPIC_ID_VERSION ? "" : t.topic().topic())
                        .setTopicId(version >= TOPIC_ID_VERSION ? t.topic().topicId() : Uuid.ZERO_UUID);
                data.responses().add(current);
            }
            PartitionData pd = new PartitionData().setPartitionIndex(t.request().partition()).setRecords(MemoryRecords.EMPTY)
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
            current.partitions().add(pd);
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
        return data;
    }

    private static List<FetchResponseData.AbortedTransaction> abortedTransactions(Partition partition, long from, long to) {
        List<FetchResponseData.AbortedTransaction> out = new ArrayList<>();
        for (AbortedTxn t : partition.log().collectAbortedTransactions(from, to)) {
            out.add(new FetchResponseData.AbortedTransaction().setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
        }
        return out;
    }

    private static int bytesIn(FetchResponseData data) {
        int total = 0;
        for (FetchableTopicResponse t : data.responses()) {
            for (PartitionData p : t.partitions()) {
                total += p.records() == null ? 0 : p.records().sizeInBytes();
            }
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
            LogOffsetMetadata hw = t.bound();
            long offset = t.request().fetchOffset();
            if (hw.offset() <= offset) {
                continue;
            }
            try {
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
