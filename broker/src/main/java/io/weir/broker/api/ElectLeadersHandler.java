package io.weir.broker.api;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.controller.Controller;
import io.weir.broker.network.BrokerClient;
import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.BrokerRegistration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders: preferred or unclean leader elections on request, run by the active controller. The
 * Admin client sends it to the broker its metadata names as controller and does not retry a
 * NOT_CONTROLLER answer, so a broker that is not (or no longer) the controller forwards the request to
 * the one it knows and relays the answer, as Kafka's brokers forward to theirs. It connects to the
 * controller's inter-broker listener and logs in as replica fetchers do (TLS, SASL), so the controller
 * sees the broker's principal; the client's own authorization was checked here. A forwarded request is
 * not forwarded again (no loops while the brokers' views of the controller differ). Version 0 knows
 * only preferred elections and has no top-level error, so its errors go on every named partition.
 */
final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequest> {
    private static final String FORWARDER_PREFIX = "weir-forwarder-";
    /** Forwarding blocks on a socket: one daemon thread, gone when idle. */
    private static final ExecutorService FORWARDING = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), new NamedThreadFactory("weir-elect-leaders-forwarder", true));

    private final BrokerServices services;

    ElectLeadersHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ElectLeadersRequest request) {
        short version = context.header().apiVersion();
        boolean unclean = version >= 1 && request.data().electionType() == ElectionType.UNCLEAN.value;
        Optional<Set<TopicPartition>> partitions = Optional.ofNullable(request.data().topicPartitions()).map(tps -> {
            Set<TopicPartition> out = new LinkedHashSet<>();
            for (TopicPartitions t : tps) {
                t.partitions().forEach(p -> out.add(new TopicPartition(t.topic(), p)));
            }
            return out;
        });
        Controller controller = services.controller().get();
        boolean forwarded = context.header().clientId() != null && context.header().clientId().startsWith(FORWARDER_PREFIX);
        if (controller != null && !controller.isActive() && !forwarded) {
            return forward(request, partitions, version);
        }
        CompletableFuture<Map<TopicPartition, ApiError>> outcome = controller == null
                ? CompletableFuture.failedFuture(new NotControllerException("Broker " + services.brokerId() + " is starting"))
                : controller.electLeaders(unclean, partitions);
        return respond(outcome, partitions, version);
    }

    private CompletableFuture<AbstractResponse> forward(ElectLeadersRequest request, Optional<Set<TopicPartition>> partitions,
                                                        short version) {
        int controllerId = services.metadata().controllerId();
        Optional<BrokerRegistration> target = controllerId == services.brokerId() ? Optional.empty()
                : services.metadata().broker(controllerId);
        if (target.isEmpty()) {
            return respond(CompletableFuture.failedFuture(new NotControllerException("Broker " + services.brokerId()
                    + " knows no live controller to forward to (controller " + controllerId + ")")), partitions, version);
        }
        InetSocketAddress address = new InetSocketAddress(target.get().host(), target.get().port());
        int timeoutMs = Math.max(request.data().timeoutMs(), 0) + 10_000;
        return CompletableFuture.supplyAsync(() -> {
            try (BrokerClient client = new BrokerClient(FORWARDER_PREFIX + services.brokerId(), address, 16 << 20, timeoutMs,
                    services.replicas().interBrokerSecurity())) {
                return (AbstractResponse) new ElectLeadersResponse(((ElectLeadersResponse) client.send(request)).data());
            } catch (IOException e) {
                throw new CompletionException(new NotControllerException("Cannot forward ElectLeaders to controller " + controllerId
                        + " at " + address + ": " + e.getMessage()));
            }
        }, FORWARDING).exceptionallyCompose(e -> respond(CompletableFuture.failedFuture(e), partitions, version));
    }

    private static CompletableFuture<AbstractResponse> respond(CompletableFuture<Map<TopicPartition, ApiError>> outcome,
                                                              Optional<Set<TopicPartition>> partitions, short version) {
        return outcome.handle((results, error) -> {
            ElectLeadersResponseData data = new ElectLeadersResponseData();
            if (error != null) {
                ApiError top = ApiError.fromThrowable(ApiErrors.unwrap(error));
                if (version >= 1) {
                    data.setErrorCode(top.error().code());
                } else {
                    Map<TopicPartition, ApiError> each = new LinkedHashMap<>();
                    partitions.orElse(Set.of()).forEach(tp -> each.put(tp, top));
                    addResults(data, each);
                }
            } else {
                addResults(data, results);
            }
            return new ElectLeadersResponse(data);
        });
    }

    private static void addResults(ElectLeadersResponseData data, Map<TopicPartition, ApiError> results) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, e) -> byTopic.computeIfAbsent(tp.topic(), t -> {
            ReplicaElectionResult r = new ReplicaElectionResult().setTopic(t);
            data.replicaElectionResults().add(r);
            return r;
        }).partitionResult().add(new PartitionResult().setPartitionId(tp.partition()).setErrorCode(e.error().code())
                .setErrorMessage(e.error() == Errors.NONE ? null : e.message())));
    }
}
