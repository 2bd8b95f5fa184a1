package io.weir.broker.api;

import io.weir.broker.group.GroupSettings;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.ReplicationQuota;
import io.weir.broker.zk.ZkStore;
import io.weir.broker.log.LogConfig;
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
 * IncrementalAlterConfigs. Topics: SET and DELETE of the topic settings Weir knows (the replication
 * throttles' replica lists among them), validated as at creation and written to ZooKeeper
 * conditionally; every broker applies them. Brokers (one by id, or all with an empty name): the
 * replication throttle rates are dynamic, kept in ZooKeeper under {@code /config/brokers} as in Kafka
 * and applied by the brokers concerned at once; every other broker setting is static, so setting it
 * is refused naming the file to edit, and deleting it (nothing to delete) succeeds. This is what
 * {@code kafka-reassign-partitions --throttle} and {@code --verify} do.
 */
final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {
    /** The broker settings that can change at run time. */
    private static final Set<String> DYNAMIC_BROKER = Set.of(ReplicationQuota.LEADER_RATE, ReplicationQuota.FOLLOWER_RATE);

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
                    alterBroker(resource, request.data().validateOnly());
                } else if (type == ConfigResource.Type.GROUP) {
                    alterGroup(resource, request.data().validateOnly());
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

    private static final String CLEANUP_POLICY = "cleanup.policy";

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
                    if (c.value() == null) {
                        throw new InvalidConfigurationException("Topic config " + c.name() + " has no value");
                    }
                    next.put(c.name(), c.value());
                } else if ((op == AlterConfigOp.OpType.APPEND || op == AlterConfigOp.OpType.SUBTRACT)
                        && c.name().equals(CLEANUP_POLICY) && c.value() != null) {
                    next.put(c.name(), alterList(next.getOrDefault(c.name(), LogConfig.POLICY_DELETE), c.value(),
                            op == AlterConfigOp.OpType.APPEND));
                } else {
                    throw new InvalidConfigurationException("Config " + c.name() + ": " + (op == null ? "unknown operation "
                            + c.configOperation() : op) + " applies to list-type configs, and of the topic configs Weir knows only "
                            + "cleanup.policy is one");
                }
            }
            return next;
        }, ApiConfigs::validateTopicConfigs, validateOnly);
    }

    /** {@code current} with the comma-separated {@code items} appended (absent ones only) or removed. */
    private static String alterList(String current, String items, boolean append) {
        java.util.LinkedHashSet<String> values = new java.util.LinkedHashSet<>();
        for (String v : current.split(",")) {
            if (!v.isBlank()) {
                values.add(v.trim());
            }
        }
        for (String v : items.split(",")) {
            if (!v.isBlank()) {
                if (append) {
                    values.add(v.trim());
                } else {
                    values.remove(v.trim());
                }
            }
        }
        if (values.isEmpty()) {
            throw new InvalidConfigurationException(CLEANUP_POLICY + " cannot be empty");
        }
        return String.join(",", values);
    }

    private void alterBroker(AlterConfigsResource resource, boolean validateOnly) {
        String name = resource.resourceName();
        if (!name.isEmpty() && !name.equals(String.valueOf(services.brokerId()))) {
            throw new InvalidRequestException("This is broker " + services.brokerId() + ", not broker '" + name + "'");
        }
        for (AlterableConfig c : resource.configs()) {
            if (c.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                continue;
            }
            if (c.configOperation() != AlterConfigOp.OpType.SET.id() || !DYNAMIC_BROKER.contains(c.name())) {
                throw new InvalidConfigurationException("Weir can change only " + DYNAMIC_BROKER + " at run time: set " + c.name()
                        + " in the broker's properties file and restart it");
            }
            try {
                if (c.value() == null || Long.parseLong(c.value().trim()) <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException(c.name() + "=" + c.value() + ": expected a positive number of bytes per second");
            }
        }
        String entity = name.isEmpty() ? ZkStore.DEFAULT_BROKER_ENTITY : name;
        services.topics().alterDynamicBrokerConfig(entity, current -> {
            Map<String, String> next = new HashMap<>(current);
            for (AlterableConfig c : resource.configs()) {
                if (c.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                    next.remove(c.name());
                } else {
                    next.put(c.name(), c.value().trim());
                }
            }
            return next;
        }, validateOnly);
    }

    /** Group configs Weir uses: those of share groups, and the initial rebalance delay of a classic group. */
    private static final Set<String> GROUP_CONFIGS = Set.of("share.auto.offset.reset", "share.record.lock.duration.ms",
            "share.isolation.level", "weir.share.single.batch", "weir.share.assignment", GroupSettings.INITIAL_REBALANCE_DELAY_MS);
    /** A Weir extension: the record filter of one share consumer (by client id), see broker/SHARE-GROUPS.md. */
    private static final String FILTER_PREFIX = "weir.share.filter.";

    private void alterGroup(AlterConfigsResource resource, boolean validateOnly) {
        String group = resource.resourceName();
        if (group == null || group.isEmpty()) {
            throw new InvalidRequestException("A group config needs a group id");
        }
        for (AlterableConfig c : resource.configs()) {
            boolean filter = c.name().startsWith(FILTER_PREFIX) && c.name().length() > FILTER_PREFIX.length();
            if (!GROUP_CONFIGS.contains(c.name()) && !filter) {
                throw new InvalidConfigurationException("Unknown group config " + c.name() + "; Weir knows " + GROUP_CONFIGS
                        + " and " + FILTER_PREFIX + "<client.id>");
            }
            if (c.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                continue;
            }
            if (c.configOperation() != AlterConfigOp.OpType.SET.id() || c.value() == null) {
                throw new InvalidConfigurationException("Group config " + c.name() + " can only be set or deleted");
            }
            String v = c.value().trim();
            if (filter) {
                try {
                    io.weir.broker.share.RecordFilter.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigurationException(c.name() + ": " + e.getMessage());
                }
            }
            if (c.name().equals("weir.share.single.batch") && !v.equals("true") && !v.equals("false")) {
                throw new InvalidConfigurationException("weir.share.single.batch=" + v + ": expected true or false");
            }
            if (c.name().equals("weir.share.assignment") && !v.equals("all") && !v.equals("spread")) {
                throw new InvalidConfigurationException("weir.share.assignment=" + v + ": expected all or spread");
            }
            if (c.name().equals("share.auto.offset.reset") && !v.equals("earliest") && !v.equals("latest")) {
                throw new InvalidConfigurationException("share.auto.offset.reset=" + v + ": expected earliest or latest");
            }
            if (c.name().equals("share.isolation.level") && !v.equals("read_committed") && !v.equals("read_uncommitted")) {
                throw new InvalidConfigurationException("share.isolation.level=" + v + ": expected read_committed or read_uncommitted");
            }
            if (c.name().equals(GroupSettings.INITIAL_REBALANCE_DELAY_MS)) {
                try {
                    GroupSettings.parseInitialRebalanceDelayMs(v);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigurationException(e.getMessage());
                }
            }
            if (c.name().equals("share.record.lock.duration.ms")) {
                try {
                    int ms = Integer.parseInt(v);
                    if (ms < 100 || ms > 3_600_000) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidConfigurationException("share.record.lock.duration.ms=" + v + ": expected 100..3600000");
                }
            }
        }
        services.topics().alterGroupConfig(group, current -> {
            Map<String, String> next = new HashMap<>(current);
            for (AlterableConfig c : resource.configs()) {
                if (c.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                    next.remove(c.name());
                } else {
                    next.put(c.name(), c.value().trim());
                }
            }
            return next;
        }, validateOnly);
    }
}
