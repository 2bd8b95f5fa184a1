package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/** LeaveGroup: one member (v0-2) or a batch (v3+, also by group.instance.id); the rest rebalance. */
final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {
    private final GroupSupport groups;

    LeaveGroupHandler(GroupSupport groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, LeaveGroupRequest request) {
        short version = context.header().apiVersion();
        LeaveGroupRequestData d = request.data();
        LeaveGroupResponseData data = new LeaveGroupResponseData();
        Errors coordinatorError = groups.checkCoordinator(d.groupId());
        if (coordinatorError != Errors.NONE) {
            return CompletableFuture.completedFuture(new LeaveGroupResponse(data.setErrorCode(coordinatorError.code()), version));
        }
        List<io.weir.broker.group.GroupCoordinator.MemberIdentity> leaving = new ArrayList<>();
        if (version >= 3) {
            for (MemberIdentity m : d.members()) {
                leaving.add(new io.weir.broker.group.GroupCoordinator.MemberIdentity(m.memberId(), m.groupInstanceId()));
            }
        } else {
            leaving.add(new io.weir.broker.group.GroupCoordinator.MemberIdentity(d.memberId(), null));
        }
        Map<io.weir.broker.group.GroupCoordinator.MemberIdentity, Errors> results = groups.coordinator().leave(d.groupId(), leaving);
        if (version >= 3) {
            results.forEach((id, error) -> data.members().add(new MemberResponse().setMemberId(id.memberId())
                    .setGroupInstanceId(id.groupInstanceId()).setErrorCode(error.code())));
        } else {
            data.setErrorCode(results.values().iterator().next().code());
        }
        return CompletableFuture.completedFuture(new LeaveGroupResponse(data, version));
    }
}
