package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.AclStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.resource.ResourcePattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteAcls ({@code kafka-acls.sh --remove}): for each filter, removes the matching bindings from
 * ZooKeeper and answers them. Needs ALTER on the cluster; {@code SECURITY_DISABLED} without an authorizer.
 */
final class DeleteAclsHandler implements ApiHandler<DeleteAclsRequest> {
    private static final Logger log = LoggerFactory.getLogger(DeleteAclsHandler.class);
    private final Access access;
    private final AclStore store;

    DeleteAclsHandler(Access access, AclStore store) {
        this.access = access;
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_ACLS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteAclsRequest request) {
        List<DeleteAclsFilterResult> results = new ArrayList<>();
        for (AclBindingFilter filter : request.filters()) {
            DeleteAclsFilterResult result = new DeleteAclsFilterResult();
            results.add(result);
            if (!access.enabled() || store == null) {
                result.setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage("No authorizer is configured on the broker");
                continue;
            }
            try {
                Set<ResourcePattern> patterns = new LinkedHashSet<>();
                store.read().stream().filter(filter::matches).forEach(b -> patterns.add(b.pattern()));
                for (ResourcePattern pattern : patterns) {
                    store.remove(pattern, e -> filter.matches(new AclBinding(pattern, e))).forEach(e ->
                            result.matchingAcls().add(DeleteAclsResponse.matchingAcl(new AclBinding(pattern, e), ApiError.NONE)));
                }
                if (!result.matchingAcls().isEmpty()) {
                    log.info("ACLs removed by {} at {} with filter {}: {}", context.principal(), context.clientAddress(), filter,
                            result.matchingAcls().size());
                }
            } catch (RuntimeException e) {
                log.error("Cannot delete the ACLs matching {}: {}", filter, e.toString());
                result.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()).setErrorMessage("Cannot delete the ACLs: " + e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(new DeleteAclsResponse(new DeleteAclsResponseData().setFilterResults(results),
                context.header().apiVersion()));
    }
}
