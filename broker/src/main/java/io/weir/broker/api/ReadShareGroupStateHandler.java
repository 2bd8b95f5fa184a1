package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareGroups;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareStateMessages;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;

/**
 * ReadShareGroupState (inter-broker, KIP-932): a share-partition leader reads the state of a
 * share-partition from its share coordinator, the leader of the key's {@code __share_group_state}
 * partition. A start offset of -1 means there is no state yet.
 */
final class ReadShareGroupStateHandler implements ApiHandler<ReadShareGroupStateRequest> {
    private final ShareSupport share;

    ReadShareGroupStateHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.READ_SHARE_GROUP_STATE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ReadShareGroupStateRequest request) {
        ReadShareGroupStateResponseData out = new ReadShareGroupStateResponseData();
        for (ReadShareGroupStateRequestData.ReadStateData t : request.data().topics()) {
            ReadShareGroupStateResponseData.ReadStateResult result = new ReadShareGroupStateResponseData.ReadStateResult()
                    .setTopicId(t.topicId());
            out.results().add(result);
            for (ReadShareGroupStateRequestData.PartitionData p : t.partitions()) {
                ShareKey key = new ShareKey(request.data().groupId(), t.topicId(), p.partition());
                Errors error = checkCoordinator(share, key);
                if (error != Errors.NONE) {
                    result.partitions().add(ReadShareGroupStateResponse.toErrorResponsePartitionResult(p.partition(), error,
                            "This broker is not the share coordinator of " + key));
                    continue;
                }
                result.partitions().add(ShareStateMessages.toRead(p.partition(), share.share().store().read(key)));
            }
        }
        return CompletableFuture.completedFuture(new ReadShareGroupStateResponse(out));
    }

    /** NONE when this broker leads the key's state partition. */
    static Errors checkCoordinator(ShareSupport share, ShareKey key) {
        TopicPartition tp = new TopicPartition(ShareGroups.STATE_TOPIC, share.share().store().partitionFor(key));
        return share.services().replicas().partition(tp).map(p -> p.isLeader() ? Errors.NONE : Errors.NOT_COORDINATOR)
                .orElse(Errors.NOT_COORDINATOR);
    }
}
