package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.AclStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateAclsResponse;
import org.apache.kafka.common.resource.ResourcePattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreateAcls ({@code kafka-acls.sh --add}, {@code Admin.createAcls}): each binding is validated and
 * stored in ZooKeeper; the answer has one result per binding, in request order. Needs ALTER on the
 * cluster (checked by {@link RequestAuthorization}); {@code SECURITY_DISABLED} without an authorizer.
 */
final class CreateAclsHandler implements ApiHandler<CreateAclsRequest> {
    private static final Logger log = LoggerFactory.getLogger(CreateAclsHandler.class);
    private final Access access;
    private final AclStore store;

    CreateAclsHandler(Access access, AclStore store) {
        this.access = access;
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_ACLS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, CreateAclsRequest request) {
        List<AclCreationResult> results = new ArrayList<>();
        Map<ResourcePattern, List<AccessControlEntry>> valid = new LinkedHashMap<>();
        Map<ResourcePattern, List<AclCreationResult>> resultsByPattern = new LinkedHashMap<>();
        for (AclCreation creation : request.data().creations()) {
            AclCreationResult result = new AclCreationResult();
            results.add(result);
            if (!access.enabled() || store == null) {
                result.setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage("No authorizer is configured on the broker");
                continue;
            }
            AclBinding binding;
            try {
                binding = CreateAclsRequest.aclBinding(creation);
            } catch (RuntimeException e) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Malformed ACL: " + e.getMessage());
                continue;
            }
            String invalid = AclRequests.invalid(binding);
            if (invalid != null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid);
                continue;
            }
            valid.computeIfAbsent(binding.pattern(), p -> new ArrayList<>()).add(binding.entry());
            resultsByPattern.computeIfAbsent(binding.pattern(), p -> new ArrayList<>()).add(result);
        }
        valid.forEach((pattern, entries) -> {
            try {
                store.add(pattern, entries);
                log.info("ACLs added by {} at {}: {} {}", context.principal(), context.clientAddress(), pattern, entries);
            } catch (RuntimeException e) {
                log.error("Cannot store the ACLs {} of {}: {}", entries, pattern, e.toString());
                resultsByPattern.get(pattern).forEach(r -> r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code())
                        .setErrorMessage("Cannot store the ACL in ZooKeeper: " + e.getMessage()));
            }
        });
        return CompletableFuture.completedFuture(new CreateAclsResponse(new CreateAclsResponseData().setResults(results)));
    }
}
