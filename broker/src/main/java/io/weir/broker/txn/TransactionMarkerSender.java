package io.weir.broker.txn;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.common.Scheduler;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.controller.TopicMetadata;
import io.weir.broker.network.BrokerClient;
import io.weir.broker.zk.BrokerRegistration;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the COMMIT or ABORT markers of a decided transaction to every partition in it: through the
 * {@link LocalMarkerWriter} where this broker leads the partition, else with a WriteTxnMarkers request
 * to the leader over the network, as Kafka's coordinator does. Partitions that refuse (no leader yet,
 * a leader that moved) are tried again after a back-off until every one has its marker; partitions of
 * deleted topics are skipped. A job stops when the coordinator no longer owns the transaction (the
 * next coordinator finishes it) or when a partition says the producer or coordinator epoch is stale.
 *
 * <p>Thread-safe. Network sends run on a small pool, one blocking {@link BrokerClient} per broker.
 */
final class TransactionMarkerSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionMarkerSender.class);

    private final int brokerId;
    private final ClusterMetadata metadata;
    private final LocalMarkerWriter local;
    private final Scheduler scheduler;
    private final long retryBackoffMs;
    private final int requestTimeoutMs;
    private final ExecutorService senders = Executors.newFixedThreadPool(2, new NamedThreadFactory("weir-txn-markers", true));
    private final Map<Integer, BrokerClient> clients = new ConcurrentHashMap<>();
    private final Map<Integer, InetSocketAddress> clientAddresses = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One transaction's markers still to write. */
    private record Job(long producerId, short epoch, int coordinatorEpoch, boolean commit, Set<TopicPartition> remaining,
                       BooleanSupplier stillOwner, CompletableFuture<Void> done) {
    }

    private final io.weir.broker.network.InterBrokerSecurity security;

    TransactionMarkerSender(int brokerId, ClusterMetadata metadata, LocalMarkerWriter local, Scheduler scheduler,
                            long retryBackoffMs, int requestTimeoutMs) {
        this(brokerId, metadata, local, scheduler, retryBackoffMs, requestTimeoutMs,
                io.weir.broker.network.InterBrokerSecurity.PLAINTEXT);
    }

    TransactionMarkerSender(int brokerId, ClusterMetadata metadata, LocalMarkerWriter local, Scheduler scheduler,
                            long retryBackoffMs, int requestTimeoutMs, io.weir.broker.network.InterBrokerSecurity security) {
        this.security = security;
        this.brokerId = brokerId;
        this.metadata = metadata;
        this.local = local;
        this.scheduler = scheduler;
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /**
     * Writes the markers. Completes when every partition has one; fails with
     * {@link NotCoordinatorException} when {@code stillOwner} turns false or a partition fences the
     * marker (the transaction is then another coordinator's to finish).
     */
    CompletableFuture<Void> send(long producerId, short epoch, int coordinatorEpoch, boolean commit,
                                 Set<TopicPartition> partitions, BooleanSupplier stillOwner) {
        Job job = new Job(producerId, epoch, coordinatorEpoch, commit, ConcurrentHashMap.newKeySet(), stillOwner,
                new CompletableFuture<>());
        job.remaining().addAll(partitions);
        attempt(job);
        return job.done();
    }

    private void attempt(Job job) {
        if (closed || !job.stillOwner().getAsBoolean()) {
            job.done().completeExceptionally(new NotCoordinatorException("Markers of producer " + job.producerId()
                    + " abandoned: this broker no longer coordinates the transaction"));
            return;
        }
        if (job.remaining().isEmpty()) {
            job.done().complete(null);
            return;
        }
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        for (TopicPartition tp : List.copyOf(job.remaining())) {
            Optional<TopicMetadata> topic = metadata.topic(tp.topic());
            PartitionState p = topic.map(t -> t.partitions().get(tp.partition())).orElse(null);
            if (p == null) {
                log.info("Skipping the marker of producer {} for {}: the partition no longer exists", job.producerId(), tp);
                job.remaining().remove(tp);
            } else if (p.leader() >= 0) {
                byLeader.computeIfAbsent(p.leader(), b -> new ArrayList<>()).add(tp);
            }
        }
        List<CompletableFuture<Boolean>> sends = new ArrayList<>();
        byLeader.forEach((leader, tps) -> sends.add(leader == brokerId ? writeLocally(job, tps) : sendRemote(job, leader, tps)));
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            boolean fenced = sends.stream().anyMatch(f -> Boolean.FALSE.equals(f.getNow(true)));
            if (fenced) {
                job.done().completeExceptionally(new NotCoordinatorException("Markers of producer " + job.producerId()
                        + " epoch " + job.epoch() + " were fenced by a partition: a newer epoch or coordinator owns it"));
            } else if (job.remaining().isEmpty()) {
                job.done().complete(null);
            } else {
                retryLater(job);
            }
        });
    }

    private void retryLater(Job job) {
        try {
            scheduler.scheduleOnce("txn-markers-" + job.producerId(), () -> attempt(job), retryBackoffMs);
        } catch (RejectedExecutionException e) {
            job.done().completeExceptionally(new NotCoordinatorException("Broker stopping"));
        }
    }

    /** @return false when a partition fenced the marker */
    private CompletableFuture<Boolean> writeLocally(Job job, List<TopicPartition> tps) {
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (TopicPartition tp : tps) {
            CompletableFuture<Errors> written;
            try {
                written = local.write(tp, job.producerId(), job.epoch(), job.coordinatorEpoch(), job.commit());
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            all.add(written.handle((error, e) -> onResult(job, tp, e != null ? Errors.forException(e) : error)));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
    }

    private CompletableFuture<Boolean> sendRemote(Job job, int leader, List<TopicPartition> tps) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        try {
            senders.execute(() -> result.complete(sendNow(job, leader, tps)));
        } catch (RejectedExecutionException e) {
            result.complete(true);
        }
        return result;
    }

    private boolean sendNow(Job job, int leader, List<TopicPartition> tps) {
        Optional<BrokerRegistration> broker = metadata.broker(leader);
        if (broker.isEmpty()) {
            return true;
        }
        BrokerClient client = client(leader, new InetSocketAddress(broker.get().host(), broker.get().port()));
        WriteTxnMarkersRequest.TxnMarkerEntry entry = new WriteTxnMarkersRequest.TxnMarkerEntry(job.producerId(), job.epoch(),
                job.coordinatorEpoch(), job.commit() ? TransactionResult.COMMIT : TransactionResult.ABORT, tps, (short) 1);
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(List.of(entry))
                .build(ApiKeys.WRITE_TXN_MARKERS.latestVersion());
        AbstractResponse response;
        synchronized (client) {
            try {
                response = client.send(request);
            } catch (java.io.IOException e) {
                log.debug("WriteTxnMarkers to broker {} failed: {}", leader, e.toString());
                return true;
            }
        }
        boolean ok = true;
        WriteTxnMarkersResponseData data = ((WriteTxnMarkersResponse) response).data();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult r : data.markers()) {
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult t : r.topics()) {
                for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult p : t.partitions()) {
                    ok &= onResult(job, new TopicPartition(t.name(), p.partitionIndex()), Errors.forCode(p.errorCode()));
                }
            }
        }
        return ok;
    }

    /** @return false when the partition fenced the marker */
    private boolean onResult(Job job, TopicPartition tp, Errors error) {
        switch (error) {
            case NONE -> {
                job.remaining().remove(tp);
                return true;
            }
            case INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, TRANSACTION_COORDINATOR_FENCED -> {
                log.warn("Marker of producer {} epoch {} for {} refused with {}", job.producerId(), job.epoch(), tp, error);
                return false;
            }
            default -> {
                log.debug("Marker of producer {} for {} refused with {}; trying again", job.producerId(), tp, error);
                return true;
            }
        }
    }

    private BrokerClient client(int broker, InetSocketAddress address) {
        InetSocketAddress known = clientAddresses.get(broker);
        if (known != null && !known.equals(address)) {
            BrokerClient old = clients.remove(broker);
            if (old != null) {
                old.close();
            }
        }
        clientAddresses.put(broker, address);
        return clients.computeIfAbsent(broker, b -> new BrokerClient("weir-txn-coordinator-" + brokerId, address,
                64 * 1024 * 1024, requestTimeoutMs, security));
    }

    @Override
    public void close() {
        closed = true;
        senders.shutdownNow();
        clients.values().forEach(BrokerClient::close);
        clients.clear();
    }
}
