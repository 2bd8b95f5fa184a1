package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.requests.*;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The authorization of every API, in one place: which operation on which resource each request
 * needs, as Kafka decides it. Requests about a single group, transactional id or the cluster are
 * refused whole with the matching error ({@code GROUP_AUTHORIZATION_FAILED},
 * {@code TRANSACTIONAL_ID_AUTHORIZATION_FAILED}, {@code CLUSTER_AUTHORIZATION_FAILED}); requests
 * about several topics are answered per topic by {@link TopicChecks}.
 *
 * <p>Inter-broker requests (a follower's Fetch and OffsetsForLeaderEpoch, WriteTxnMarkers, the share
 * state APIs) need {@code CLUSTER_ACTION} on the cluster, as in Kafka: the broker's principal must be
 * a super user or hold that ACL once the cluster has ACLs (without authentication every broker
 * connects as {@code User:ANONYMOUS}).
 *
 * <p>Thread-safe (stateless beyond the authorizer).
 */
final class RequestAuthorization {
    private final Access access;
    private final TopicChecks topics;

    RequestAuthorization(Access access) {
        this.access = access;
        this.topics = new TopicChecks(access);
    }

    Access access() {
        return access;
    }

    Verdict check(RequestContext ctx) {
        if (!access.enabled()) {
            return Verdict.PROCEED;
        }
        AbstractRequest request = ctx.request();
        Verdict topicVerdict = topics.check(ctx);
        if (topicVerdict != null) {
            return topicVerdict;
        }
        RuntimeException refusal = refusal(ctx, request);
        return refusal == null ? ResponseFilters.verdict(access, ctx) : new Verdict.Refuse(request.getErrorResponse(refusal));
    }

    /** Why the whole request is refused, or null when it may proceed. */
    private RuntimeException refusal(RequestContext ctx, AbstractRequest request) {
        return switch (ctx.header().apiKey()) {
            case JOIN_GROUP -> {
                JoinGroupRequest r = (JoinGroupRequest) request;
                yield group(ctx, AclOperation.READ, r.data().groupId());
            }
            case SYNC_GROUP -> {
                SyncGroupRequest r = (SyncGroupRequest) request;
                yield group(ctx, AclOperation.READ, r.data().groupId());
            }
            case HEARTBEAT -> {
                HeartbeatRequest r = (HeartbeatRequest) request;
                yield group(ctx, AclOperation.READ, r.data().groupId());
            }
            case LEAVE_GROUP -> {
                LeaveGroupRequest r = (LeaveGroupRequest) request;
                yield group(ctx, AclOperation.READ, r.data().groupId());
            }
            case SHARE_GROUP_HEARTBEAT -> {
                ShareGroupHeartbeatRequest r = (ShareGroupHeartbeatRequest) request;
                yield first(group(ctx, AclOperation.READ, r.data().groupId()), topics(ctx, AclOperation.DESCRIBE, r.data().subscribedTopicNames() == null ? List.of() : r.data().subscribedTopicNames()));
            }
            case SHARE_FETCH -> {
                ShareFetchRequest r = (ShareFetchRequest) request;
                yield first(group(ctx, AclOperation.READ, r.data().groupId()), topicIds(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.topicId()).toList()));
            }
            case SHARE_ACKNOWLEDGE -> {
                ShareAcknowledgeRequest r = (ShareAcknowledgeRequest) request;
                yield first(group(ctx, AclOperation.READ, r.data().groupId()), topicIds(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.topicId()).toList()),
                        shareAckTxn(ctx, r));
            }
            case OFFSET_COMMIT -> {
                OffsetCommitRequest r = (OffsetCommitRequest) request;
                yield first(group(ctx, AclOperation.READ, r.data().groupId()), topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> access.topicName(t.name(), t.topicId())).toList()));
            }
            case OFFSET_FETCH -> offsetFetch(ctx, (OffsetFetchRequest) request);
            case OFFSET_DELETE -> {
                OffsetDeleteRequest r = (OffsetDeleteRequest) request;
                yield first(group(ctx, AclOperation.DELETE, r.data().groupId()), topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.name()).toList()));
            }
            case DESCRIBE_GROUPS -> {
                DescribeGroupsRequest r = (DescribeGroupsRequest) request;
                yield groups(ctx, AclOperation.DESCRIBE, r.data().groups());
            }
            case DELETE_GROUPS -> {
                DeleteGroupsRequest r = (DeleteGroupsRequest) request;
                yield groups(ctx, AclOperation.DELETE, r.data().groupsNames());
            }
            case SHARE_GROUP_DESCRIBE -> {
                ShareGroupDescribeRequest r = (ShareGroupDescribeRequest) request;
                yield groups(ctx, AclOperation.DESCRIBE, r.data().groupIds());
            }
            case DESCRIBE_SHARE_GROUP_OFFSETS -> {
                DescribeShareGroupOffsetsRequest r = (DescribeShareGroupOffsetsRequest) request;
                yield groups(ctx, AclOperation.DESCRIBE, r.data().groups().stream().map(g -> g.groupId()).toList());
            }
            case ALTER_SHARE_GROUP_OFFSETS -> {
                AlterShareGroupOffsetsRequest r = (AlterShareGroupOffsetsRequest) request;
                yield first(group(ctx, AclOperation.READ, r.data().groupId()), topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.topicName()).toList()));
            }
            case DELETE_SHARE_GROUP_OFFSETS -> {
                DeleteShareGroupOffsetsRequest r = (DeleteShareGroupOffsetsRequest) request;
                yield first(group(ctx, AclOperation.DELETE, r.data().groupId()), topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.topicName()).toList()));
            }
            case FIND_COORDINATOR -> findCoordinator(ctx, (FindCoordinatorRequest) request);
            case INIT_PRODUCER_ID -> initProducerId(ctx, (InitProducerIdRequest) request);
            case ADD_PARTITIONS_TO_TXN -> addPartitionsToTxn(ctx, (AddPartitionsToTxnRequest) request);
            case ADD_OFFSETS_TO_TXN -> {
                AddOffsetsToTxnRequest r = (AddOffsetsToTxnRequest) request;
                yield first(txn(ctx, r.data().transactionalId()), group(ctx, AclOperation.READ, r.data().groupId()));
            }
            case TXN_OFFSET_COMMIT -> {
                TxnOffsetCommitRequest r = (TxnOffsetCommitRequest) request;
                yield first(txn(ctx, r.data().transactionalId()), group(ctx, AclOperation.READ, r.data().groupId()), topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.name()).toList()));
            }
            case END_TXN -> {
                EndTxnRequest r = (EndTxnRequest) request;
                yield txn(ctx, r.data().transactionalId());
            }
            case DESCRIBE_TRANSACTIONS -> {
                DescribeTransactionsRequest r = (DescribeTransactionsRequest) request;
                yield txns(ctx, AclOperation.DESCRIBE, r.data().transactionalIds());
            }
            case DESCRIBE_PRODUCERS -> {
                DescribeProducersRequest r = (DescribeProducersRequest) request;
                yield topics(ctx, AclOperation.READ, r.data().topics().stream().map(t -> t.name()).toList());
            }
            case DELETE_RECORDS -> {
                DeleteRecordsRequest r = (DeleteRecordsRequest) request;
                yield topics(ctx, AclOperation.DELETE, r.data().topics().stream().map(t -> t.name()).toList());
            }
            case CREATE_PARTITIONS -> {
                CreatePartitionsRequest r = (CreatePartitionsRequest) request;
                yield topics(ctx, AclOperation.ALTER, r.data().topics().stream().map(t -> t.name()).toList());
            }
            case FETCH -> ((FetchRequest) request).replicaId() >= 0 ? cluster(ctx, AclOperation.CLUSTER_ACTION) : null;
            case OFFSET_FOR_LEADER_EPOCH -> {
                OffsetsForLeaderEpochRequest r = (OffsetsForLeaderEpochRequest) request;
                yield r.data().replicaId() >= 0 ? cluster(ctx, AclOperation.CLUSTER_ACTION) : topics(ctx, AclOperation.DESCRIBE,
                        r.data().topics().stream().map(t -> t.topic()).toList());
            }
            case WRITE_TXN_MARKERS -> cluster(ctx, AclOperation.CLUSTER_ACTION);
            case READ_SHARE_GROUP_STATE -> cluster(ctx, AclOperation.CLUSTER_ACTION);
            case WRITE_SHARE_GROUP_STATE -> cluster(ctx, AclOperation.CLUSTER_ACTION);
            case ALTER_PARTITION_REASSIGNMENTS -> cluster(ctx, AclOperation.ALTER);
            case ELECT_LEADERS -> cluster(ctx, AclOperation.ALTER);
            case CREATE_ACLS -> cluster(ctx, AclOperation.ALTER);
            case DELETE_ACLS -> cluster(ctx, AclOperation.ALTER);
            case LIST_PARTITION_REASSIGNMENTS -> cluster(ctx, AclOperation.DESCRIBE);
            case DESCRIBE_ACLS -> cluster(ctx, AclOperation.DESCRIBE);
            case DESCRIBE_LOG_DIRS -> cluster(ctx, AclOperation.DESCRIBE);
            case ALTER_USER_SCRAM_CREDENTIALS -> cluster(ctx, AclOperation.ALTER);
            case DESCRIBE_USER_SCRAM_CREDENTIALS -> cluster(ctx, AclOperation.DESCRIBE);
            case DESCRIBE_CLIENT_QUOTAS -> cluster(ctx, AclOperation.DESCRIBE_CONFIGS);
            case ALTER_CLIENT_QUOTAS -> cluster(ctx, AclOperation.ALTER_CONFIGS);
            default -> null; // ApiVersions, DescribeCluster, ListGroups, ListTransactions (filtered), consumer Fetch…
        };
    }

    private RuntimeException offsetFetch(RequestContext ctx, OffsetFetchRequest r) {
        if (r.data().groups().isEmpty()) { // before v8: one group
            return first(group(ctx, AclOperation.DESCRIBE, r.data().groupId()), r.data().topics() == null ? null
                    : topics(ctx, AclOperation.DESCRIBE, r.data().topics().stream().map(t -> t.name()).toList()));
        }
        List<RuntimeException> refusals = new ArrayList<>();
        for (var g : r.data().groups()) {
            refusals.add(group(ctx, AclOperation.DESCRIBE, g.groupId()));
            if (g.topics() != null) {
                refusals.add(topics(ctx, AclOperation.DESCRIBE,
                        g.topics().stream().map(t -> access.topicName(t.name(), t.topicId())).toList()));
            }
        }
        return first(refusals.toArray(RuntimeException[]::new));
    }

    private RuntimeException findCoordinator(RequestContext ctx, FindCoordinatorRequest r) {
        byte type = r.data().keyType();
        List<String> keys = r.data().coordinatorKeys().isEmpty() ? List.of(r.data().key()) : r.data().coordinatorKeys();
        if (type == FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            return groups(ctx, AclOperation.DESCRIBE, keys);
        } else if (type == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
            return txns(ctx, AclOperation.DESCRIBE, keys);
        } else if (type == FindCoordinatorRequest.CoordinatorType.SHARE.id()) {
            return cluster(ctx, AclOperation.CLUSTER_ACTION);
        }
        return null;
    }

    private RuntimeException initProducerId(RequestContext ctx, InitProducerIdRequest r) {
        String txnId = r.data().transactionalId();
        if (txnId != null) {
            return txn(ctx, txnId);
        }
        // an idempotent producer: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (as Kafka 2.8+)
        if (access.cluster(ctx, AclOperation.IDEMPOTENT_WRITE) || access.anyOfType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
            return null;
        }
        return new ClusterAuthorizationException("Idempotent writes need IDEMPOTENT_WRITE on the cluster or WRITE on a topic");
    }

    private RuntimeException addPartitionsToTxn(RequestContext ctx, AddPartitionsToTxnRequest r) {
        if (r.data().transactions().isEmpty()) { // a client's request (v3 and below)
            return first(txn(ctx, r.data().v3AndBelowTransactionalId()),
                    topics(ctx, AclOperation.WRITE, r.data().v3AndBelowTopics().stream().map(t -> t.name()).toList()));
        }
        return cluster(ctx, AclOperation.CLUSTER_ACTION); // a broker verifying partitions (v4+)
    }

    private RuntimeException group(RequestContext ctx, AclOperation op, String group) {
        return access.group(ctx, op, group) ? null
                : new GroupAuthorizationException("Not authorized to " + op + " group '" + group + "'", group);
    }

    private RuntimeException groups(RequestContext ctx, AclOperation op, Collection<String> groups) {
        return first(groups.stream().map(g -> group(ctx, op, g)).toArray(RuntimeException[]::new));
    }

    /** Acknowledgements inside a transaction (Weir's tag) need WRITE on its transactional id, as its producer does. */
    private RuntimeException shareAckTxn(RequestContext ctx, ShareAcknowledgeRequest r) {
        io.weir.broker.share.TxnAck txn;
        try {
            txn = ShareAcknowledgeHandler.transaction(r.data());
        } catch (IllegalArgumentException e) {
            return null; // malformed: the handler refuses it with INVALID_REQUEST
        }
        return txn == null ? null : txn(ctx, txn.transactionalId());
    }

    private RuntimeException txn(RequestContext ctx, String id) {
        return access.transactionalId(ctx, AclOperation.WRITE, id) ? null
                : new TransactionalIdAuthorizationException("Not authorized to WRITE transactional id '" + id + "'");
    }

    private RuntimeException txns(RequestContext ctx, AclOperation op, Collection<String> ids) {
        for (String id : ids) {
            if (!access.transactionalId(ctx, op, id)) {
                return new TransactionalIdAuthorizationException("Not authorized to " + op + " transactional id '" + id + "'");
            }
        }
        return null;
    }

    private RuntimeException cluster(RequestContext ctx, AclOperation op) {
        return access.cluster(ctx, op) ? null : new ClusterAuthorizationException("Not authorized to " + op + " the cluster");
    }

    /** Null names (unknown topic ids) are left to the handler, which answers UNKNOWN_TOPIC_ID. */
    private RuntimeException topics(RequestContext ctx, AclOperation op, Collection<String> names) {
        Set<String> denied = new LinkedHashSet<>();
        for (String name : names) {
            if (name != null && !access.topic(ctx, op, name)) {
                denied.add(name);
            }
        }
        return denied.isEmpty() ? null : new TopicAuthorizationException("Not authorized to " + op + " topics " + denied, denied);
    }

    private RuntimeException topicIds(RequestContext ctx, AclOperation op, Collection<org.apache.kafka.common.Uuid> ids) {
        return topics(ctx, op, ids.stream().map(id -> access.topicName(null, id)).toList());
    }

    private static RuntimeException first(RuntimeException... refusals) {
        for (RuntimeException r : refusals) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
