package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareStateMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;

/**
 * WriteShareGroupState (inter-broker, KIP-932): a share-partition leader writes the state of a
 * share-partition to its share coordinator, which appends it to {@code __share_group_state} and
 * answers once the in-sync replicas have it. A write from an older leader epoch is fenced.
 */
final class WriteShareGroupStateHandler implements ApiHandler<WriteShareGroupStateRequest> {
    private final ShareSupport share;

    WriteShareGroupStateHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_SHARE_GROUP_STATE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, WriteShareGroupStateRequest request) {
        WriteShareGroupStateResponseData out = new WriteShareGroupStateResponseData();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (WriteShareGroupStateRequestData.WriteStateData t : request.data().topics()) {
            WriteShareGroupStateResponseData.WriteStateResult result = new WriteShareGroupStateResponseData.WriteStateResult()
                    .setTopicId(t.topicId());
            out.results().add(result);
            for (WriteShareGroupStateRequestData.PartitionData p : t.partitions()) {
                ShareKey key = new ShareKey(request.data().groupId(), t.topicId(), p.partition());
                WriteShareGroupStateResponseData.PartitionResult pr = WriteShareGroupStateResponse.toResponsePartitionResult(p.partition());
                result.partitions().add(pr);
                Errors error = ReadShareGroupStateHandler.checkCoordinator(share, key);
                if (error != Errors.NONE) {
                    pr.setErrorCode(error.code()).setErrorMessage("This broker is not the share coordinator of " + key);
                    continue;
                }
                try {
                    pending.add(share.share().store().write(key, p.leaderEpoch(), ShareStateMessages.fromWrite(p)).handle((v, e) -> {
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
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> new WriteShareGroupStateResponse(out));
    }
}
