package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.TopicRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * ListPartitionReassignments: the reassignments in progress (all, or those of the named
 * partitions), each with its full replica set and the replicas being added and removed, read from
 * ZooKeeper. Partitions or topics named but not being reassigned are left out, as in Kafka.
 */
final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {
    private final BrokerServices services;

    ListPartitionReassignmentsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListPartitionReassignmentsRequest request) {
        Optional<Map<String, List<Integer>>> wanted = Optional.ofNullable(request.data().topics()).map(ts -> {
            Map<String, List<Integer>> m = new LinkedHashMap<>();
            for (ListPartitionReassignmentsTopics t : ts) {
                m.computeIfAbsent(t.name(), n -> new java.util.ArrayList<>()).addAll(t.partitionIndexes());
            }
            return m;
        });
        ListPartitionReassignmentsResponseData data = new ListPartitionReassignmentsResponseData();
        try {
            for (TopicRecord topic : services.topics().reassigningTopics(wanted)) {
                OngoingTopicReassignment out = new OngoingTopicReassignment().setName(topic.name());
                topic.reassignments().forEach((p, r) -> {
                    if (wanted.isEmpty() || wanted.get().get(topic.name()).contains(p)) {
                        out.partitions().add(new OngoingPartitionReassignment().setPartitionIndex(p)
                                .setReplicas(topic.assignment().get(p)).setAddingReplicas(r.adding())
                                .setRemovingReplicas(r.removing()));
                    }
                });
                if (!out.partitions().isEmpty()) {
                    data.topics().add(out);
                }
            }
        } catch (RuntimeException e) {
            Errors error = Errors.forException(e);
            data.setErrorCode(error.code()).setErrorMessage(e.toString());
        }
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse(data));
    }
}
