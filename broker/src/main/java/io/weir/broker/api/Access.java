package io.weir.broker.api;

import io.weir.broker.auth.AclAuthorizer;
import io.weir.broker.network.RequestContext;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Authorization questions about one request's principal and client host, asked by the per-API
 * checks. Thread-safe.
 */
final class Access {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Access.class);
    static final String CLUSTER_NAME = "kafka-cluster"; // the one name of the CLUSTER resource

    private final AclAuthorizer authorizer;
    private final BrokerServices services;

    Access(AclAuthorizer authorizer, BrokerServices services) {
        this.authorizer = authorizer;
        this.services = services;
    }

    AclAuthorizer authorizer() {
        return authorizer;
    }

    boolean enabled() {
        return authorizer.enabled();
    }

    boolean allowed(RequestContext ctx, AclOperation op, ResourceType type, String name) {
        boolean allowed = authorizer.authorize(ctx.principal(), host(ctx), op, type, name);
        if (!allowed && log.isDebugEnabled()) {
            log.debug("Denied {} at {} {} on {} '{}' ({})", ctx.principal(), host(ctx), op, type, name, ctx);
        }
        return allowed;
    }

    boolean topic(RequestContext ctx, AclOperation op, String topic) {
        return allowed(ctx, op, ResourceType.TOPIC, topic);
    }

    boolean group(RequestContext ctx, AclOperation op, String group) {
        return allowed(ctx, op, ResourceType.GROUP, group);
    }

    boolean transactionalId(RequestContext ctx, AclOperation op, String id) {
        return allowed(ctx, op, ResourceType.TRANSACTIONAL_ID, id);
    }

    boolean cluster(RequestContext ctx, AclOperation op) {
        return allowed(ctx, op, ResourceType.CLUSTER, CLUSTER_NAME);
    }

    /** CREATE on the cluster or on the topic, what creating a topic needs. */
    boolean mayCreate(RequestContext ctx, String topic) {
        return cluster(ctx, AclOperation.CREATE) || topic(ctx, AclOperation.CREATE, topic);
    }

    boolean anyOfType(RequestContext ctx, AclOperation op, ResourceType type) {
        return authorizer.authorizeAny(ctx.principal(), host(ctx), op, type);
    }

    boolean topicExists(String name) {
        return services.metadata().topic(name).isPresent();
    }

    /** The name of a topic a request names by id (empty when the id is unknown: the handler answers that). */
    Optional<String> topicName(Uuid id) {
        return services.metadata().topicById(id).map(t -> t.name());
    }

    /** The name to authorize: the one given, else the one the id resolves to (null when neither is known). */
    String topicName(String name, Uuid id) {
        if (name != null && !name.isEmpty()) {
            return name;
        }
        return id == null || Uuid.ZERO_UUID.equals(id) ? null : topicName(id).orElse(null);
    }

    /** Operations that mean something on each resource type, as Kafka lists them for "authorized operations". */
    private static final java.util.Map<ResourceType, java.util.List<AclOperation>> SUPPORTED = java.util.Map.of(
            ResourceType.TOPIC, java.util.List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                    AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.GROUP, java.util.List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.CLUSTER, java.util.List.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE));

    /**
     * The operations the principal may perform on a resource, as the bit field clients decode
     * ({@code Admin.describeTopics(…includeAuthorizedOperations)}, {@code describeCluster}, {@code describeConsumerGroups}).
     */
    int authorizedOperations(RequestContext ctx, ResourceType type, String name) {
        java.util.Set<Byte> codes = new java.util.HashSet<>();
        for (AclOperation op : SUPPORTED.getOrDefault(type, java.util.List.of())) {
            if (allowed(ctx, op, type, name)) {
                codes.add(op.code());
            }
        }
        return org.apache.kafka.common.utils.Utils.to32BitField(codes);
    }

    static String host(RequestContext ctx) {
        if (ctx.clientAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "*";
    }
}
