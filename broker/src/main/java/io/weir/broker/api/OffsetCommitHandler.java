package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.CommittedOffset;
import io.weir.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;

/**
 * OffsetCommit: checks the member and generation (or accepts a member-less commit for an empty group),
 * writes the offsets to {@code __consumer_offsets} and answers once they are durable. Topics are named,
 * or from v10 identified by id.
 */
final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {
    private static final short TOPIC_ID_VERSION = 10;

    private final BrokerServices services;
    private final GroupSupport groups;

    OffsetCommitHandler(BrokerServices services, GroupSupport groups) {
        this.services = services;
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetCommitRequest request) {
        short version = context.header().apiVersion();
        OffsetCommitRequestData d = request.data();
        long now = services.time().milliseconds();
        Map<TopicPartition, CommittedOffset> commits = new LinkedHashMap<>();
        Map<TopicPartition, OffsetCommitRequestTopic> topicOf = new LinkedHashMap<>();
        Map<TopicPartition, Errors> unknown = new LinkedHashMap<>();
        for (OffsetCommitRequestTopic t : d.topics()) {
            String name = t.name();
            if (version >= TOPIC_ID_VERSION) {
                Optional<TopicMetadata> topic = services.metadata().topicById(t.topicId());
                name = topic.map(TopicMetadata::name).orElse(null);
            }
            for (OffsetCommitRequestPartition p : t.partitions()) {
                TopicPartition tp = new TopicPartition(name == null ? t.topicId().toString() : name, p.partitionIndex());
                topicOf.put(tp, t);
                if (name == null) {
                    unknown.put(tp, Errors.UNKNOWN_TOPIC_ID);
                    continue;
                }
                commits.put(tp, new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
            }
        }
        Errors coordinatorError = groups.checkCoordinator(d.groupId());
        CompletableFuture<Map<TopicPartition, Errors>> result;
        if (coordinatorError != Errors.NONE) {
            Map<TopicPartition, Errors> all = new LinkedHashMap<>();
            commits.keySet().forEach(tp -> all.put(tp, coordinatorError));
            result = CompletableFuture.completedFuture(all);
        } else {
            result = groups.coordinator().commitOffsets(d.groupId(), d.memberId(), version >= 7 ? d.groupInstanceId() : null,
                    d.generationIdOrMemberEpoch(), commits);
        }
        return result.thenApply(errors -> {
            Map<TopicPartition, Errors> all = new LinkedHashMap<>(errors);
            all.putAll(unknown);
            OffsetCommitResponseData data = new OffsetCommitResponseData();
            Map<OffsetCommitRequestTopic, OffsetCommitResponseTopic> topics = new LinkedHashMap<>();
            all.forEach((tp, error) -> {
                OffsetCommitRequestTopic rt = topicOf.get(tp);
                OffsetCommitResponseTopic out = topics.computeIfAbsent(rt, k -> {
                    OffsetCommitResponseTopic created = new OffsetCommitResponseTopic();
                    if (version >= TOPIC_ID_VERSION) {
                        created.setTopicId(k.topicId());
                    } else {
                        created.setName(k.name());
                    }
                    data.topics().add(created);
                    return created;
                });
                out.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(tp.partition()).setErrorCode(error.code()));
            });
            return new OffsetCommitResponse(data);
        });
    }
}
