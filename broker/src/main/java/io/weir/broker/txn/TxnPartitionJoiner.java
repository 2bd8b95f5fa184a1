package io.weir.broker.txn;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.controller.ClusterMetadata;
import io.weir.broker.controller.PartitionState;
import io.weir.broker.network.BrokerClient;
import io.weir.broker.network.InterBrokerSecurity;
import io.weir.broker.zk.BrokerRegistration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a partition this broker leads join a producer's transaction at the transaction's coordinator, for a
 * share-partition leader that records acknowledgements inside the transaction (so that the coordinator sends the
 * partition its COMMIT or ABORT marker). The coordinator checks the producer id and epoch as for a producer's own
 * AddPartitionsToTxn: a fenced or unknown producer gets its error. Locally when this broker coordinates the
 * transactional id, else as an AddPartitionsToTxn v3 request (the producer's form) to the leader of the id's
 * {@code __transaction_state} partition. Retriable answers (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE, CONCURRENT_TRANSACTIONS) are returned to the caller, whose client retries.
 *
 * <p>Thread-safe. Remote calls run on a small pool, one blocking {@link BrokerClient} per coordinator broker.
 */
final class TxnPartitionJoiner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TxnPartitionJoiner.class);

    private final int brokerId;
    private final ClusterMetadata metadata;
    private final TransactionCoordinator coordinator;
    private final int requestTimeoutMs;
    private final InterBrokerSecurity security;
    private final ExecutorService senders = Executors.newFixedThreadPool(2, new NamedThreadFactory("weir-txn-join", true));
    private final Map<Integer, BrokerClient> clients = new ConcurrentHashMap<>();
    private final Map<Integer, InetSocketAddress> addresses = new ConcurrentHashMap<>();

    TxnPartitionJoiner(int brokerId, ClusterMetadata metadata, TransactionCoordinator coordinator, int requestTimeoutMs,
                       InterBrokerSecurity security) {
        this.brokerId = brokerId;
        this.metadata = metadata;
        this.coordinator = coordinator;
        this.requestTimeoutMs = requestTimeoutMs;
        this.security = security;
    }

    CompletableFuture<Errors> join(String transactionalId, long producerId, short producerEpoch, TopicPartition tp) {
        if (transactionalId == null || transactionalId.isEmpty() || producerId < 0 || producerEpoch < 0) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        int statePartition = coordinator.partitionFor(transactionalId);
        Optional<Integer> leader = metadata.topic(TransactionCoordinator.STATE_TOPIC)
                .map(t -> t.partitions().get(statePartition)).map(PartitionState::leader).filter(l -> l >= 0);
        if (leader.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (leader.get() == brokerId) {
            return coordinator.addPartitions(transactionalId, producerId, producerEpoch, Set.of(tp));
        }
        Optional<BrokerRegistration> broker = metadata.broker(leader.get());
        if (broker.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        CompletableFuture<Errors> result = new CompletableFuture<>();
        try {
            senders.execute(() -> result.complete(sendNow(leader.get(), new InetSocketAddress(broker.get().host(), broker.get().port()),
                    transactionalId, producerId, producerEpoch, tp)));
        } catch (RejectedExecutionException e) {
            result.complete(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        return result;
    }

    private Errors sendNow(int leader, InetSocketAddress address, String transactionalId, long producerId, short producerEpoch,
                           TopicPartition tp) {
        BrokerClient client = client(leader, address);
        AddPartitionsToTxnRequest request = AddPartitionsToTxnRequest.Builder
                .forClient(transactionalId, producerId, producerEpoch, List.of(tp)).build((short) 3);
        AddPartitionsToTxnResponse response;
        synchronized (client) {
            try {
                response = (AddPartitionsToTxnResponse) client.send(request);
            } catch (IOException e) {
                log.debug("AddPartitionsToTxn for {} to broker {} failed: {}", tp, leader, e.toString());
                return Errors.COORDINATOR_NOT_AVAILABLE;
            }
        }
        for (AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult t : response.data().resultsByTopicV3AndBelow()) {
            for (AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult p : t.resultsByPartition()) {
                return Errors.forCode(p.partitionErrorCode());
            }
        }
        return Errors.forCode(response.data().errorCode());
    }

    private BrokerClient client(int broker, InetSocketAddress address) {
        InetSocketAddress known = addresses.get(broker);
        if (known != null && !known.equals(address)) {
            BrokerClient old = clients.remove(broker);
            if (old != null) {
                old.close();
            }
        }
        addresses.put(broker, address);
        return clients.computeIfAbsent(broker, b -> new BrokerClient("weir-txn-join-" + brokerId, address, 1 << 20,
                requestTimeoutMs, security));
    }

    @Override
    public void close() {
        senders.shutdownNow();
        clients.values().forEach(BrokerClient::close);
        clients.clear();
    }
}
