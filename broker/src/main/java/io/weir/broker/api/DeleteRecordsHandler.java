package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords (Admin {@code deleteRecords}, {@code kafka-delete-records.sh}, Kafka Streams purging its
 * repartition topics): the leader makes the given offset the first readable one and deletes the
 * segments wholly below it; followers take the new log start from the leader's fetch answers. An
 * offset of -1 means the high watermark; an offset above the high watermark (records not yet
 * committed) or below -1 is {@code OFFSET_OUT_OF_RANGE}. The answer's low watermark is the leader's new
 * log start offset (Kafka's waits for every replica's; here the followers follow within a fetch).
 */
final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {
    private static final Logger log = LoggerFactory.getLogger(DeleteRecordsHandler.class);

    private final BrokerServices services;

    DeleteRecordsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData data = new DeleteRecordsResponseData();
        for (DeleteRecordsTopic t : request.data().topics()) {
            DeleteRecordsTopicResult tr = new DeleteRecordsTopicResult().setName(t.name());
            data.topics().add(tr);
            for (DeleteRecordsPartition p : t.partitions()) {
                DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult().setPartitionIndex(p.partitionIndex())
                        .setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
                tr.partitions().add(out);
                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                Errors error = delete(tp, p.offset(), out);
                out.setErrorCode(error.code());
                if (error != Errors.NONE) {
                    log.debug("DeleteRecords of {} before {} from client '{}': {}", tp, p.offset(), context.header().clientId(),
                            error);
                }
            }
        }
        return CompletableFuture.completedFuture(new DeleteRecordsResponse(data));
    }

    private Errors delete(TopicPartition tp, long offset, DeleteRecordsPartitionResult out) {
        boolean known = services.metadata().topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
        if (!known) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        Optional<Partition> partition = services.replicas().partition(tp);
        if (partition.isEmpty() || !partition.get().isLeader()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        long hw = partition.get().highWatermark().offset();
        long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? hw : offset;
        if (target < 0 || target > hw) {
            return Errors.OFFSET_OUT_OF_RANGE;
        }
        try {
            partition.get().log().deleteRecordsBefore(target);
        } catch (RuntimeException e) {
            return ApiErrors.errorFor(e, tp);
        }
        out.setLowWatermark(partition.get().log().logStartOffset());
        log.info("Records of {} before offset {} deleted on request; log start offset now {}", tp, target,
                partition.get().log().logStartOffset());
        return Errors.NONE;
    }
}
