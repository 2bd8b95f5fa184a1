package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareGroupCoordinator.HeartbeatResult;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatResponse;

/**
 * ShareGroupHeartbeat (KIP-932): joins, keeps alive and leaves a share group on its coordinator (the
 * broker that coordinates the group id, found with FindCoordinator of key type GROUP), answering with
 * the member epoch and, when it changed, the member's assignment.
 */
final class ShareGroupHeartbeatHandler implements ApiHandler<ShareGroupHeartbeatRequest> {
    private final ShareSupport share;

    ShareGroupHeartbeatHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ShareGroupHeartbeatRequest request) {
        ShareGroupHeartbeatRequestData in = request.data();
        ShareGroupHeartbeatResponseData out = new ShareGroupHeartbeatResponseData()
                .setHeartbeatIntervalMs(share.share().config().heartbeatIntervalMs());
        Errors error = share.groups().checkCoordinator(in.groupId());
        if (error != Errors.NONE) {
            return done(out.setErrorCode(error.code()));
        }
        if (share.groups().coordinator().describe(in.groupId()) != null) {
            return done(out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + in.groupId() + " is a classic consumer group, not a share group"));
        }
        try {
            if (in.memberEpoch() == 0) {
                ensureStateTopic();
            }
            String host = context.clientAddress() instanceof InetSocketAddress a ? "/" + a.getAddress().getHostAddress()
                    : String.valueOf(context.clientAddress());
            HeartbeatResult r = share.share().coordinator().heartbeat(in.groupId(), in.memberId(), in.memberEpoch(), in.rackId(),
                    in.subscribedTopicNames(), context.header().clientId(), host);
            if (r.error() != Errors.NONE) {
                return done(out.setErrorCode(r.error().code()).setErrorMessage(r.message()));
            }
            out.setMemberId(in.memberId()).setMemberEpoch(r.memberEpoch());
            if (r.assignment() != null) {
                Map<Uuid, java.util.Set<Integer>> assignment = new java.util.HashMap<>();
                r.assignment().forEach((t, ps) -> assignment.put(t, new HashSet<>(ps)));
                out.setAssignment(ShareGroupHeartbeatResponse.createAssignment(assignment));
            }
            return done(out);
        } catch (RuntimeException e) {
            Errors err = ApiErrors.errorFor(e, "ShareGroupHeartbeat " + in.groupId());
            return done(out.setErrorCode(err.code()).setErrorMessage(e.getMessage()));
        }
    }

    /** The share state topic is needed by the first ShareFetch; a failure here is retried at the next join. */
    private void ensureStateTopic() {
        try {
            share.stateTopic();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ShareGroupHeartbeatHandler.class).debug("Share state topic not ready: {}", e.toString());
        }
    }

    private static CompletableFuture<AbstractResponse> done(ShareGroupHeartbeatResponseData data) {
        return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponse(data));
    }
}
