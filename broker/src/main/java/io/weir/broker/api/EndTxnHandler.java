package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * EndTxn: the producer commits or aborts. Answered once the decision (PrepareCommit/PrepareAbort) is
 * replicated in {@code __transaction_state}; the coordinator then writes the markers. Up to v4: v5
 * belongs to transaction version 2 (an epoch bump with every EndTxn), which this broker does not
 * finalize, so clients do not send it.
 */
final class EndTxnHandler implements ApiHandler<EndTxnRequest> {
    private final BrokerServices services;

    EndTxnHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, EndTxnRequest request) {
        var d = request.data();
        return services.txns().endTxn(d.transactionalId(), d.producerId(), d.producerEpoch(), d.committed())
                .thenApply(error -> new EndTxnResponse(new EndTxnResponseData().setErrorCode(error.code())));
    }
}
