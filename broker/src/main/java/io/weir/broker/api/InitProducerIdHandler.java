package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId. Idempotent producers get a cluster-unique producer id at epoch 0; one that asks to
 * bump its epoch (it sends its current id and epoch after an error) keeps its id with the next epoch,
 * which fences its own older in-flight batches. Transactional producers are answered by the
 * transaction coordinator of their id (epoch bump, fencing of the previous instance).
 *
 * <p>Up to v5: v6 adds two-phase commit (KIP-939), which this broker does not implement.
 */
final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
    private final BrokerServices services;

    InitProducerIdHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdResponseData data = new InitProducerIdResponseData();
        String transactionalId = request.data().transactionalId();
        if (transactionalId != null) {
            return services.txns().initProducerId(transactionalId, request.data().transactionTimeoutMs(),
                    request.data().producerId(), request.data().producerEpoch()).thenApply(r -> {
                        data.setErrorCode(r.error().code()).setProducerId(r.producerId()).setProducerEpoch(r.producerEpoch());
                        return new InitProducerIdResponse(data);
                    });
        }
        long currentId = request.data().producerId();
        short currentEpoch = request.data().producerEpoch();
        if (currentId != RecordBatch.NO_PRODUCER_ID && currentEpoch >= 0 && currentEpoch < Short.MAX_VALUE - 1) {
            data.setProducerId(currentId).setProducerEpoch((short) (currentEpoch + 1));
        } else {
            data.setProducerId(services.producerIds().nextProducerId()).setProducerEpoch((short) 0);
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponse(data));
    }
}
