package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;

/**
 * AlterPartitionReassignments: starts or cancels (null replicas) the reassignment of partitions.
 * Each partition is recorded in ZooKeeper and answered on its own; the controller carries the
 * reassignment out (new replicas catch up, then the old ones leave). Any broker accepts it: the
 * record in ZooKeeper, written conditionally, is the request to the controller.
 */
final class AlterPartitionReassignmentsHandler implements ApiHandler<AlterPartitionReassignmentsRequest> {
    private final BrokerServices services;

    AlterPartitionReassignmentsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AlterPartitionReassignmentsRequest request) {
        boolean allowRfChange = request.data().allowReplicationFactorChange();
        AlterPartitionReassignmentsResponseData data = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(allowRfChange);
        for (ReassignableTopic t : request.data().topics()) {
            ReassignableTopicResponse topic = new ReassignableTopicResponse().setName(t.name());
            data.responses().add(topic);
            for (ReassignablePartition p : t.partitions()) {
                ReassignablePartitionResponse result = new ReassignablePartitionResponse().setPartitionIndex(p.partitionIndex());
                topic.partitions().add(result);
                try {
                    services.topics().alterReassignment(t.name(), p.partitionIndex(),
                            Optional.ofNullable(p.replicas()).map(List::copyOf), allowRfChange);
                } catch (RuntimeException e) {
                    Errors error = Errors.forException(e);
                    result.setErrorCode(error.code()).setErrorMessage(error == Errors.UNKNOWN_SERVER_ERROR ? e.toString()
                            : e.getMessage());
                }
            }
        }
        return CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponse(data));
    }
}
