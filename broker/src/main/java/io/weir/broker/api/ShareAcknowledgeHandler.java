package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareSessions;
import io.weir.broker.share.TxnAck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;

/**
 * ShareAcknowledge (KIP-932): acknowledgements without a fetch, in an open share session (epoch -1
 * also closes it, releasing what the member still holds). Answered once the new state is durable. With Weir's
 * tagged field {@link TxnAck#TAG} the ACCEPTs belong to a Kafka transaction and take effect with its commit (see
 * {@link ShareAcks#applyInTransaction}); a malformed tag fails the request with INVALID_REQUEST.
 */
final class ShareAcknowledgeHandler implements ApiHandler<ShareAcknowledgeRequest> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShareAcknowledgeHandler.class);
    private final ShareSupport share;

    ShareAcknowledgeHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ShareAcknowledgeRequest request) {
        ShareAcknowledgeRequestData d = request.data();
        int lockMs = d.groupId() == null ? 0 : share.share().partitions().settings().recordLockDurationMs(d.groupId());
        if (d.groupId() == null || d.groupId().isEmpty() || d.memberId() == null || d.memberId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, lockMs);
        }
        int epoch = d.shareSessionEpoch();
        if (log.isTraceEnabled()) {
            log.trace("Share group {} member {}: acknowledge, session epoch {}", d.groupId(), d.memberId(), epoch);
        }
        if (epoch == 0) {
            return error(Errors.INVALID_SHARE_SESSION_EPOCH, lockMs); // a session cannot be opened by ShareAcknowledge
        }
        TxnAck txn;
        try {
            txn = transaction(d);
        } catch (IllegalArgumentException e) {
            log.info("Share group {} member {} from {}: malformed transactional acknowledgement tag {}: {}", d.groupId(), d.memberId(),
                    context.clientAddress(), TxnAck.TAG, e.getMessage());
            return error(Errors.INVALID_REQUEST, lockMs);
        }
        ShareSessions.Use use = share.share().sessions().use(new ShareSessions.Id(d.groupId(), d.memberId()), epoch,
                context.connectionId(), List.of(), List.of());
        if (use.error() != Errors.NONE) {
            return error(use.error(), lockMs);
        }
        Map<TopicIdPartition, PartitionData> out = new LinkedHashMap<>();
        List<Integer> otherLeaders = new ArrayList<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : d.topics()) {
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                TopicIdPartition tip = new TopicIdPartition(t.topicId(), p.partitionIndex(), "");
                ShareSupport.Target target = share.resolve(t.topicId(), p.partitionIndex());
                PartitionData pd = new PartitionData().setPartitionIndex(p.partitionIndex());
                pd.currentLeader().setLeaderId(target.leaderId()).setLeaderEpoch(target.leaderEpoch());
                if (target.error() == Errors.NOT_LEADER_OR_FOLLOWER && target.leaderId() >= 0) {
                    otherLeaders.add(target.leaderId());
                }
                out.put(tip, pd);
                List<ShareAcks.Batch> batches = p.acknowledgementBatches().stream()
                        .map(b -> new ShareAcks.Batch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes())).toList();
                CompletableFuture<Errors> applied = txn == null ? ShareAcks.apply(share, target, d.groupId(), d.memberId(), batches)
                        : ShareAcks.applyInTransaction(share, target, d.groupId(), d.memberId(), batches, txn);
                pending.add(applied.thenAccept(err -> pd.setErrorCode(err.code())));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> {
            if (epoch == -1) {
                List<ShareKey> keys = use.closedPartitions().stream().map(p -> new ShareKey(d.groupId(), p.topicId(), p.partition()))
                        .toList();
                share.share().partitions().releaseMember(d.groupId(), d.memberId(), keys, true);
            }
            return ShareAcknowledgeResponse.of(Errors.NONE, 0, new LinkedHashMap<>(out), share.endpoints(otherLeaders, context.listenerName()), lockMs);
        });
    }

    /** The transaction of Weir's tag {@link TxnAck#TAG}, or null when the request has none. */
    static TxnAck transaction(ShareAcknowledgeRequestData d) {
        for (RawTaggedField f : d.unknownTaggedFields()) {
            if (f.tag() == TxnAck.TAG) {
                return TxnAck.decode(f.data());
            }
        }
        return null;
    }

    private static CompletableFuture<AbstractResponse> error(Errors error, int lockMs) {
        return CompletableFuture.completedFuture(ShareAcknowledgeResponse.of(error, 0, new LinkedHashMap<>(), List.of(), lockMs));
    }
}
