package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn from a producer (v0-v3): the partitions join its transaction at the coordinator
 * before it writes to them. An unknown partition fails the whole request (the others are answered
 * OPERATION_NOT_ATTEMPTED), as in Kafka. v4+ (brokers asking the coordinator to verify a partition
 * before a transactional produce, KIP-890) is not implemented, and not advertised.
 */
final class AddPartitionsToTxnHandler implements ApiHandler<AddPartitionsToTxnRequest> {
    private final BrokerServices services;

    AddPartitionsToTxnHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AddPartitionsToTxnRequest request) {
        var d = request.data();
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        Map<TopicPartition, Errors> unknown = new LinkedHashMap<>();
        for (AddPartitionsToTxnTopic t : d.v3AndBelowTopics()) {
            Optional<TopicMetadata> topic = services.metadata().topic(t.name());
            for (int p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                partitions.add(tp);
                if (topic.isEmpty() || !topic.get().partitions().containsKey(p)) {
                    unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
        }
        if (!unknown.isEmpty()) {
            Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
            partitions.forEach(tp -> errors.put(tp, unknown.getOrDefault(tp, Errors.OPERATION_NOT_ATTEMPTED)));
            return CompletableFuture.completedFuture(response(errors));
        }
        return services.txns().addPartitions(d.v3AndBelowTransactionalId(), d.v3AndBelowProducerId(),
                d.v3AndBelowProducerEpoch(), partitions).thenApply(error -> {
                    Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
                    partitions.forEach(tp -> errors.put(tp, error));
                    return response(errors);
                });
    }

    static AddPartitionsToTxnResponse response(Map<TopicPartition, Errors> errors) {
        AddPartitionsToTxnTopicResultCollection topics = new AddPartitionsToTxnTopicResultCollection();
        errors.forEach((tp, error) -> {
            AddPartitionsToTxnTopicResult t = topics.find(tp.topic());
            if (t == null) {
                t = new AddPartitionsToTxnTopicResult().setName(tp.topic());
                topics.add(t);
            }
            t.resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(tp.partition())
                    .setPartitionErrorCode(error.code()));
        });
        return new AddPartitionsToTxnResponse(new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(topics));
    }
}
