package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.BrokerRegistration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * FindCoordinator for groups (the leader of the group's {@code __consumer_offsets} partition) and for
 * transactional ids (the leader of the id's {@code __transaction_state} partition); each topic is
 * created on first use.
 */
final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;
    private static final short BATCHED_VERSION = 4;

    private final BrokerServices services;
    private final GroupSupport groups;
    private final TxnSupport txns;

    FindCoordinatorHandler(BrokerServices services, GroupSupport groups, TxnSupport txns) {
        this.services = services;
        this.groups = groups;
        this.txns = txns;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.header().apiVersion();
        List<String> keys = version >= BATCHED_VERSION ? request.data().coordinatorKeys() : List.of(request.data().key());
        FindCoordinatorResponseData data = new FindCoordinatorResponseData();
        for (String key : keys) {
            Coordinator c = find(request.data().keyType(), key, context.listenerName());
            if (version >= BATCHED_VERSION) {
                data.coordinators().add(c);
            } else {
                data.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
                if (version >= 1) {
                    data.setErrorMessage(c.errorMessage());
                }
            }
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(data));
    }

    private Coordinator find(byte keyType, String key, String listenerName) {
        Coordinator c = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType != GROUP && keyType != TRANSACTION) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unknown coordinator key type " + keyType);
        }
        String what = keyType == GROUP ? "group" : "transactional id";
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Empty " + what);
        }
        try {
            int leader = keyType == GROUP ? groups.coordinatorFor(key) : txns.coordinatorFor(key);
            Optional<BrokerRegistration> broker = services.metadata().broker(leader);
            if (broker.isEmpty()) {
                return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("No live coordinator for "
                        + what + " " + key);
            }
            BrokerRegistration.Endpoint endpoint = broker.get().endpoint(listenerName);
            return c.setNodeId(leader).setHost(endpoint.host()).setPort(endpoint.port());
        } catch (RuntimeException e) {
            return c.setErrorCode(ApiErrors.errorFor(e, "FindCoordinator " + key).code()).setErrorMessage(e.getMessage());
        }
    }
}
