package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareGroupCoordinator.GroupView;
import io.weir.broker.share.ShareGroupCoordinator.MemberView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeResponse;

/** ShareGroupDescribe: a share group's state, epochs and members with their subscriptions and assignments. */
final class ShareGroupDescribeHandler implements ApiHandler<ShareGroupDescribeRequest> {
    static final String ASSIGNOR = "simple";

    private final ShareSupport share;

    ShareGroupDescribeHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ShareGroupDescribeRequest request) {
        ShareGroupDescribeResponseData data = new ShareGroupDescribeResponseData();
        for (String groupId : request.data().groupIds()) {
            DescribedGroup out = new DescribedGroup().setGroupId(groupId).setGroupState("Dead").setAssignorName(ASSIGNOR);
            data.groups().add(out);
            Errors error = share.groups().checkCoordinator(groupId);
            if (error != Errors.NONE) {
                out.setErrorCode(error.code());
                continue;
            }
            Optional<GroupView> g = share.share().coordinator().describe(groupId);
            if (g.isEmpty()) {
                boolean classic = share.groups().coordinator().describe(groupId) != null;
                out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(classic
                        ? "Group " + groupId + " is not a share group." : "Group " + groupId + " not found.");
                continue;
            }
            out.setGroupState(g.get().state()).setGroupEpoch(g.get().groupEpoch()).setAssignmentEpoch(g.get().assignmentEpoch());
            for (MemberView m : g.get().members()) {
                ShareGroupDescribeResponseData.Assignment a = new ShareGroupDescribeResponseData.Assignment();
                m.assignment().forEach((topicId, partitions) -> a.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(topicId).setPartitions(List.copyOf(partitions))
                        .setTopicName(share.services().metadata().topicById(topicId).map(TopicMetadata::name).orElse(""))));
                out.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(m.memberId()).setRackId(m.rackId())
                        .setMemberEpoch(m.memberEpoch()).setClientId(m.clientId()).setClientHost(m.clientHost())
                        .setSubscribedTopicNames(List.copyOf(m.subscribedTopics())).setAssignment(a));
            }
        }
        return CompletableFuture.completedFuture(new ShareGroupDescribeResponse(data));
    }
}
