package io.weir.broker.api;

import io.weir.broker.group.CommittedOffset;
import io.weir.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;

/**
 * TxnOffsetCommit, at the group coordinator: offsets that become the group's when the producer's
 * transaction commits (its marker reaches the offsets partition) and vanish when it aborts. Up to v4:
 * v5+ belong to transaction version 2 (the offsets partition joins the transaction implicitly).
 */
final class TxnOffsetCommitHandler implements ApiHandler<TxnOffsetCommitRequest> {
    private final BrokerServices services;
    private final GroupSupport groups;

    TxnOffsetCommitHandler(BrokerServices services, GroupSupport groups) {
        this.services = services;
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, TxnOffsetCommitRequest request) {
        var d = request.data();
        long now = services.time().milliseconds();
        Map<TopicPartition, CommittedOffset> commits = new LinkedHashMap<>();
        for (TxnOffsetCommitRequestTopic t : d.topics()) {
            for (TxnOffsetCommitRequestPartition p : t.partitions()) {
                commits.put(new TopicPartition(t.name(), p.partitionIndex()),
                        new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
            }
        }
        Errors coordinatorError = groups.checkCoordinator(d.groupId());
        CompletableFuture<Map<TopicPartition, Errors>> result;
        if (coordinatorError != Errors.NONE) {
            Map<TopicPartition, Errors> all = new LinkedHashMap<>();
            commits.keySet().forEach(tp -> all.put(tp, coordinatorError));
            result = CompletableFuture.completedFuture(all);
        } else {
            result = groups.coordinator().commitTransactionalOffsets(d.groupId(), d.producerId(), d.producerEpoch(),
                    d.memberId(), d.groupInstanceId(), d.generationIdOrMemberEpoch(), commits);
        }
        return result.thenApply(errors -> {
            Map<TopicPartition, Errors> answered = new LinkedHashMap<>();
            // the offsets partition moved: the client must find the coordinator again
            errors.forEach((tp, e) -> answered.put(tp, e == Errors.NOT_LEADER_OR_FOLLOWER ? Errors.NOT_COORDINATOR : e));
            return new TxnOffsetCommitResponse(0, answered);
        });
    }
}
