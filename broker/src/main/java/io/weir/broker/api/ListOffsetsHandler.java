package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.log.TimestampOffset;
import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: the earliest offset, the latest (the high watermark; the last stable offset for
 * read_committed), the offset of the largest
 * timestamp, or the first offset whose timestamp is at least the one asked.
 */
final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {
    private static final short LEADER_EPOCH_VERSION = 4;

    private final BrokerServices services;

    ListOffsetsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListOffsetsRequest request) {
        ListOffsetsResponseData data = new ListOffsetsResponseData();
        for (ListOffsetsTopic t : request.data().topics()) {
            ListOffsetsTopicResponse tr = new ListOffsetsTopicResponse().setName(t.name());
            data.topics().add(tr);
            Optional<TopicMetadata> topic = services.metadata().topic(t.name());
            for (ListOffsetsPartition p : t.partitions()) {
                ListOffsetsPartitionResponse pr = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                        .setTimestamp(RecordBatch.NO_TIMESTAMP).setOffset(-1);
                tr.partitions().add(pr);
                if (topic.isEmpty() || !topic.get().partitions().containsKey(p.partitionIndex())) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                Optional<Partition> partition = services.replicas().partition(tp);
                if (partition.isEmpty() || !partition.get().isLeader()) {
                    pr.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    continue;
                }
                int epoch = partition.get().leaderEpoch();
                if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != epoch) {
                    pr.setErrorCode((p.currentLeaderEpoch() < epoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH).code());
                    continue;
                }
                try {
                    lookup(partition.get(), p.timestamp(), pr,
                            request.data().isolationLevel() == IsolationLevel.READ_COMMITTED.id());
                    if (context.header().apiVersion() >= LEADER_EPOCH_VERSION) {
                        pr.setLeaderEpoch(epoch);
                    }
                } catch (RuntimeException e) {
                    pr.setErrorCode(ApiErrors.errorFor(e, tp).code());
                }
            }
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponse(data));
    }

    private static void lookup(Partition partition, long timestamp, ListOffsetsPartitionResponse pr, boolean readCommitted) {
        PartitionLog log = partition.log();
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            pr.setOffset(log.logStartOffset());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            pr.setOffset(readCommitted ? partition.lastStableOffset() : partition.highWatermark().offset());
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            long max = log.segments().stream().mapToLong(s -> s.maxTimestamp()).max().orElse(RecordBatch.NO_TIMESTAMP);
            Optional<TimestampOffset> found = max == RecordBatch.NO_TIMESTAMP ? Optional.empty() : log.offsetForTimestamp(max);
            found.ifPresent(f -> pr.setTimestamp(f.timestamp()).setOffset(f.offset()));
        } else if (timestamp >= 0) {
            log.offsetForTimestamp(timestamp).ifPresent(f -> pr.setTimestamp(f.timestamp()).setOffset(f.offset()));
        } else {
            throw new org.apache.kafka.common.errors.UnsupportedVersionException("ListOffsets timestamp " + timestamp
                    + " (tiered storage) is not supported");
        }
    }
}
