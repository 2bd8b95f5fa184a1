package io.weir.broker.api;

import io.weir.broker.group.SyncResult;
import io.weir.broker.network.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/** SyncGroup: the leader hands in the assignment; every member gets its own once the leader has. */
final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {
    private final GroupSupport groups;

    SyncGroupHandler(GroupSupport groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, SyncGroupRequest request) {
        short version = context.header().apiVersion();
        SyncGroupRequestData d = request.data();
        Errors coordinatorError = groups.checkCoordinator(d.groupId());
        if (coordinatorError != Errors.NONE) {
            return CompletableFuture.completedFuture(response(SyncResult.error(coordinatorError), version));
        }
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestAssignment a : d.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        return groups.coordinator().sync(d.groupId(), d.generationId(), d.memberId(), version >= 3 ? d.groupInstanceId() : null,
                        version >= 5 ? d.protocolType() : null, version >= 5 ? d.protocolName() : null, assignments)
                .thenApply(r -> response(r, version));
    }

    private static AbstractResponse response(SyncResult r, short version) {
        SyncGroupResponseData data = new SyncGroupResponseData().setErrorCode(r.error().code()).setAssignment(r.assignment());
        if (version >= 5) {
            data.setProtocolType(r.protocolType()).setProtocolName(r.protocolName());
        }
        return new SyncGroupResponse(data);
    }
}
