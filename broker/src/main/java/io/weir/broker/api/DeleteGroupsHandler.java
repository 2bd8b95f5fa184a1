package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;

/** DeleteGroups: empty groups only (NON_EMPTY_GROUP otherwise); their committed offsets go too. Share groups too. */
final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {
    private final GroupSupport groups;
    private final ShareSupport share;

    DeleteGroupsHandler(GroupSupport groups, ShareSupport share) {
        this.groups = groups;
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteGroupsRequest request) {
        DeleteGroupsResponseData data = new DeleteGroupsResponseData();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (String groupId : request.data().groupsNames()) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
            data.results().add(result);
            Errors error = groups.checkCoordinator(groupId);
            if (error != Errors.NONE) {
                result.setErrorCode(error.code());
                continue;
            }
            if (share.share().coordinator().exists(groupId)) {
                result.setErrorCode(share.share().coordinator().delete(groupId).code());
                continue;
            }
            pending.add(groups.coordinator().deleteGroup(groupId).thenAccept(e -> result.setErrorCode(e.code())));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> new DeleteGroupsResponse(data));
    }
}
