package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;

/** Heartbeat: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {
    private final GroupSupport groups;

    HeartbeatHandler(GroupSupport groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, HeartbeatRequest request) {
        HeartbeatRequestData d = request.data();
        Errors error = groups.checkCoordinator(d.groupId());
        if (error == Errors.NONE) {
            error = groups.coordinator().heartbeat(d.groupId(), d.memberId(),
                    context.header().apiVersion() >= 3 ? d.groupInstanceId() : null, d.generationId());
        }
        return CompletableFuture.completedFuture(new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(error.code())));
    }
}
