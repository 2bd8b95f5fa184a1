package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.txn.LocalMarkerWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * WriteTxnMarkers, from a transaction coordinator to the leader of the partitions in a transaction:
 * appends each COMMIT or ABORT marker (see {@link TxnMarkerAppender}) and answers per partition once
 * it is replicated.
 */
final class WriteTxnMarkersHandler implements ApiHandler<WriteTxnMarkersRequest> {
    private final LocalMarkerWriter markers;

    WriteTxnMarkersHandler(LocalMarkerWriter markers) {
        this.markers = markers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, WriteTxnMarkersRequest request) {
        Map<Long, Map<TopicPartition, Errors>> results = new LinkedHashMap<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (WriteTxnMarkersRequest.TxnMarkerEntry entry : request.markers()) {
            Map<TopicPartition, Errors> forProducer = results.computeIfAbsent(entry.producerId(), p -> new HashMap<>());
            boolean commit = entry.transactionResult() == TransactionResult.COMMIT;
            for (TopicPartition tp : entry.partitions()) {
                pending.add(markers.write(tp, entry.producerId(), entry.producerEpoch(), entry.coordinatorEpoch(), commit)
                        .thenAccept(error -> {
                            synchronized (forProducer) {
                                forProducer.put(tp, error);
                            }
                        }));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> new WriteTxnMarkersResponse(results));
    }
}
