package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/** DeleteTopics by name or (v6) id: the znodes go, then the local logs. Internal topics are refused. */
final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {
    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    DeleteTopicsHandler(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteTopicsRequest request) {
        List<DeleteTopicState> targets = new ArrayList<>(request.data().topics());
        for (String name : request.data().topicNames()) {
            targets.add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
        }
        DeleteTopicsResponseData data = new DeleteTopicsResponseData();
        for (DeleteTopicState target : targets) {
            DeletableTopicResult result = new DeletableTopicResult().setName(target.name()).setTopicId(target.topicId());
            data.responses().add(result);
            Optional<TopicMetadata> topic = target.name() != null
                    ? services.metadata().topic(target.name()) : services.metadata().topicById(target.topicId());
            if (topic.isEmpty()) {
                result.setErrorCode((target.name() != null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.UNKNOWN_TOPIC_ID).code());
                continue;
            }
            result.setName(topic.get().name()).setTopicId(topic.get().topicId());
            if (TopicLifecycle.INTERNAL.contains(topic.get().name())) {
                result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code())
                        .setErrorMessage("Internal topic " + topic.get().name() + " cannot be deleted");
                continue;
            }
            try {
                lifecycle.delete(topic.get());
            } catch (RuntimeException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(new DeleteTopicsResponse(data));
    }
}
