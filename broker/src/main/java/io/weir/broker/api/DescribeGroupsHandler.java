package io.weir.broker.api;

import io.weir.broker.group.GroupCoordinator.GroupDescription;
import io.weir.broker.group.GroupCoordinator.MemberDescription;
import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/** DescribeGroups: state, protocol and members with their metadata and assignments. */
final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {
    private final GroupSupport groups;

    DescribeGroupsHandler(GroupSupport groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeGroupsRequest request) {
        short version = context.header().apiVersion();
        DescribeGroupsResponseData data = new DescribeGroupsResponseData();
        for (String groupId : request.data().groups()) {
            DescribedGroup out = new DescribedGroup().setGroupId(groupId).setProtocolType("").setProtocolData("")
                    .setGroupState("Dead");
            if (version >= 3) {
                out.setAuthorizedOperations(Integer.MIN_VALUE);
            }
            data.groups().add(out);
            Errors error = groups.checkCoordinator(groupId);
            if (error != Errors.NONE) {
                out.setErrorCode(error.code());
                continue;
            }
            GroupDescription g = groups.coordinator().describe(groupId);
            if (g == null) {
                if (version >= 6) {
                    out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
                }
                continue;
            }
            out.setGroupState(g.state().kafkaName()).setProtocolType(g.protocolType())
                    .setProtocolData(g.protocolName() == null ? "" : g.protocolName());
            for (MemberDescription m : g.members()) {
                DescribedGroupMember member = new DescribedGroupMember().setMemberId(m.memberId()).setClientId(m.clientId())
                        .setClientHost(m.clientHost()).setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment());
                if (version >= 4) {
                    member.setGroupInstanceId(m.groupInstanceId());
                }
                out.members().add(member);
            }
        }
        return CompletableFuture.completedFuture(new DescribeGroupsResponse(data));
    }
}
