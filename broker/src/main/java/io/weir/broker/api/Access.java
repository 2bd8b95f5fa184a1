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
        return authorizer.authorize(ctx.principal(), host(ctx), op, type, name);
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

    static String host(RequestContext ctx) {
        if (ctx.clientAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "*";
    }
}
