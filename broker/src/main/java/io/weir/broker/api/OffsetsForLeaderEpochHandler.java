package io.weir.broker.api;

import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetsForLeaderEpoch: for each partition, the largest leader epoch this leader knows that is not
 * above the one asked, and the offset where that epoch ended (the start of the next one, or the log
 * end). Followers use it to find where their log diverges from the leader's; consumers to detect
 * truncation. Only the leader answers ({@code NOT_LEADER_OR_FOLLOWER} elsewhere); a
 * {@code current_leader_epoch} older than the leader's is {@code FENCED_LEADER_EPOCH}, a newer one
 * {@code UNKNOWN_LEADER_EPOCH}.
 */
final class OffsetsForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {
    private final BrokerServices services;

    OffsetsForLeaderEpochHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData data = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic t : request.data().topics()) {
            OffsetForLeaderTopicResult tr = new OffsetForLeaderTopicResult().setTopic(t.topic());
            data.topics().add(tr);
            for (OffsetForLeaderPartition p : t.partitions()) {
                EpochEndOffset out = new EpochEndOffset().setPartition(p.partition())
                        .setLeaderEpoch(LeaderEpochCache.UNDEFINED_EPOCH).setEndOffset(LeaderEpochCache.UNDEFINED_OFFSET);
                tr.partitions().add(out);
                out.setErrorCode(answer(new TopicPartition(t.topic(), p.partition()), p, out).code());
            }
        }
        return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(data));
    }

    private Errors answer(TopicPartition tp, OffsetForLeaderPartition p, EpochEndOffset out) {
        boolean known = services.metadata().topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
        if (!known) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        Optional<Partition> partition = services.replicas().partition(tp);
        if (partition.isEmpty()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        int epoch = partition.get().leaderEpoch();
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < epoch) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (p.currentLeaderEpoch() > epoch) {
            return Errors.UNKNOWN_LEADER_EPOCH;
        }
        if (!partition.get().isLeader()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        LeaderEpochCache.EpochEnd end = services.replicas().endOffsetFor(partition.get(), p.leaderEpoch());
        out.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
        return Errors.NONE;
    }
}
