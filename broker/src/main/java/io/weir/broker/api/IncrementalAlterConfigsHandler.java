package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs. Topics: SET and DELETE of the topic settings Weir knows, validated as at
 * creation and written to ZooKeeper conditionally; every broker applies them to its logs. Brokers:
 * Weir has no dynamic broker configuration, so a DELETE (nothing is set dynamically) succeeds and
 * anything else is refused naming the file to edit. Replication throttles are not implemented: setting
 * one is refused, deleting one succeeds (what kafka-reassign-partitions does when it verifies).
 */
final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {
    /** Topic-level throttle settings, which Weir does not implement. */
    private static final Set<String> THROTTLES = Set.of("leader.replication.throttled.replicas",
            "follower.replication.throttled.replicas");

    private final BrokerServices services;

    IncrementalAlterConfigsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        IncrementalAlterConfigsResponseData data = new IncrementalAlterConfigsResponseData();
        for (AlterConfigsResource resource : request.data().resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            data.responses().add(result);
            try {
                checkNoDuplicates(resource);
                ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
                if (type == ConfigResource.Type.TOPIC) {
                    alterTopic(resource, request.data().validateOnly());
                } else if (type == ConfigResource.Type.BROKER) {
                    alterBroker(resource);
                } else {
                    throw new InvalidRequestException("Altering configs of resource type " + type + " is not supported");
                }
            } catch (RuntimeException e) {
                Errors error = Errors.forException(e);
                result.setErrorCode(error.code()).setErrorMessage(error == Errors.UNKNOWN_SERVER_ERROR ? e.toString()
                        : e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(new IncrementalAlterConfigsResponse(data));
    }

    private static void checkNoDuplicates(AlterConfigsResource resource) {
        Set<String> seen = new HashSet<>();
        for (AlterableConfig c : resource.configs()) {
            if (!seen.add(c.name())) {
                throw new InvalidRequestException("Config " + c.name() + " appears more than once for " + resource.resourceName());
            }
        }
    }

    private void alterTopic(AlterConfigsResource resource, boolean validateOnly) {
        services.topics().alterConfigs(resource.resourceName(), current -> {
            Map<String, String> next = new HashMap<>(current);
            for (AlterableConfig c : resource.configs()) {
                AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
                if (op == AlterConfigOp.OpType.DELETE) {
                    next.remove(c.name());
                } else if (op == AlterConfigOp.OpType.SET) {
                    if (THROTTLES.contains(c.name())) {
                        throw new InvalidConfigurationException(c.name() + ": Weir does not throttle replication");
                    }
                    if (c.value() == null) {
                        throw new InvalidConfigurationException("Topic config " + c.name() + " has no value");
                    }
                    next.put(c.name(), c.value());
                } else {
                    throw new InvalidConfigurationException("Config " + c.name() + ": " + (op == null ? "unknown operation "
                            + c.configOperation() : op) + " applies to list-type configs, and no topic config Weir knows "
                            + "is a list it can change");
                }
            }
            return next;
        }, ApiConfigs::validateTopicConfigs, validateOnly);
    }

    private void alterBroker(AlterConfigsResource resource) {
        String name = resource.resourceName();
        if (!name.isEmpty() && !name.equals(String.valueOf(services.brokerId()))) {
            throw new InvalidRequestException("This is broker " + services.brokerId() + ", not broker '" + name + "'");
        }
        for (AlterableConfig c : resource.configs()) {
            if (c.configOperation() != AlterConfigOp.OpType.DELETE.id()) {
                throw new InvalidConfigurationException("Weir has no dynamic broker configuration: set " + c.name()
                        + " in the broker's properties file and restart it");
            }
        }
    }
}
