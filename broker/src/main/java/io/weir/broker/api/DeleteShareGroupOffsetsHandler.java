package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsResponse;

/**
 * DeleteShareGroupOffsets, on the group's coordinator: forgets the share-partition state of whole
 * topics for a share group with no members; the next consumer starts them afresh
 * ({@code share.auto.offset.reset}).
 */
final class DeleteShareGroupOffsetsHandler implements ApiHandler<DeleteShareGroupOffsetsRequest> {
    private final ShareSupport share;

    DeleteShareGroupOffsetsHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteShareGroupOffsetsRequest request) {
        DeleteShareGroupOffsetsRequestData d = request.data();
        DeleteShareGroupOffsetsResponseData out = new DeleteShareGroupOffsetsResponseData();
        Errors error = share.groups().checkCoordinator(d.groupId());
        if (error == Errors.NONE && !share.share().coordinator().exists(d.groupId())) {
            error = Errors.GROUP_ID_NOT_FOUND;
        }
        if (error == Errors.NONE && share.share().coordinator().describe(d.groupId()).map(g -> !g.members().isEmpty()).orElse(false)) {
            error = Errors.NON_EMPTY_GROUP;
        }
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponse(out.setErrorCode(error.code())
                    .setErrorMessage(error.message())));
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic rt : d.topics()) {
            Optional<TopicMetadata> t = share.services().metadata().topic(rt.topicName());
            DeleteShareGroupOffsetsResponseTopic topic = new DeleteShareGroupOffsetsResponseTopic().setTopicName(rt.topicName())
                    .setTopicId(t.map(TopicMetadata::topicId).orElse(org.apache.kafka.common.Uuid.ZERO_UUID));
            out.responses().add(topic);
            if (t.isEmpty()) {
                topic.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown topic " + rt.topicName());
                continue;
            }
            List<CompletableFuture<?>> partitions = new ArrayList<>();
            try {
                for (int p : t.get().partitions().keySet()) {
                    partitions.add(ShareOffsetsReset.reset(share, new ShareKey(d.groupId(), t.get().topicId(), p), true,
                            ShareSnapshot::deleted));
                }
            } catch (RuntimeException e) {
                Errors err = ApiErrors.errorFor(e, rt.topicName());
                topic.setErrorCode(err.code()).setErrorMessage(e.getMessage());
                continue;
            }
            pending.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).handle((v, e) -> {
                if (e != null) {
                    topic.setErrorCode(ApiErrors.errorFor(e, rt.topicName()).code()).setErrorMessage(e.getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> new DeleteShareGroupOffsetsResponse(out));
    }
}
