package io.weir.broker.api;

import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.RequestContext;
import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsResponse;

/**
 * DescribeShareGroupOffsets, on the group's coordinator: the start offset (SPSO) of each
 * share-partition, read from its share coordinator. With no topics named, every topic with a
 * share-partition state of the group is listed. The lag is not computed (-1).
 */
final class DescribeShareGroupOffsetsHandler implements ApiHandler<DescribeShareGroupOffsetsRequest> {
    private final ShareSupport share;

    DescribeShareGroupOffsetsHandler(ShareSupport share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeShareGroupOffsetsRequest request) {
        DescribeShareGroupOffsetsResponseData out = new DescribeShareGroupOffsetsResponseData();
        for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g : request.data().groups()) {
            DescribeShareGroupOffsetsResponseGroup group = new DescribeShareGroupOffsetsResponseGroup().setGroupId(g.groupId());
            out.groups().add(group);
            Errors error = share.groups().checkCoordinator(g.groupId());
            if (error != Errors.NONE) {
                group.setErrorCode(error.code()).setErrorMessage(error.message());
                continue;
            }
            if (share.groups().coordinator().describe(g.groupId()) != null) {
                group.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + g.groupId() + " is not a share group.");
                continue;
            }
            boolean all = g.topics() == null;
            List<TopicMetadata> topics = new ArrayList<>();
            List<List<Integer>> partitions = new ArrayList<>();
            if (all) {
                for (TopicMetadata t : share.services().metadata().topics()) {
                    if (!t.isInternal()) {
                        topics.add(t);
                        partitions.add(t.partitions().keySet().stream().sorted().toList());
                    }
                }
            } else {
                for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic rt : g.topics()) {
                    Optional<TopicMetadata> t = share.services().metadata().topic(rt.topicName());
                    if (t.isEmpty()) {
                        DescribeShareGroupOffsetsResponseTopic missing = new DescribeShareGroupOffsetsResponseTopic()
                                .setTopicName(rt.topicName());
                        rt.partitions().forEach(p -> missing.partitions().add(new DescribeShareGroupOffsetsResponsePartition()
                                .setPartitionIndex(p).setStartOffset(-1).setLeaderEpoch(-1)
                                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown topic " + rt.topicName())));
                        group.topics().add(missing);
                        continue;
                    }
                    topics.add(t.get());
                    partitions.add(rt.partitions());
                }
            }
            for (int i = 0; i < topics.size(); i++) {
                TopicMetadata t = topics.get(i);
                DescribeShareGroupOffsetsResponseTopic topic = new DescribeShareGroupOffsetsResponseTopic().setTopicName(t.name())
                        .setTopicId(t.topicId());
                for (int p : partitions.get(i)) {
                    DescribeShareGroupOffsetsResponsePartition pr = new DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(p)
                            .setLeaderEpoch(-1).setStartOffset(-1);
                    try {
                        Optional<ShareSnapshot> s = share.share().persister().read(new ShareKey(g.groupId(), t.topicId(), p), -1);
                        if (s.isEmpty() || s.get().isDeleted()) {
                            if (all) {
                                continue;
                            }
                        } else {
                            pr.setStartOffset(s.get().startOffset());
                        }
                    } catch (RuntimeException e) {
                        Errors err = ApiErrors.errorFor(e, t.name() + "-" + p);
                        pr.setErrorCode(err.code()).setErrorMessage(e.getMessage());
                    }
                    topic.partitions().add(pr);
                }
                if (!topic.partitions().isEmpty()) {
                    group.topics().add(topic);
                }
            }
        }
        return CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponse(out));
    }
}
