package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.AclStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;

/**
 * DescribeAcls ({@code kafka-acls.sh --list}): the bindings in ZooKeeper that match the filter (its
 * {@code MATCH} pattern type finds every pattern that applies to a resource). Needs DESCRIBE on the
 * cluster; {@code SECURITY_DISABLED} without an authorizer.
 */
final class DescribeAclsHandler implements ApiHandler<DescribeAclsRequest> {
    private final Access access;
    private final AclStore store;

    DescribeAclsHandler(Access access, AclStore store) {
        this.access = access;
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_ACLS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeAclsRequest request) {
        DescribeAclsResponseData data = new DescribeAclsResponseData();
        if (!access.enabled() || store == null) {
            data.setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage("No authorizer is configured on the broker");
        } else {
            try {
                List<AclBinding> matches = store.read().stream().filter(request.filter()::matches).toList();
                data.setResources(DescribeAclsResponse.aclsResources(matches));
            } catch (RuntimeException e) {
                data.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()).setErrorMessage("Cannot read the ACLs: " + e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(new DescribeAclsResponse(data, context.header().apiVersion()));
    }
}
