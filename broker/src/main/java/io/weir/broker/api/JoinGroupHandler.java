package io.weir.broker.api;

import io.weir.broker.group.JoinResult;
import io.weir.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;

/** JoinGroup: answered when the group's join phase completes (or at once with an error or MEMBER_ID_REQUIRED). */
final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {
    private final GroupSupport groups;

    private final ShareSupport share;

    JoinGroupHandler(GroupSupport groups, ShareSupport share) {
        this.groups = groups;
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.header().apiVersion();
        JoinGroupRequestData d = request.data();
        Errors coordinatorError = groups.checkCoordinator(d.groupId());
        if (coordinatorError != Errors.NONE) {
            return CompletableFuture.completedFuture(response(JoinResult.error(coordinatorError, d.memberId()), version));
        }
        if (share.share().coordinator().exists(d.groupId())) {
            // the id belongs to a share group: a classic member cannot join it
            return CompletableFuture.completedFuture(response(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, d.memberId()),
                    version));
        }
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : d.protocols()) {
            protocols.put(p.name(), p.metadata());
        }
        int rebalanceTimeout = version >= 1 ? d.rebalanceTimeoutMs() : d.sessionTimeoutMs();
        return groups.coordinator().join(d.groupId(), d.memberId(), version >= 5 ? d.groupInstanceId() : null,
                        context.header().clientId(), String.valueOf(context.clientAddress()), d.sessionTimeoutMs(), rebalanceTimeout,
                        d.protocolType(), protocols, version >= 4)
                .thenApply(r -> response(r, version));
    }

    private static AbstractResponse response(JoinResult r, short version) {
        JoinGroupResponseData data = new JoinGroupResponseData().setErrorCode(r.error().code())
                .setGenerationId(r.generationId()).setLeader(r.leaderId() == null ? "" : r.leaderId())
                .setMemberId(r.memberId() == null ? "" : r.memberId());
        if (version >= 7) {
            data.setProtocolType(r.protocolType()).setProtocolName(r.protocolName());
        } else {
            data.setProtocolName(r.protocolName() == null ? "" : r.protocolName());
        }
        for (JoinResult.JoinedMember m : r.members()) {
            JoinGroupResponseMember member = new JoinGroupResponseMember().setMemberId(m.memberId()).setMetadata(m.metadata());
            if (version >= 5) {
                member.setGroupInstanceId(m.groupInstanceId());
            }
            data.members().add(member);
        }
        return new JoinGroupResponse(data, version);
    }
}
