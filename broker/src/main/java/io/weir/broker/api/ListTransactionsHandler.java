package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.txn.TransactionState;
import io.weir.broker.txn.TxnRecord;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;

/**
 * ListTransactions: the transactional ids this broker coordinates, filtered by state, producer id,
 * duration (v1: open longer than) and id pattern (v2). Unknown state names are answered in
 * {@code unknown_state_filters}, as Kafka does.
 */
final class ListTransactionsHandler implements ApiHandler<ListTransactionsRequest> {
    private final BrokerServices services;

    ListTransactionsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListTransactionsRequest request) {
        var d = request.data();
        ListTransactionsResponseData data = new ListTransactionsResponseData();
        Set<TransactionState> states = new HashSet<>();
        for (String name : d.stateFilters()) {
            TransactionState s = TransactionState.fromDisplayName(name);
            if (s == null) {
                data.unknownStateFilters().add(name);
            } else {
                states.add(s);
            }
        }
        Pattern pattern = null;
        if (d.transactionalIdPattern() != null && !d.transactionalIdPattern().isEmpty()) {
            try {
                pattern = Pattern.compile(d.transactionalIdPattern());
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(new ListTransactionsResponse(
                        data.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code())));
            }
        }
        Set<Long> producers = new HashSet<>(d.producerIdFilters());
        long now = services.time().milliseconds();
        for (TxnRecord t : services.txns().listTransactions()) {
            if (!states.isEmpty() && !states.contains(t.state())
                    || !producers.isEmpty() && !producers.contains(t.producerId())
                    || d.durationFilter() >= 0 && (t.state() != TransactionState.ONGOING || t.startTimestamp() < 0
                    || now - t.startTimestamp() < d.durationFilter())
                    || pattern != null && !pattern.matcher(t.transactionalId()).matches()) {
                continue;
            }
            data.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                    .setTransactionalId(t.transactionalId()).setProducerId(t.producerId())
                    .setTransactionState(t.state().displayName()));
        }
        return CompletableFuture.completedFuture(new ListTransactionsResponse(data));
    }
}
