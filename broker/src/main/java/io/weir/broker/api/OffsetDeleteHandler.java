package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;

/** OffsetDelete: removes committed offsets of topics the group's members do not subscribe to. */
final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {
    private final GroupSupport groups;

    OffsetDeleteHandler(GroupSupport groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetDeleteRequest request) {
        String groupId = request.data().groupId();
        Errors error = groups.checkCoordinator(groupId);
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponse(new OffsetDeleteResponseData().setErrorCode(error.code())));
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : request.data().topics()) {
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                partitions.add(new TopicPartition(t.name(), p.partitionIndex()));
            }
        }
        return groups.coordinator().deleteOffsets(groupId, partitions, OffsetDeleteHandler::subscribedTopics)
                .handle((results, failure) -> {
                    OffsetDeleteResponseData data = new OffsetDeleteResponseData();
                    if (failure != null) {
                        return new OffsetDeleteResponse(data.setErrorCode(ApiErrors.errorFor(failure, groupId).code()));
                    }
                    OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection topics = data.topics();
                    results.forEach((tp, e) -> {
                        OffsetDeleteResponseTopic t = topics.find(tp.topic());
                        if (t == null) {
                            t = new OffsetDeleteResponseTopic().setName(tp.topic());
                            topics.add(t);
                        }
                        t.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(tp.partition()).setErrorCode(e.code()));
                    });
                    return new OffsetDeleteResponse(data);
                });
    }

    private static Collection<String> subscribedTopics(byte[] metadata) {
        try {
            return ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
