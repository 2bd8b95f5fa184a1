package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce with acks 0, 1 and all. Each partition is appended independently and answered with its
 * own error code (CRC and size validation happen in the log). Topics are named, or from v13
 * identified by id. acks=0 gets no response, as the protocol says.
 */
final class ProduceHandler implements ApiHandler<ProduceRequest> {
    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);
    private static final short TOPIC_ID_VERSION = 13;

    private final BrokerServices services;
    private final TopicLifecycle lifecycle;

    ProduceHandler(BrokerServices services, TopicLifecycle lifecycle) {
        this.services = services;
        this.lifecycle = lifecycle;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ProduceRequest request) {
        short version = context.header().apiVersion();
        short acks = request.data().acks();
        ProduceResponseData data = new ProduceResponseData();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (TopicProduceData td : request.data().topicData()) {
            TopicProduceResponse tr = new TopicProduceResponse().setName(td.name()).setTopicId(td.topicId());
            data.responses().add(tr);
            Errors topicError = Errors.NONE;
            TopicMetadata topic = null;
            if (acks != 0 && acks != 1 && acks != -1) {
                topicError = Errors.INVALID_REQUIRED_ACKS;
            } else {
                try {
                    topic = version >= TOPIC_ID_VERSION
                            ? services.metadata().topicById(td.topicId()).orElse(null)
                            : lifecycle.getOrAutoCreate(td.name());
                    if (topic == null) {
                        topicError = version >= TOPIC_ID_VERSION ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    }
                } catch (InvalidTopicException e) {
                    topicError = Errors.INVALID_TOPIC_EXCEPTION;
                }
            }
            for (PartitionProduceData pd : td.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index()).setBaseOffset(-1)
                        .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP).setLogStartOffset(-1);
                tr.partitionResponses().add(pr);
                if (topicError != Errors.NONE) {
                    pr.setErrorCode(topicError.code());
                    continue;
                }
                if (!topic.partitions().containsKey(pd.index())) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic '" + topic.name() + "' has no partition " + pd.index());
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), pd.index());
                pending.add(append(context, tp, topic, pd, acks, request.data().timeoutMs(), pr));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> acks == 0 ? null : new ProduceResponse(data));
    }

    private CompletableFuture<?> append(RequestContext context, TopicPartition tp, TopicMetadata topic, PartitionProduceData pd,
                                        short acks, int timeoutMs, PartitionProduceResponse pr) {
        CompletableFuture<LogAppendInfo> appended;
        try {
            if (!(pd.records() instanceof MemoryRecords records)) {
                throw new org.apache.kafka.common.errors.CorruptRecordException("Produce to " + tp + " carries no records");
            }
            int minIsr = ApiConfigs.minInsyncReplicas(topic.configs(), services.minInsyncReplicas());
            appended = services.replicas().appendRecords(tp, records, acks, minIsr, Math.max(0, timeoutMs));
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((info, error) -> {
            if (error != null) {
                Errors code = ApiErrors.errorFor(error, tp);
                pr.setErrorCode(code.code()).setErrorMessage(ApiErrors.unwrap(error).getMessage());
                if (acks == 0 || code.exception() != null
                        && !(code.exception() instanceof org.apache.kafka.common.errors.RetriableException)) {
                    // bad input from this client (or no response to carry the error): one line naming it
                    log.warn("Produce from client '{}' at {} to {} refused with {}: {}", context.header().clientId(),
                            context.clientAddress(), tp, code, ApiErrors.unwrap(error).getMessage());
                }
            } else {
                pr.setBaseOffset(info.firstOffset()).setLogAppendTimeMs(info.logAppendTime())
                        .setLogStartOffset(info.logStartOffset());
            }
            return null;
        });
    }
}
