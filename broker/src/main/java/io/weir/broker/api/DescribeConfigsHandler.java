package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.GroupSettings;
import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.ZkStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * DescribeConfigs for topics (every topic-level setting, marked as a topic override or a default)
 * and for this broker (its configuration as given, plus the effective log defaults).
 */
final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {
    private static final byte TOPIC_CONFIG = DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id();
    private static final byte STATIC_BROKER_CONFIG = DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG.id();
    private static final byte DYNAMIC_BROKER_CONFIG = DescribeConfigsResponse.ConfigSource.DYNAMIC_BROKER_CONFIG.id();
    private static final byte DYNAMIC_DEFAULT_BROKER_CONFIG =
            DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id();
    private static final byte DEFAULT_CONFIG = DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id();
    private static final byte GROUP_CONFIG = DescribeConfigsResponse.ConfigSource.GROUP_CONFIG.id();

    private final BrokerServices services;

    DescribeConfigsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsResponseData data = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            data.results().add(result);
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                describeTopic(resource, result);
            } else if (type == ConfigResource.Type.BROKER) {
                describeBroker(resource, result);
            } else if (type == ConfigResource.Type.GROUP) {
                describeGroup(resource, result);
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Describing configs of resource type " + type + " is not supported");
            }
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(data));
    }

    private void describeTopic(DescribeConfigsResource resource, DescribeConfigsResult result) {
        Optional<TopicMetadata> topic = services.metadata().topic(resource.resourceName());
        if (topic.isEmpty()) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("Topic '" + resource.resourceName() + "' does not exist.");
            return;
        }
        Map<String, String> overrides = topic.get().configs();
        Map<String, String> effective = ApiConfigs.effectiveTopicConfigs(services.topics().logConfig(topic.get()), overrides,
                services.minInsyncReplicas());
        effective.forEach((name, value) -> add(result, resource.configurationKeys(), name, value,
                overrides.containsKey(name) ? TOPIC_CONFIG : DEFAULT_CONFIG));
    }

    private void describeBroker(DescribeConfigsResource resource, DescribeConfigsResult result) {
        String name = resource.resourceName();
        if (!name.isEmpty() && !name.equals(String.valueOf(services.brokerId()))) {
            result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("This is broker " + services.brokerId() + "; ask broker " + name + " for its configs");
            return;
        }
        Map<String, String> values = new TreeMap<>();
        services.topics().brokerLogDefaults().toBrokerProperties().forEach((k, v) -> values.put(k, String.valueOf(v)));
        values.putAll(services.brokerProperties());
        Map<String, Byte> sources = new java.util.HashMap<>();
        values.keySet().forEach(k -> sources.put(k, services.brokerProperties().containsKey(k) ? STATIC_BROKER_CONFIG
                : DEFAULT_CONFIG));
        try {
            // the dynamic settings (replication throttle rates): cluster-wide defaults, then this broker's own
            services.topics().dynamicBrokerConfig(ZkStore.DEFAULT_BROKER_ENTITY).forEach((k, v) -> {
                values.put(k, v);
                sources.put(k, DYNAMIC_DEFAULT_BROKER_CONFIG);
            });
            if (!name.isEmpty()) {
                services.topics().dynamicBrokerConfig(name).forEach((k, v) -> {
                    values.put(k, v);
                    sources.put(k, DYNAMIC_BROKER_CONFIG);
                });
            }
        } catch (RuntimeException e) {
            result.setErrorCode(Errors.forException(e).code()).setErrorMessage("Cannot read the dynamic configuration: " + e);
            return;
        }
        values.forEach((k, v) -> add(result, resource.configurationKeys(), k, v, sources.get(k)));
    }

    /** A group's settings (share groups', the initial rebalance delay of a classic group): its overrides, else the broker's values. */
    private void describeGroup(DescribeConfigsResource resource, DescribeConfigsResult result) {
        Map<String, String> overrides;
        try {
            overrides = services.topics().groupConfigCurrent(resource.resourceName());
        } catch (RuntimeException e) {
            result.setErrorCode(Errors.forException(e).code()).setErrorMessage("Cannot read the group configuration: " + e);
            return;
        }
        Map<String, String> values = new TreeMap<>();
        // a JMS queue's group (jms-queue.*) starts at the log start and reads committed records by default (ShareGroupSettings)
        boolean queue = io.weir.broker.share.ShareGroupSettings.isQueueGroup(resource.resourceName());
        values.put("share.auto.offset.reset", queue ? "earliest" : "latest");
        values.put("share.isolation.level", queue ? "read_committed" : "read_uncommitted");
        values.put("share.record.lock.duration.ms", String.valueOf(services.share().config().recordLockDurationMs()));
        values.put(GroupSettings.INITIAL_REBALANCE_DELAY_MS, String.valueOf(services.groups().config().initialRebalanceDelayMs()));
        values.putAll(overrides);
        values.forEach((k, v) -> add(result, resource.configurationKeys(), k, v, overrides.containsKey(k) ? GROUP_CONFIG : DEFAULT_CONFIG));
    }

    private static void add(DescribeConfigsResult result, List<String> wanted, String name, String value, byte source) {
        if (wanted != null && !wanted.isEmpty() && !wanted.contains(name)) {
            return;
        }
        boolean sensitive = name.contains("password") || name.contains("secret");
        result.configs().add(new DescribeConfigsResourceResult().setName(name).setValue(sensitive ? null : value)
                .setConfigSource(source).setIsSensitive(sensitive)
                .setReadOnly(source != TOPIC_CONFIG && source != DYNAMIC_BROKER_CONFIG && source != DYNAMIC_DEFAULT_BROKER_CONFIG
                        && source != GROUP_CONFIG)
                .setConfigType(DescribeConfigsResponse.ConfigType.STRING.id()));
    }
}
