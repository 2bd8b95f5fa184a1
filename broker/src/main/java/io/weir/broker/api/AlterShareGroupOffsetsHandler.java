package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsResponse;

/**
 * AlterShareGroupOffsets, on the group's coordinator: sets the start offset of share-partitions of
 * a share group with no members (NON_EMPTY_GROUP otherwise); everything in flight is forgotten.
 */
final class AlterShareGroupOffsetsHandler implements ApiHandler<AlterShareGroupOffsetsRequest> {
    private final ShareSupport share;

    AlterShareGroupOffsetsHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AlterShareGroupOffsetsRequest request) {
        AlterShareGroupOffsetsRequestData d = request.data();
        AlterShareGroupOffsetsResponseData out = new AlterShareGroupOffsetsResponseData();
        Errors error = share.groups().checkCoordinator(d.groupId());
        if (error == Errors.NONE && share.groups().coordinator().describe(d.groupId()) != null) {
            return done(out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + d.groupId() + " is not a share group."));
        }
        if (error == Errors.NONE && share.share().coordinator().describe(d.groupId()).map(g -> !g.members().isEmpty()).orElse(false)) {
            error = Errors.NON_EMPTY_GROUP;
        }
        if (error != Errors.NONE) {
            return done(out.setErrorCode(error.code()).setErrorMessage(error.message()));
        }
        try {
            share.stateTopic();
        } catch (RuntimeException e) {
            Errors err = ApiErrors.errorFor(e, "AlterShareGroupOffsets " + d.groupId());
            return done(out.setErrorCode(err.code()).setErrorMessage(e.getMessage()));
        }
        share.share().coordinator().ensureGroup(d.groupId());
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic rt : d.topics()) {
            Optional<TopicMetadata> t = share.services().metadata().topic(rt.topicName());
            AlterShareGroupOffsetsResponseTopic topic = new AlterShareGroupOffsetsResponseTopic().setTopicName(rt.topicName())
                    .setTopicId(t.map(TopicMetadata::topicId).orElse(org.apache.kafka.common.Uuid.ZERO_UUID));
            out.responses().add(topic);
            for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition rp : rt.partitions()) {
                AlterShareGroupOffsetsResponsePartition pr = new AlterShareGroupOffsetsResponsePartition().setPartitionIndex(rp.partitionIndex());
                topic.partitions().add(pr);
                if (t.isEmpty() || !t.get().partitions().containsKey(rp.partitionIndex())) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown partition " + rt.topicName() + "-"
                            + rp.partitionIndex());
                    continue;
                }
                if (rp.startOffset() < 0) {
                    pr.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Start offset " + rp.startOffset() + " is negative");
                    continue;
                }
                ShareKey key = new ShareKey(d.groupId(), t.get().topicId(), rp.partitionIndex());
                try {
                    pending.add(ShareOffsetsReset.reset(share, key, false, epoch -> ShareOffsetsReset.startingAt(epoch, rp.startOffset()))
                            .handle((v, e) -> {
                                if (e != null) {
                                    pr.setErrorCode(ApiErrors.errorFor(e, key).code()).setErrorMessage(e.getMessage());
                                }
                                return null;
                            }));
                } catch (RuntimeException e) {
                    pr.setErrorCode(ApiErrors.errorFor(e, key).code()).setErrorMessage(e.getMessage());
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> new AlterShareGroupOffsetsResponse(out));
    }

    private static CompletableFuture<AbstractResponse> done(AlterShareGroupOffsetsResponseData data) {
        return CompletableFuture.completedFuture(new AlterShareGroupOffsetsResponse(data));
    }
}
