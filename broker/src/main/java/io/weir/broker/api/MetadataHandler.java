package io.weir.broker.api;

import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.BrokerRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata: brokers, controller, and the requested topics (all when none are named) with their
 * partition leaders. Topics may be named or, from v10, identified by id. A missing topic is created
 * with the broker defaults when the request allows it and {@code auto.create.topics.enable} is on.
 */
final class MetadataHandler implements ApiHandler<MetadataRequest> {
    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    MetadataHandler(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, MetadataRequest request) {
        short version = context.header().apiVersion();
        MetadataResponseData data = new MetadataResponseData()
                .setClusterId(services.metadata().clusterId())
                .setControllerId(services.metadata().controllerId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        // a broker cut off from ZooKeeper leaves itself out: the controller may have moved its leaderships
        // already, and a client that knows only the other brokers asks them next
        boolean current = services.metadata().isCurrent();
        for (BrokerRegistration b : services.metadata().brokers()) {
            if (!current && b.id() == services.brokerId()) {
                continue;
            }
            if (!b.hasListener(context.listenerName())) {
                continue; // as Kafka: a broker without the client's listener is left out
            }
            BrokerRegistration.Endpoint endpoint = b.endpoint(context.listenerName());
            data.brokers().add(new MetadataResponseBroker().setNodeId(b.id()).setHost(endpoint.host()).setPort(endpoint.port())
                    .setRack(b.rack()));
        }
        List<MetadataRequestTopic> requested = request.data().topics();
        if (requested == null) {
            for (TopicMetadata t : services.metadata().topics()) {
                data.topics().add(describe(t, current));
            }
        } else {
            boolean allowCreate = version < 4 || request.data().allowAutoTopicCreation();
            for (MetadataRequestTopic rt : requested) {
                data.topics().add(lookup(context, rt, allowCreate, current));
            }
        }
        return CompletableFuture.completedFuture(new MetadataResponse(data, version));
    }

    private MetadataResponseTopic lookup(RequestContext context, MetadataRequestTopic rt, boolean allowCreate, boolean current) {
        if (rt.name() == null) {
            Uuid id = rt.topicId();
            return services.metadata().topicById(id).map(t -> describe(t, current)).orElseGet(() -> new MetadataResponseTopic()
                    .setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = rt.name();
        try {
            TopicMetadata topic = allowCreate ? lifecycle.getOrAutoCreate(name) : services.metadata().topic(name).orElse(null);
            if (topic == null) {
                Topic.validate(name); // a name that can never exist is INVALID_TOPIC_EXCEPTION, as in Kafka
                return new MetadataResponseTopic().setName(name).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }
            return describe(topic, current);
        } catch (InvalidTopicException e) {
            log.warn("Metadata for invalid topic name '{}' from client '{}' at {}: {}", name, context.header().clientId(),
                    context.clientAddress(), e.getMessage());
            return new MetadataResponseTopic().setName(name).setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        } catch (RuntimeException e) {
            log.warn("Auto-creating topic {} failed: {}", name, e.toString());
            return new MetadataResponseTopic().setName(name).setErrorCode(Errors.forException(e).code());
        }
    }

    /** Whether this broker has applied its leadership of {@code p}: its log is open and takes produces. */
    private boolean appliedHere(String topic, PartitionState p) {
        return services.replicas().partition(new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                .map(local -> local.isLeader() && local.leaderEpoch() >= p.leaderEpoch()).orElse(false);
    }

    /** {@code current}: whether this broker's view follows ZooKeeper now; if not, it names no leader of its own. */
    private MetadataResponseTopic describe(TopicMetadata t, boolean current) {
        MetadataResponseTopic topic = new MetadataResponseTopic().setName(t.name()).setTopicId(t.topicId())
                .setIsInternal(t.isInternal()).setTopicAuthorizedOperations(Integer.MIN_VALUE);
        for (PartitionState p : t.partitions().values()) {
            int leader = current || p.leader() != services.brokerId() ? p.leader() : -1;
            if (leader == services.brokerId() && !appliedHere(t.name(), p)) {
                // ZooKeeper names this broker, which has not opened the partition as leader yet (another request
                // is still creating the topic): a produce now would be refused, and an idempotent producer whose
                // first batch is refused while a later one is taken can wedge on OUT_OF_ORDER_SEQUENCE_NUMBER
                leader = -1;
            }
            Errors error = leader < 0 ? Errors.LEADER_NOT_AVAILABLE : Errors.NONE;
            topic.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p.partition())
                    .setErrorCode(error.code())
                    .setLeaderId(leader)
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setOfflineReplicas(offline(p.replicas())));
        }
        return topic;
    }

    private List<Integer> offline(Collection<Integer> replicas) {
        return replicas.stream().filter(id -> services.metadata().broker(id).isEmpty()).toList();
    }
}
