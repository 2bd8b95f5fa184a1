package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.group.CommittedOffset;
import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch: a group's committed offsets (all of them, or the partitions asked; -1 for none), for one
 * group (v1-7) or several (v8+), topics named or from v10 identified by id. A consumer that requires
 * stable offsets (v7+, read_committed) gets UNSTABLE_OFFSET_COMMIT for a partition whose offset an
 * undecided transaction is committing, and asks again.
 */
final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {
    private static final short BATCHED_VERSION = 8;
    private static final short TOPIC_ID_VERSION = 10;
    private static final short REQUIRE_STABLE_VERSION = 7;

    private final BrokerServices services;
    private final GroupSupport groups;

    OffsetFetchHandler(BrokerServices services, GroupSupport groups) {
        this.services = services;
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    /** One partition's answer. */
    private record Answer(String topic, Uuid topicId, int partition, CommittedOffset offset, Errors error) {
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.header().apiVersion();
        OffsetFetchResponseData data = new OffsetFetchResponseData();
        if (version >= BATCHED_VERSION) {
            for (OffsetFetchRequestGroup g : request.data().groups()) {
                List<Answer> answers = new ArrayList<>();
                Errors error = fetch(g.groupId(), g.topics() == null ? null : g.topics().stream()
                        .map(t -> new Requested(t.name(), t.topicId(), t.partitionIndexes())).toList(), version,
                        request.data().requireStable(), answers);
                OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(g.groupId()).setErrorCode(error.code());
                Map<String, OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
                for (Answer a : answers) {
                    OffsetFetchResponseTopics t = topics.computeIfAbsent(a.topic(), k -> {
                        OffsetFetchResponseTopics created = new OffsetFetchResponseTopics();
                        if (version >= TOPIC_ID_VERSION) {
                            created.setTopicId(a.topicId());
                        } else {
                            created.setName(a.topic());
                        }
                        out.topics().add(created);
                        return created;
                    });
                    t.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(a.partition())
                            .setCommittedOffset(a.offset() == null ? -1 : a.offset().offset())
                            .setCommittedLeaderEpoch(a.offset() == null ? -1 : a.offset().leaderEpoch())
                            .setMetadata(a.offset() == null ? "" : a.offset().metadata())
                            .setErrorCode(a.error().code()));
                }
                data.groups().add(out);
            }
            return CompletableFuture.completedFuture(new OffsetFetchResponse(data, version));
        }
        List<OffsetFetchRequestTopic> topicsAsked = request.data().topics();
        List<Answer> answers = new ArrayList<>();
        Errors error = fetch(request.data().groupId(), topicsAsked == null ? null : topicsAsked.stream()
                .map(t -> new Requested(t.name(), Uuid.ZERO_UUID, t.partitionIndexes())).toList(), version,
                version >= REQUIRE_STABLE_VERSION && request.data().requireStable(), answers);
        data.setErrorCode(error.code());
        Map<String, OffsetFetchResponseTopic> topics = new LinkedHashMap<>();
        for (Answer a : answers) {
            OffsetFetchResponseTopic t = topics.computeIfAbsent(a.topic(), k -> {
                OffsetFetchResponseTopic created = new OffsetFetchResponseTopic().setName(k);
                data.topics().add(created);
                return created;
            });
            OffsetFetchResponsePartition p = new OffsetFetchResponsePartition().setPartitionIndex(a.partition())
                    .setCommittedOffset(a.offset() == null ? -1 : a.offset().offset())
                    .setMetadata(a.offset() == null ? "" : a.offset().metadata()).setErrorCode(a.error().code());
            if (version >= 5) {
                p.setCommittedLeaderEpoch(a.offset() == null ? -1 : a.offset().leaderEpoch());
            }
            t.partitions().add(p);
        }
        return CompletableFuture.completedFuture(new OffsetFetchResponse(data, version));
    }

    /** Topics and partitions asked for. */
    private record Requested(String name, Uuid topicId, List<Integer> partitions) {
    }

    private Errors fetch(String groupId, List<Requested> requested, short version, boolean requireStable, List<Answer> out) {
        Errors coordinatorError = groups.checkCoordinator(groupId);
        if (coordinatorError != Errors.NONE) {
            if (requested != null) {
                for (Requested r : requested) {
                    r.partitions().forEach(p -> out.add(new Answer(r.name(), r.topicId(), p, null, coordinatorError)));
                }
            }
            return coordinatorError;
        }
        if (requested == null) {
            Map<TopicPartition, CommittedOffset> all = groups.coordinator().fetchOffsets(groupId, null);
            all.forEach((tp, o) -> {
                Uuid id = services.metadata().topic(tp.topic()).map(TopicMetadata::topicId).orElse(Uuid.ZERO_UUID);
                if (version < TOPIC_ID_VERSION || !id.equals(Uuid.ZERO_UUID)) {
                    out.add(new Answer(tp.topic(), id, tp.partition(), o, Errors.NONE));
                }
            });
            return Errors.NONE;
        }
        for (Requested r : requested) {
            String name = r.name();
            Errors topicError = Errors.NONE;
            if (version >= TOPIC_ID_VERSION) {
                Optional<TopicMetadata> topic = services.metadata().topicById(r.topicId());
                name = topic.map(TopicMetadata::name).orElse(null);
                if (name == null) {
                    topicError = Errors.UNKNOWN_TOPIC_ID;
                }
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (int p : r.partitions()) {
                tps.add(new TopicPartition(name == null ? "" : name, p));
            }
            Map<TopicPartition, CommittedOffset> found = topicError == Errors.NONE
                    ? groups.coordinator().fetchOffsets(groupId, tps) : Map.of();
            for (TopicPartition tp : tps) {
                if (requireStable && topicError == Errors.NONE && groups.coordinator().hasPendingTransactionalOffset(groupId, tp)) {
                    // a transaction commits an offset here soon: the consumer retries (KIP-447)
                    out.add(new Answer(r.name() == null ? tp.topic() : r.name(), r.topicId(), tp.partition(), null,
                            Errors.UNSTABLE_OFFSET_COMMIT));
                    continue;
                }
                out.add(new Answer(r.name() == null ? tp.topic() : r.name(), r.topicId(), tp.partition(), found.get(tp), topicError));
            }
        }
        return Errors.NONE;
    }
}
