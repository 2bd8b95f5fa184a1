package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.TopicRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics: each topic is validated (name, partition count, replication factor, configuration),
 * written to ZooKeeper and its local partitions opened before success is answered.
 * {@code validateOnly} runs the checks and writes nothing. Manual replica assignments are refused.
 */
final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CreateTopicsHandler.class);

    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    CreateTopicsHandler(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsResponseData data = new CreateTopicsResponseData();
        Set<String> seen = new HashSet<>();
        for (CreatableTopic t : request.data().topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(t.name());
            data.topics().add(result);
            if (!seen.add(t.name())) {
                setError(result, new InvalidRequestException("Topic '" + t.name() + "' appears twice in the request."));
                continue;
            }
            try {
                if (!t.assignments().isEmpty()) {
                    throw new InvalidRequestException("Manual replica assignment is not supported yet; give numPartitions "
                            + "and replicationFactor for topic '" + t.name() + "'.");
                }
                Map<String, String> configs = new HashMap<>();
                for (CreatableTopicConfig c : t.configs()) {
                    configs.put(c.name(), c.value());
                }
                ApiConfigs.validateTopicConfigs(configs);
                int partitions = t.numPartitions() == -1 ? services.defaultPartitions() : t.numPartitions();
                short rf = t.replicationFactor() == -1 ? services.defaultReplicationFactor() : t.replicationFactor();
                if (services.metadata().topic(t.name()).isPresent()) {
                    throw new org.apache.kafka.common.errors.TopicExistsException("Topic '" + t.name() + "' already exists.");
                }
                TopicRecord planned = services.topics().plan(t.name(), partitions, rf, configs);
                if (!request.data().validateOnly()) {
                    TopicMetadata created = lifecycle.create(planned);
                    result.setTopicId(created.topicId());
                }
                result.setNumPartitions(partitions).setReplicationFactor(rf);
            } catch (RuntimeException e) {
                setError(result, e);
                // an existing topic is the normal answer to "create if absent" clients (the JMS provider): not a warning
                if (Errors.forException(e) == Errors.TOPIC_ALREADY_EXISTS) {
                    LOG.debug("CreateTopics of existing topic '{}' from client '{}' at {}", t.name(),
                            context.header().clientId(), context.clientAddress());
                } else {
                    LOG.warn("CreateTopics of '{}' from client '{}' at {} refused with {}: {}", t.name(),
                            context.header().clientId(), context.clientAddress(), Errors.forException(e), e.getMessage());
                }
            }
        }
        return CompletableFuture.completedFuture(new CreateTopicsResponse(data));
    }

    private static void setError(CreatableTopicResult result, Throwable e) {
        Errors error = Errors.forException(e);
        result.setErrorCode(error.code()).setErrorMessage(e.getMessage()).setNumPartitions(-1).setReplicationFactor((short) -1);
    }
}
