package io.weir.jms.client;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Synchronous sends written by the calling thread: one record, one Produce request on a blocking connection to the
 * partition's leader, the answer (of a persistent send) read on the same thread. A kafka-clients producer hands each send to its I/O
 * thread and the answer back, two thread hand-offs that cost more than the broker's work on a loaded two-core
 * machine; a JMS {@code send()} waits for its answer anyway (PERSISTENT) or is a single record with nothing to batch
 * it with (a NON_PERSISTENT request or reply), so it gains nothing from them.
 *
 * <p>A persistent send is {@code acks=all} and idempotent, as the connection's kafka-clients producer is: one producer
 * id per instance ({@code InitProducerId}), a sequence per partition; a send whose answer was lost is written again
 * with its sequence, so the broker keeps it once. A send that finds its partition's sequence in use by another thread
 * does not wait: {@link #send} answers false and the caller uses its kafka-clients producer, which batches concurrent
 * sends better. A non-persistent send is {@code acks=1} and not idempotent, as the non-persistent producer, and not
 * waited for: its answer is read before the next one on the same connection ({@link BrokerConnection#sendUnanswered}),
 * and a refusal found there is logged, the message lost (a non-persistent message may be); a refusal of a
 * persistent send is thrown.
 *
 * <p>Partitions are chosen as kafka-clients does for a key (murmur2); records without a key stay on one partition
 * of a topic until about a batch's worth of bytes went there (as its sticky partitioner). Leaders come from Metadata,
 * trusted a minute and forgotten on a refusal that says they moved. Retriable refusals and lost connections are
 * retried until the send timeout; the rest are thrown as kafka-clients' exception for the error code, so that the
 * caller maps them to JMS exceptions as it does the producer's. Thread-safe.
 */
public final class DirectSends implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectSends.class);

    /** Produce v3-v11: record batches v2, topics by name (v13 names them by id). */
    private static final short MAX_PRODUCE_VERSION = 11;
    private static final short MIN_PRODUCE_VERSION = 3;
    private static final long ROUTE_TRUST_MS = 60_000;
    private static final int STICKY_BYTES = 16_384;
    /** Connections to one broker at most, idle or in use, before a first attempt declines (the producer sends it). */
    private static final int CONNECTIONS_PER_BROKER = 8;
    private static final long RETRY_BACKOFF_MS = 50;
    /** A non-persistent send on a connection that wrote nothing for this long waits for its answer. */
    private static final long CONFIRM_AFTER_IDLE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final List<String> bootstrap;
    private final String clientId;
    private final WireSecurity security;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final long maxIdleNanos;
    private final Map<String, Deque<BrokerConnection>> idle = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Sequence> sequences = new ConcurrentHashMap<>();
    private long producerId = RecordBatch.NO_PRODUCER_ID; // guarded by this
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH; // guarded by this
    private long producerGeneration; // guarded by this: bumped with each new producer id
    private volatile boolean closed;

    /** Where a topic's partitions are: their number and each one's leader ({@code host:port}, absent when none). */
    private static final class Route {
        final int partitions;
        final Map<Integer, String> leaders;
        final long at;
        int sticky = -1; // guarded by this
        int stickyBytes; // guarded by this

        Route(int partitions, Map<Integer, String> leaders, long at) {
            this.partitions = partitions;
            this.leaders = leaders;
            this.at = at;
        }

        synchronized int partitionFor(byte[] key, int bytes) {
            if (key != null) {
                return BuiltInPartitioner.partitionForKey(key, partitions);
            }
            if (sticky < 0 || stickyBytes >= STICKY_BYTES) {
                int next = ThreadLocalRandom.current().nextInt(partitions);
                if (partitions > 1 && next == sticky) {
                    next = (next + 1) % partitions;
                }
                sticky = next;
                stickyBytes = 0;
            }
            stickyBytes += bytes;
            return sticky;
        }
    }

    /** A partition's next sequence under one producer id; one send at a time. */
    private static final class Sequence {
        final ReentrantLock lock = new ReentrantLock();
        long generation = -1; // guarded by lock
        int next; // guarded by lock
    }

    /**
     * @param base kafka-clients settings: {@code bootstrap.servers} and the security settings ({@link WireSecurity})
     * @throws IllegalArgumentException when the security settings cannot be honoured here
     */
    public DirectSends(Properties base, String clientId, int connectTimeoutMs, int readTimeoutMs) {
        this.bootstrap = new ArrayList<>();
        for (String b : String.valueOf(base.get("bootstrap.servers")).split(",")) {
            if (!b.isBlank()) {
                bootstrap.add(b.trim());
            }
        }
        this.clientId = clientId;
        this.security = WireSecurity.of(base);
        this.connectTimeoutMs = Math.max(1, connectTimeoutMs);
        // as kafka-clients: its connections close after connections.max.idle.ms (9 min), before brokers' 10 min
        long maxIdleMs = 540_000;
        Object idleSetting = base.get("connections.max.idle.ms");
        if (idleSetting != null) {
            try {
                maxIdleMs = Long.parseLong(String.valueOf(idleSetting).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("connections.max.idle.ms: not a number: " + idleSetting);
            }
        }
        this.maxIdleNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxIdleMs));
        this.readTimeoutMs = Math.max(1, readTimeoutMs);
    }

    /**
     * Writes one record to {@code topic} and waits for the broker's answer.
     *
     * @return false, having sent nothing, when another thread is sending to the same partition (persistent) or the
     * broker does not speak a Produce version this class writes: the caller sends through its producer instead
     * @throws KafkaException the refusal (kafka-clients' exception for its error code), or a
     *                        {@link TimeoutException} when no broker took it within {@code timeoutMs}
     */
    public boolean send(String topic, byte[] key, byte[] value, Header[] headers, long timestamp, boolean persistent,
                        long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        int bytes = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        SimpleRecord record = new SimpleRecord(timestamp, key, value, headers);
        Exception last = null;
        boolean first = true;
        // chosen once: a persistent send whose outcome is unknown is written again to the same partition with the same
        // sequence (kept once), and holds that partition's sequence until it is settled, so that no other record is
        // written with that sequence (the broker would take it for a duplicate and drop it)
        int partition = -1;
        Sequence sequence = null;
        boolean attempted = false; // a request was written (or may have been): no falling back to the producer now
        try {
            while (true) {
                if (closed) {
                    throw new KafkaException("The connection is closed");
                }
                if (!first) {
                    if (System.currentTimeMillis() >= deadline) {
                        if (persistent) {
                            resetProducerId(); // the outcome is unknown: the next send starts a new sequence
                        }
                        throw new TimeoutException("No broker took the send to " + topic + " within " + timeoutMs + " ms"
                                + (last == null ? "" : ": " + last.getMessage()), last);
                    }
                    sleep(Math.min(RETRY_BACKOFF_MS, Math.max(0, deadline - System.currentTimeMillis())));
                }
                Route route;
                try {
                    route = route(topic);
                } catch (IOException e) {
                    last = e;
                    first = false;
                    continue;
                }
                if (partition < 0) {
                    partition = route.partitionFor(key, bytes);
                    if (persistent) {
                        Sequence s = sequences.computeIfAbsent(new TopicPartition(topic, partition), p -> new Sequence());
                        if (!s.lock.tryLock()) {
                            return false; // another thread sends to it now: the producer takes this one
                        }
                        sequence = s;
                    }
                }
                String leader = route.leaders.get(partition);
                if (leader == null) {
                    routes.remove(topic, route);
                    last = new KafkaException("Partition " + partition + " of " + topic + " has no leader");
                    first = false;
                    continue;
                }
                Attempt a = attempt(leader, new TopicPartition(topic, partition), record, sequence, deadline, !attempted);
                switch (a.outcome) {
                    case BUSY:
                        return false;
                    case DONE:
                        return true;
                    case UNSUPPORTED:
                        if (!attempted) {
                            return false;
                        }
                        throw new KafkaException("The broker at " + leader + " does not speak Produce v"
                                + MIN_PRODUCE_VERSION + " or later");
                    case MOVED:
                        routes.remove(topic, route);
                        last = a.failure;
                        break;
                    default:
                        last = a.failure;
                        break;
                }
                attempted = true;
                first = false;
            }
        } finally {
            if (sequence != null) {
                sequence.lock.unlock();
            }
        }
    }

    private enum Outcome { DONE, UNSUPPORTED, BUSY, MOVED, RETRY }

    private record Attempt(Outcome outcome, Exception failure) {
    }

    private Attempt attempt(String leader, TopicPartition tp, SimpleRecord record, Sequence sequence, long deadline,
                            boolean mayDecline) {
        BrokerConnection c;
        try {
            c = borrow(leader, mayDecline);
        } catch (IOException e) {
            return new Attempt(Outcome.MOVED, e);
        }
        if (c == null) {
            return new Attempt(Outcome.BUSY, null);
        }
        boolean reusable = false;
        try {
            short version = (short) Math.min(c.maxVersion(ApiKeys.PRODUCE), MAX_PRODUCE_VERSION);
            if (version < MIN_PRODUCE_VERSION) {
                reusable = true;
                return new Attempt(Outcome.UNSUPPORTED, null);
            }
            MemoryRecords records;
            long generation = 0;
            if (sequence != null) {
                ProducerId id = producerId(c);
                generation = id.generation();
                if (sequence.generation != generation) {
                    sequence.generation = generation;
                    sequence.next = 0;
                }
                records = MemoryRecords.withIdempotentRecords(Compression.NONE, id.id(), id.epoch(), sequence.next, record);
            } else {
                records = MemoryRecords.withRecords(Compression.NONE, record);
            }
            ProduceRequestData data = new ProduceRequestData().setAcks(sequence != null ? (short) -1 : (short) 1)
                    .setTimeoutMs((int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis())));
            ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(tp.topic());
            topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition())
                    .setRecords(records));
            data.topicData().add(topicData);
            if (sequence == null && System.nanoTime() - c.lastWriteNanos() < CONFIRM_AFTER_IDLE_NANOS) {
                // non-persistent: written, not waited for; a refusal read later is logged (the message is lost, as a
                // non-persistent message may be). After a pause the answer is waited for instead (below): a connection
                // the broker closed meanwhile (a restart) fails that wait, and the send is written again elsewhere,
                // where written unanswered it would be lost without an error
                c.sendUnanswered(ApiKeys.PRODUCE, version, data, a -> logRefusals(tp, a));
                reusable = true;
                return new Attempt(Outcome.DONE, null);
            }
            ProduceResponseData answer = ((ProduceResponse) c.send(ApiKeys.PRODUCE, version, data)).data();
            reusable = true;
            throttled(answer.throttleTimeMs());
            Errors error = Errors.UNKNOWN_SERVER_ERROR;
            String message = null;
            for (ProduceResponseData.TopicProduceResponse t : answer.responses()) {
                for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                    if (p.index() == tp.partition()) {
                        error = Errors.forCode(p.errorCode());
                        message = p.errorMessage();
                    }
                }
            }
            if (error == Errors.NONE || error == Errors.DUPLICATE_SEQUENCE_NUMBER) {
                if (sequence != null) {
                    sequence.next = sequence.next == Integer.MAX_VALUE ? 0 : sequence.next + 1;
                }
                return new Attempt(Outcome.DONE, null);
            }
            String what = "Sending to " + tp + " at " + leader + ": " + error.name() + (message == null ? "" : " (" + message + ")");
            if (error == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER || error == Errors.UNKNOWN_PRODUCER_ID
                    || error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.PRODUCER_FENCED) {
                log.debug("{}; starting a new producer id", what);
                resetProducerId(generation);
                return new Attempt(Outcome.RETRY, error.exception(what));
            }
            KafkaException refusal = error.exception(what);
            if (refusal instanceof RetriableException) {
                return new Attempt(Outcome.MOVED, refusal);
            }
            throw refusal;
        } catch (IOException e) {
            return new Attempt(Outcome.MOVED, e);
        } finally {
            giveBack(leader, c, reusable);
        }
    }

    /** A broker over its produce quota for this client asks it to wait (KIP-219): the sending thread waits. */
    private static void throttled(int ms) {
        if (ms > 0) {
            sleep(ms);
        }
    }

    private void logRefusals(TopicPartition tp, org.apache.kafka.common.requests.AbstractResponse answer) {
        throttled(((ProduceResponse) answer).data().throttleTimeMs());
        for (ProduceResponseData.TopicProduceResponse t : ((ProduceResponse) answer).data().responses()) {
            for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                if (p.errorCode() != Errors.NONE.code()) {
                    routes.remove(tp.topic());
                    log.warn("A non-persistent message sent to {} was refused and is lost: {}{}", tp,
                            Errors.forCode(p.errorCode()).name(), p.errorMessage() == null ? "" : " (" + p.errorMessage() + ")");
                }
            }
        }
    }

    /** A producer id and epoch, and which of this instance's ids it is (its generation: one more for each new id). */
    private record ProducerId(long id, short epoch, long generation) {
    }

    /** This instance's producer id, asked for on first need. */
    private synchronized ProducerId producerId(BrokerConnection c) throws IOException {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            short version = (short) Math.min(c.maxVersion(ApiKeys.INIT_PRODUCER_ID), 4);
            InitProducerIdResponse r = (InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, version,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
            Errors error = Errors.forCode(r.data().errorCode());
            if (error != Errors.NONE) {
                KafkaException e = error.exception("InitProducerId at " + c + ": " + error.name());
                if (e instanceof RetriableException) {
                    throw new IOException(e.getMessage(), e);
                }
                throw e;
            }
            producerId = r.data().producerId();
            producerEpoch = r.data().producerEpoch();
            producerGeneration++;
        }
        return new ProducerId(producerId, producerEpoch, producerGeneration);
    }

    private synchronized void resetProducerId() {
        producerId = RecordBatch.NO_PRODUCER_ID;
        producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    }

    /** Forgets the producer id of {@code generation} (a newer one, asked for meanwhile, stays). */
    private synchronized void resetProducerId(long generation) {
        if (generation == producerGeneration) {
            resetProducerId();
        }
    }

    private Route route(String topic) throws IOException {
        Route r = routes.get(topic);
        if (r != null && System.currentTimeMillis() - r.at < ROUTE_TRUST_MS) {
            return r;
        }
        MetadataRequestData request = new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                .setAllowAutoTopicCreation(false);
        IOException last = null;
        for (String address : addresses()) {
            BrokerConnection c;
            try {
                c = borrow(address, false);
            } catch (IOException e) {
                last = e;
                continue;
            }
            boolean reusable = false;
            try {
                MetadataResponseData data = ((MetadataResponse) c.send(ApiKeys.METADATA, (short) 12, request)).data();
                reusable = true;
                Map<Integer, String> nodes = new HashMap<>();
                data.brokers().forEach(n -> nodes.put(n.nodeId(), n.host() + ":" + n.port()));
                for (MetadataResponseData.MetadataResponseTopic t : data.topics()) {
                    Errors error = Errors.forCode(t.errorCode());
                    if (error != Errors.NONE) {
                        KafkaException e = error.exception("Metadata of " + topic + ": " + error.name());
                        if (e instanceof RetriableException) {
                            throw new IOException(e.getMessage(), e);
                        }
                        throw e;
                    }
                    Map<Integer, String> leaders = new HashMap<>();
                    for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                        String leader = nodes.get(p.leaderId());
                        if (leader != null) {
                            leaders.put(p.partitionIndex(), leader);
                        }
                    }
                    if (t.partitions().isEmpty()) {
                        throw new IOException("Metadata of " + topic + " lists no partitions");
                    }
                    Route fresh = new Route(t.partitions().size(), Map.copyOf(leaders), System.currentTimeMillis());
                    routes.put(topic, fresh);
                    return fresh;
                }
                throw new IOException("Metadata from " + address + " does not list " + topic);
            } catch (IOException e) {
                last = e;
            } finally {
                giveBack(address, c, reusable);
            }
        }
        throw last != null ? last : new IOException("No bootstrap address");
    }

    /** The brokers to ask for metadata: those with idle connections, then the bootstrap list. */
    private List<String> addresses() {
        List<String> out = new ArrayList<>(idle.keySet());
        for (String b : bootstrap) {
            if (!out.contains(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * An idle connection to {@code address}, else a new one; null when {@code mayDecline} and
     * {@value #CONNECTIONS_PER_BROKER} are open already (as many threads sending at once: the producer batches them).
     */
    private BrokerConnection borrow(String address, boolean mayDecline) throws IOException {
        Deque<BrokerConnection> q = idle.get(address);
        BrokerConnection c;
        while (q != null && (c = q.pollFirst()) != null) {
            if (!c.isBroken() && System.nanoTime() - c.lastWriteNanos() < maxIdleNanos) {
                return c;
            }
            // broken, or idle so long that the broker may have closed it (connections.max.idle.ms): a non-persistent
            // send written to a connection the broker closed would be lost without an error
            closeConnection(address, c);
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("Not a host:port address: " + address);
        }
        java.util.concurrent.atomic.AtomicInteger count = open.computeIfAbsent(address,
                a -> new java.util.concurrent.atomic.AtomicInteger());
        if (count.incrementAndGet() > CONNECTIONS_PER_BROKER && mayDecline) {
            count.decrementAndGet();
            return null;
        }
        try {
            return new BrokerConnection(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), clientId,
                    connectTimeoutMs, readTimeoutMs, security);
        } catch (IOException | RuntimeException e) {
            count.decrementAndGet();
            throw e;
        }
    }

    private void closeConnection(String address, BrokerConnection c) {
        c.settle();
        c.close();
        java.util.concurrent.atomic.AtomicInteger count = open.get(address);
        if (count != null) {
            count.decrementAndGet();
        }
    }

    private void giveBack(String address, BrokerConnection c, boolean reusable) {
        if (!reusable || c.isBroken() || closed) {
            closeConnection(address, c);
            return;
        }
        Deque<BrokerConnection> q = idle.computeIfAbsent(address, a -> new ConcurrentLinkedDeque<>());
        q.offerFirst(c);
        if (closed && q.remove(c)) {
            closeConnection(address, c);
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    /** Closes the idle connections; sends under way finish or fail, and close theirs. */
    @Override
    public void close() {
        closed = true;
        idle.values().forEach(q -> {
            BrokerConnection c;
            while ((c = q.pollFirst()) != null) {
                c.settle(); // what was sent without waiting is read by the broker before the connection goes
                c.close();
            }
        });
    }
}
