package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.ActiveProducer;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers, at the partition leader: the producers with state in each partition, with their
 * epochs, last sequence and open transaction ({@code kafka-transactions.sh describe-producers}).
 */
final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {
    private final BrokerServices services;

    DescribeProducersHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeProducersRequest request) {
        DescribeProducersResponseData data = new DescribeProducersResponseData();
        for (TopicRequest t : request.data().topics()) {
            TopicResponse tr = new TopicResponse().setName(t.name());
            data.topics().add(tr);
            Optional<TopicMetadata> topic = services.metadata().topic(t.name());
            for (int p : t.partitionIndexes()) {
                PartitionResponse pr = new PartitionResponse().setPartitionIndex(p);
                tr.partitions().add(pr);
                if (topic.isEmpty() || !topic.get().partitions().containsKey(p)) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Optional<Partition> partition = services.replicas().partition(new TopicPartition(t.name(), p));
                if (partition.isEmpty() || !partition.get().isLeader()) {
                    pr.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    continue;
                }
                for (ActiveProducer a : partition.get().log().activeProducers()) {
                    pr.activeProducers().add(new ProducerState().setProducerId(a.producerId()).setProducerEpoch(a.epoch())
                            .setLastSequence(a.lastSequence()).setLastTimestamp(a.lastTimestamp())
                            .setCoordinatorEpoch(a.coordinatorEpoch()).setCurrentTxnStartOffset(a.currentTxnStartOffset()));
                }
            }
        }
        return CompletableFuture.completedFuture(new DescribeProducersResponse(data));
    }
}
