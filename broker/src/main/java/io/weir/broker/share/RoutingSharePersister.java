package io.weir.broker.share;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.network.BrokerClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;

/**
 * The {@link SharePersister} of a broker: a key's state lives with the leader of its
 * {@code __share_group_state} partition. When that is this broker the {@link ShareStateStore} is
 * called directly; otherwise the state travels as ReadShareGroupState / WriteShareGroupState
 * requests (KIP-932's own inter-broker APIs) over one connection per coordinator broker, sent in
 * order from one thread per broker so that a share-partition's writes arrive in the order made.
 *
 * <p>Thread-safe. {@link #close} drops the connections and threads.
 */
public final class RoutingSharePersister implements SharePersister, AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;

    /** The leader of a state partition: this broker, another one, or none right now. */
    public record Coordinator(int brokerId, String host, int port, boolean local) {
    }

    private final ShareStateStore store;
    private final IntFunction<Optional<Coordinator>> leaderOf;
    private final int brokerId;
    private final int socketTimeoutMs;
    private final Map<Integer, Remote> remotes = new ConcurrentHashMap<>();

    private record Remote(String host, int port, BrokerClient client, ExecutorService thread) {
    }

    /**
     * @param leaderOf the leader of a state partition (creating the state topic first when it does not exist)
     */
    private volatile io.weir.broker.network.InterBrokerSecurity security = io.weir.broker.network.InterBrokerSecurity.PLAINTEXT;

    /** Forwarding to other brokers as {@code security} says (set once, before use). */
    public RoutingSharePersister withSecurity(io.weir.broker.network.InterBrokerSecurity security) {
        this.security = security;
        return this;
    }

    public RoutingSharePersister(int brokerId, ShareStateStore store, IntFunction<Optional<Coordinator>> leaderOf, int socketTimeoutMs) {
        this.brokerId = brokerId;
        this.store = store;
        this.leaderOf = leaderOf;
        this.socketTimeoutMs = socketTimeoutMs;
    }

    private Coordinator coordinator(ShareKey key) {
        return leaderOf.apply(store.partitionFor(key)).orElseThrow(() -> new CoordinatorNotAvailableException(
                "No leader for the share state of " + key + " (partition " + store.partitionFor(key) + ")"));
    }

    /** A background write ({@code durable} false) is one only on this broker; over the network a write is always durable. */
    @Override
    public CompletableFuture<Void> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot, boolean durable) {
        Coordinator c;
        try {
            c = coordinator(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (c.local()) {
            try {
                return store.write(key, leaderEpoch, snapshot, durable).thenApply(v -> null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        WriteShareGroupStateRequestData data = new WriteShareGroupStateRequestData().setGroupId(key.groupId());
        data.topics().add(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(key.topicId())
                .setPartitions(List.of(ShareStateMessages.toWrite(key.partition(), leaderEpoch, snapshot))));
        return call(c, new WriteShareGroupStateRequest(data, (short) 0)).thenApply(r -> {
            WriteShareGroupStateResponseData rd = ((WriteShareGroupStateResponse) r).data();
            for (WriteShareGroupStateResponseData.WriteStateResult t : rd.results()) {
                for (WriteShareGroupStateResponseData.PartitionResult p : t.partitions()) {
                    if (p.errorCode() != Errors.NONE.code()) {
                        throw Errors.forCode(p.errorCode()).exception(p.errorMessage());
                    }
                }
            }
            return null;
        });
    }

    @Override
    public Optional<ShareSnapshot> read(ShareKey key, int leaderEpoch) {
        Coordinator c = coordinator(key);
        if (c.local()) {
            return store.read(key);
        }
        ReadShareGroupStateRequestData data = new ReadShareGroupStateRequestData().setGroupId(key.groupId());
        data.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(key.topicId())
                .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData().setPartition(key.partition())
                        .setLeaderEpoch(leaderEpoch))));
        ReadShareGroupStateResponseData rd;
        try {
            rd = ((ReadShareGroupStateResponse) call(c, new ReadShareGroupStateRequest(data, (short) 0))
                    .get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)).data();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinatorNotAvailableException("Interrupted reading the share state of " + key);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw cause instanceof RuntimeException re ? re : new CoordinatorNotAvailableException(
                    "Cannot read the share state of " + key + " from broker " + c.brokerId() + ": " + cause);
        }
        for (ReadShareGroupStateResponseData.ReadStateResult t : rd.results()) {
            for (ReadShareGroupStateResponseData.PartitionResult p : t.partitions()) {
                if (p.errorCode() != Errors.NONE.code()) {
                    throw Errors.forCode(p.errorCode()).exception(p.errorMessage());
                }
                return ShareStateMessages.fromRead(p);
            }
        }
        return Optional.empty();
    }

    private CompletableFuture<org.apache.kafka.common.requests.AbstractResponse> call(Coordinator c,
                                                                                    org.apache.kafka.common.requests.AbstractRequest request) {
        Remote remote = remotes.compute(c.brokerId(), (id, r) -> {
            if (r != null && r.host().equals(c.host()) && r.port() == c.port()) {
                return r;
            }
            if (r != null) {
                r.client().close();
                r.thread().shutdown();
            }
            return new Remote(c.host(), c.port(), new BrokerClient("weir-share-state-" + brokerId,
                    new InetSocketAddress(c.host(), c.port()), 64 << 20, socketTimeoutMs, security),
                    Executors.newSingleThreadExecutor(new NamedThreadFactory("weir-share-state-to-" + id, true)));
        });
        CompletableFuture<org.apache.kafka.common.requests.AbstractResponse> result = new CompletableFuture<>();
        try {
            remote.thread().execute(() -> {
                try {
                    result.complete(remote.client().send(request));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(new CoordinatorNotAvailableException("Share coordinator " + c.brokerId()
                            + " at " + c.host() + ":" + c.port() + " did not answer: " + e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new CoordinatorNotAvailableException("Share state client closed"));
        }
        return result;
    }

    @Override
    public void close() {
        List<Remote> all = new ArrayList<>(remotes.values());
        remotes.clear();
        for (Remote r : all) {
            r.thread().shutdownNow();
            r.client().close();
        }
    }
}
