package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * Listings that show only what the principal may DESCRIBE, as in Kafka: ListGroups (everything with
 * DESCRIBE on the cluster), ListTransactions, and OffsetFetch for all of a group's topics.
 */
final class ResponseFilters {
    private ResponseFilters() {
    }

    static Verdict verdict(Access access, RequestContext ctx) {
        return switch (ctx.header().apiKey()) {
            case LIST_GROUPS -> access.cluster(ctx, AclOperation.DESCRIBE) ? Verdict.PROCEED : new Verdict.Proceed(r -> {
                ((ListGroupsResponse) r).data().groups().removeIf(g -> !access.group(ctx, AclOperation.DESCRIBE, g.groupId()));
                return r;
            });
            case LIST_TRANSACTIONS -> new Verdict.Proceed(r -> {
                ((ListTransactionsResponse) r).data().transactionStates().removeIf(
                        t -> !access.transactionalId(ctx, AclOperation.DESCRIBE, t.transactionalId()));
                return r;
            });
            case OFFSET_FETCH -> new Verdict.Proceed(r -> {
                OffsetFetchRequest request = (OffsetFetchRequest) ctx.request();
                var data = ((OffsetFetchResponse) r).data();
                if (request.data().groups().isEmpty()) {
                    if (request.data().topics() == null) {
                        data.topics().removeIf(t -> !access.topic(ctx, AclOperation.DESCRIBE, t.name()));
                    }
                } else {
                    data.groups().forEach(g -> g.topics().removeIf(t -> {
                        String name = access.topicName(t.name(), t.topicId());
                        return name != null && !access.topic(ctx, AclOperation.DESCRIBE, name);
                    }));
                }
                return r;
            });
            case DESCRIBE_CLUSTER -> !((DescribeClusterRequest) ctx.request()).data().includeClusterAuthorizedOperations()
                    ? Verdict.PROCEED : new Verdict.Proceed(r -> {
                        ((DescribeClusterResponse) r).data().setClusterAuthorizedOperations(
                                access.authorizedOperations(ctx, ResourceType.CLUSTER, Access.CLUSTER_NAME));
                        return r;
                    });
            case DESCRIBE_GROUPS -> !((DescribeGroupsRequest) ctx.request()).data().includeAuthorizedOperations()
                    ? Verdict.PROCEED : new Verdict.Proceed(r -> {
                        ((DescribeGroupsResponse) r).data().groups().forEach(g -> g.setAuthorizedOperations(
                                access.authorizedOperations(ctx, ResourceType.GROUP, g.groupId())));
                        return r;
                    });
            default -> Verdict.PROCEED;
        };
    }
}
