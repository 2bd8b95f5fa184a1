package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;

/**
 * AddOffsetsToTxn: the group's {@code __consumer_offsets} partition joins the producer's transaction,
 * so that the transaction's marker also reaches the offsets it then commits with TxnOffsetCommit.
 */
final class AddOffsetsToTxnHandler implements ApiHandler<AddOffsetsToTxnRequest> {
    private final BrokerServices services;
    private final GroupSupport groups;

    AddOffsetsToTxnHandler(BrokerServices services, GroupSupport groups) {
        this.services = services;
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AddOffsetsToTxnRequest request) {
        var d = request.data();
        if (d.groupId() == null || d.groupId().isEmpty() || d.groupId().length() > GroupSupport.MAX_GROUP_ID_LENGTH) {
            return CompletableFuture.completedFuture(response(Errors.INVALID_GROUP_ID));
        }
        int partition;
        try {
            groups.offsetsTopic();
            partition = groups.coordinator().partitionFor(d.groupId());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(response(ApiErrors.errorFor(e, "AddOffsetsToTxn " + d.groupId())));
        }
        TopicPartition offsets = new TopicPartition(GroupSupport.OFFSETS_TOPIC, partition);
        return services.txns().addPartitions(d.transactionalId(), d.producerId(), d.producerEpoch(), Set.of(offsets))
                .thenApply(AddOffsetsToTxnHandler::response);
    }

    private static AddOffsetsToTxnResponse response(Errors error) {
        return new AddOffsetsToTxnResponse(new AddOffsetsToTxnResponseData().setErrorCode(error.code()));
    }
}
