package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.txn.TransactionCoordinator;
import io.weir.broker.txn.TxnRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;

/** DescribeTransactions: state, producer, timeout, start time and partitions of transactional ids coordinated here. */
final class DescribeTransactionsHandler implements ApiHandler<DescribeTransactionsRequest> {
    private final BrokerServices services;

    DescribeTransactionsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeTransactionsRequest request) {
        DescribeTransactionsResponseData data = new DescribeTransactionsResponseData();
        for (String id : request.data().transactionalIds()) {
            DescribeTransactionsResponseData.TransactionState out = new DescribeTransactionsResponseData.TransactionState()
                    .setTransactionalId(id).setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH).setTransactionStartTimeMs(-1).setTransactionState("");
            data.transactionStates().add(out);
            TransactionCoordinator.Description d = id == null || id.isEmpty()
                    ? new TransactionCoordinator.Description(Errors.INVALID_REQUEST, null) : services.txns().describe(id);
            out.setErrorCode(d.error().code());
            TxnRecord t = d.txn();
            if (t == null) {
                continue;
            }
            out.setTransactionState(t.state().displayName()).setTransactionTimeoutMs(t.timeoutMs())
                    .setTransactionStartTimeMs(t.startTimestamp()).setProducerId(t.producerId())
                    .setProducerEpoch(t.producerEpoch());
            Map<String, List<Integer>> byTopic = new TreeMap<>();
            for (TopicPartition tp : t.partitions()) {
                byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
            }
            byTopic.forEach((topic, partitions) -> out.topics().add(new TopicData().setTopic(topic)
                    .setPartitions(partitions.stream().sorted().toList())));
        }
        return CompletableFuture.completedFuture(new DescribeTransactionsResponse(data));
    }
}
