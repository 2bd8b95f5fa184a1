package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/** CreatePartitions: grows a topic (never shrinks it); the new local partitions are open before success. */
final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {
    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    CreatePartitionsHandler(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, CreatePartitionsRequest request) {
        CreatePartitionsResponseData data = new CreatePartitionsResponseData();
        for (CreatePartitionsTopic t : request.data().topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
            data.results().add(result);
            try {
                if (t.assignments() != null && !t.assignments().isEmpty()) {
                    throw new InvalidReplicaAssignmentException("Manual replica assignment is not supported yet for topic '"
                            + t.name() + "'.");
                }
                TopicMetadata updated = services.topics().createPartitions(t.name(), t.count(), request.data().validateOnly());
                if (!request.data().validateOnly()) {
                    lifecycle.awaitApplied(updated);
                }
            } catch (RuntimeException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(new CreatePartitionsResponse(data));
    }
}
