package io.weir.broker.api;

import io.weir.broker.group.GroupCoordinator.GroupOverview;
import io.weir.broker.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;

/** ListGroups: the groups this broker coordinates, filtered by state (v4+) and type (v5+: "classic" or "share"). */
final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {
    private static final String CLASSIC = "classic";

    private static final String SHARE = "share";

    private final GroupSupport groups;
    private final ShareSupport share;

    ListGroupsHandler(GroupSupport groups, ShareSupport share) {
        this.groups = groups;
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListGroupsRequest request) {
        short version = context.header().apiVersion();
        List<String> states = version >= 4 ? request.data().statesFilter() : List.of();
        List<String> types = version >= 5 ? request.data().typesFilter() : List.of();
        ListGroupsResponseData data = new ListGroupsResponseData();
        for (GroupOverview g : groups.coordinator().listGroups()) {
            if (!states.isEmpty() && states.stream().noneMatch(s -> s.equalsIgnoreCase(g.state().kafkaName()))) {
                continue;
            }
            if (!types.isEmpty() && types.stream().noneMatch(t -> t.equalsIgnoreCase(CLASSIC))) {
                continue;
            }
            ListedGroup listed = new ListedGroup().setGroupId(g.groupId()).setProtocolType(g.protocolType());
            if (version >= 4) {
                listed.setGroupState(g.state().kafkaName());
            }
            if (version >= 5) {
                listed.setGroupType(CLASSIC);
            }
            data.groups().add(listed);
        }
        for (io.weir.broker.share.ShareGroupCoordinator.GroupView g : share.share().coordinator().list()) {
            if (!states.isEmpty() && states.stream().noneMatch(s -> s.equalsIgnoreCase(g.state()))) {
                continue;
            }
            if (!types.isEmpty() && types.stream().noneMatch(t -> t.equalsIgnoreCase(SHARE))) {
                continue;
            }
            ListedGroup listed = new ListedGroup().setGroupId(g.groupId()).setProtocolType(SHARE);
            if (version >= 4) {
                listed.setGroupState(g.state());
            }
            if (version >= 5) {
                listed.setGroupType(SHARE);
            }
            data.groups().add(listed);
        }
        return CompletableFuture.completedFuture(new ListGroupsResponse(data));
    }
}
