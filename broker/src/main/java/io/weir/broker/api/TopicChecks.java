package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.*;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Per-topic authorization of the APIs that name many topics (or config resources): the refused
 * ones are taken out of the request before its handler runs, and put back into the answer with
 * {@code TOPIC_AUTHORIZATION_FAILED} (or the config resource's error), so authorized topics in the
 * same request are served as usual. Metadata for all topics lists only those the principal may
 * DESCRIBE; topics named explicitly but not describable are answered with the error.
 *
 * <p>Thread-safe (stateless).
 */
final class TopicChecks {
    private static final short TOPIC_AUTH = Errors.TOPIC_AUTHORIZATION_FAILED.code();
    private final Access access;

    TopicChecks(Access access) {
        this.access = access;
    }

    /** The verdict for the APIs checked here, or null for the others. */
    Verdict check(RequestContext ctx) {
        AbstractRequest request = ctx.request();
        return switch (ctx.header().apiKey()) {
            case PRODUCE -> produce(ctx, (ProduceRequest) request);
            case FETCH -> ((FetchRequest) request).replicaId() >= 0 ? null : fetch(ctx, (FetchRequest) request);
            case LIST_OFFSETS -> listOffsets(ctx, (ListOffsetsRequest) request);
            case METADATA -> metadata(ctx, (MetadataRequest) request);
            case CREATE_TOPICS -> createTopics(ctx, (CreateTopicsRequest) request);
            case DELETE_TOPICS -> deleteTopics(ctx, (DeleteTopicsRequest) request);
            case DESCRIBE_CONFIGS -> describeConfigs(ctx, (DescribeConfigsRequest) request);
            case INCREMENTAL_ALTER_CONFIGS -> alterConfigs(ctx, (IncrementalAlterConfigsRequest) request);
            default -> null;
        };
    }

    private Verdict produce(RequestContext ctx, ProduceRequest request) {
        String txnId = request.data().transactionalId();
        if (txnId != null && !access.transactionalId(ctx, AclOperation.WRITE, txnId)) {
            return new Verdict.Refuse(request.getErrorResponse(
                    new TransactionalIdAuthorizationException("Not authorized to WRITE transactional id '" + txnId + "'")));
        }
        // WRITE on the topic; a topic that does not exist yet is only auto-created for who may CREATE it
        List<TopicProduceData> denied = take(request.data().topicData(), td -> {
            String name = access.topicName(td.name(), td.topicId());
            return name != null && !access.topic(ctx, AclOperation.WRITE, name);
        });
        List<TopicProduceData> notCreatable = take(request.data().topicData(), td -> {
            String name = access.topicName(td.name(), td.topicId());
            return name != null && !access.topicExists(name) && !access.mayCreate(ctx, name);
        });
        if (denied.isEmpty() && notCreatable.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            ProduceResponseData data = ((ProduceResponse) response).data();
            addProduceErrors(data, denied, TOPIC_AUTH);
            addProduceErrors(data, notCreatable, Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return response;
        });
    }

    private static void addProduceErrors(ProduceResponseData data, List<TopicProduceData> topics, short error) {
        for (TopicProduceData td : topics) {
            var tr = new ProduceResponseData.TopicProduceResponse().setName(td.name()).setTopicId(td.topicId());
            td.partitionData().forEach(pd -> tr.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                    .setIndex(pd.index()).setErrorCode(error).setBaseOffset(-1).setLogStartOffset(-1)
                    .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)));
            data.responses().add(tr);
        }
    }

    private Verdict fetch(RequestContext ctx, FetchRequest request) {
        List<FetchTopic> denied = take(request.data().topics(), t -> {
            String name = access.topicName(t.topic(), t.topicId());
            return name != null && !access.topic(ctx, AclOperation.READ, name);
        });
        if (denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            FetchResponseData data = (FetchResponseData) response.data();
            for (FetchTopic t : denied) {
                var tr = new FetchResponseData.FetchableTopicResponse().setTopic(t.topic()).setTopicId(t.topicId());
                t.partitions().forEach(p -> tr.partitions().add(new FetchResponseData.PartitionData()
                        .setPartitionIndex(p.partition()).setErrorCode(TOPIC_AUTH).setHighWatermark(-1)
                        .setLastStableOffset(-1).setLogStartOffset(-1)));
                data.responses().add(tr);
            }
            return response;
        });
    }

    private Verdict listOffsets(RequestContext ctx, ListOffsetsRequest request) {
        List<ListOffsetsTopic> denied = take(request.data().topics(),
                t -> !access.topic(ctx, AclOperation.DESCRIBE, t.name()));
        if (denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            ListOffsetsResponseData data = ((ListOffsetsResponse) response).data();
            for (ListOffsetsTopic t : denied) {
                var tr = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(t.name());
                t.partitions().forEach(p -> tr.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(TOPIC_AUTH).setOffset(-1).setTimestamp(-1)));
                data.topics().add(tr);
            }
            return response;
        });
    }

    private Verdict metadata(RequestContext ctx, MetadataRequest request) {
        var data = request.data();
        boolean all = request.isAllTopics();
        List<MetadataRequestTopic> denied = all ? List.of() : take(data.topics(), t -> {
            String name = access.topicName(t.name(), t.topicId());
            return name != null && !access.topic(ctx, AclOperation.DESCRIBE, name);
        });
        if (!all && data.allowAutoTopicCreation() && data.topics().stream().anyMatch(t -> t.name() != null
                && !access.topicExists(t.name()) && !access.mayCreate(ctx, t.name()))) {
            data.setAllowAutoTopicCreation(false); // unknown topics are then answered as unknown
        }
        return amend(response -> {
            var answer = ((MetadataResponse) response).data();
            if (all) { // every topic: list only the describable ones
                answer.topics().removeIf(t -> !access.topic(ctx, AclOperation.DESCRIBE, t.name()));
            }
            for (MetadataRequestTopic t : denied) {
                answer.topics().add(new MetadataResponseTopic().setName(t.name()).setTopicId(t.topicId()).setErrorCode(TOPIC_AUTH)
                        .setIsInternal(false));
            }
            if (data.includeTopicAuthorizedOperations()) {
                answer.topics().forEach(t -> {
                    if (t.errorCode() == Errors.NONE.code()) {
                        t.setTopicAuthorizedOperations(access.authorizedOperations(ctx, ResourceType.TOPIC, t.name()));
                    }
                });
            }
            if (data.includeClusterAuthorizedOperations()) {
                answer.setClusterAuthorizedOperations(access.authorizedOperations(ctx, ResourceType.CLUSTER, Access.CLUSTER_NAME));
            }
            return response;
        });
    }

    private Verdict createTopics(RequestContext ctx, CreateTopicsRequest request) {
        List<CreatableTopic> denied = take(request.data().topics(), t -> !access.mayCreate(ctx, t.name()));
        if (denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            var results = ((CreateTopicsResponse) response).data().topics();
            denied.forEach(t -> results.add(new CreateTopicsResponseData.CreatableTopicResult().setName(t.name())
                    .setErrorCode(TOPIC_AUTH).setErrorMessage("Not authorized to CREATE topic '" + t.name() + "'")
                    .setNumPartitions(-1).setReplicationFactor((short) -1)));
            return response;
        });
    }

    private Verdict deleteTopics(RequestContext ctx, DeleteTopicsRequest request) {
        List<String> deniedNames = take(request.data().topicNames(), n -> !access.topic(ctx, AclOperation.DELETE, n));
        List<DeleteTopicState> denied = take(request.data().topics(), t -> {
            String name = access.topicName(t.name(), t.topicId());
            return name != null && !access.topic(ctx, AclOperation.DELETE, name);
        });
        if (deniedNames.isEmpty() && denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            var results = ((DeleteTopicsResponse) response).data().responses();
            deniedNames.forEach(n -> results.add(new DeleteTopicsResponseData.DeletableTopicResult().setName(n)
                    .setErrorCode(TOPIC_AUTH)));
            denied.forEach(t -> results.add(new DeleteTopicsResponseData.DeletableTopicResult().setName(t.name())
                    .setTopicId(t.topicId()).setErrorCode(TOPIC_AUTH)));
            return response;
        });
    }

    private Verdict describeConfigs(RequestContext ctx, DescribeConfigsRequest request) {
        List<DescribeConfigsResource> denied = take(request.data().resources(),
                r -> configError(ctx, r.resourceType(), r.resourceName(), AclOperation.DESCRIBE_CONFIGS) != null);
        if (denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            var results = ((DescribeConfigsResponse) response).data().results();
            denied.forEach(r -> {
                Errors error = configError(ctx, r.resourceType(), r.resourceName(), AclOperation.DESCRIBE_CONFIGS);
                results.add(new DescribeConfigsResponseData.DescribeConfigsResult().setResourceType(r.resourceType())
                        .setResourceName(r.resourceName()).setErrorCode(error.code()).setErrorMessage(error.message()));
            });
            return response;
        });
    }

    private Verdict alterConfigs(RequestContext ctx, IncrementalAlterConfigsRequest request) {
        List<AlterConfigsResource> denied = take(request.data().resources(),
                r -> configError(ctx, r.resourceType(), r.resourceName(), AclOperation.ALTER_CONFIGS) != null);
        if (denied.isEmpty()) {
            return Verdict.PROCEED;
        }
        return amend(response -> {
            var results = ((IncrementalAlterConfigsResponse) response).data().responses();
            denied.forEach(r -> {
                Errors error = configError(ctx, r.resourceType(), r.resourceName(), AclOperation.ALTER_CONFIGS);
                results.add(new AlterConfigsResourceResponse().setResourceType(r.resourceType())
                        .setResourceName(r.resourceName()).setErrorCode(error.code()).setErrorMessage(error.message()));
            });
            return response;
        });
    }

    /** The error for a config resource the principal may not read or change, or null when it may. */
    private Errors configError(RequestContext ctx, byte resourceType, String name, AclOperation op) {
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        return switch (type) {
            case TOPIC -> access.topic(ctx, op, name) ? null : Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> access.group(ctx, op, name) ? null : Errors.GROUP_AUTHORIZATION_FAILED;
            case BROKER, BROKER_LOGGER, CLIENT_METRICS -> access.cluster(ctx, op) ? null : Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> null; // the handler answers an unknown type
        };
    }

    private static Verdict amend(UnaryOperator<AbstractResponse> amend) {
        return new Verdict.Proceed(amend);
    }

    /** Removes and returns the elements {@code refused} selects (none when the collection is null). */
    private static <T> List<T> take(Iterable<T> items, Predicate<T> refused) {
        List<T> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        for (Iterator<T> it = items.iterator(); it.hasNext(); ) {
            T item = it.next();
            if (refused.test(item)) {
                out.add(item);
                it.remove();
            }
        }
        return out;
    }
}
