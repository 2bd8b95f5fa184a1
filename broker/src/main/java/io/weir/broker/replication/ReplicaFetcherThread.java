package io.weir.broker.replication;

import io.weir.broker.common.Time;
import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.log.PartitionLog;
import io.weir.broker.network.BrokerClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.utils.internals.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates the partitions this broker follows from one leader broker: fetches in a loop (Fetch with
 * {@code replica_id} = this broker, long-polling, in an incremental fetch session), appends what arrives
 * and takes the leader's high watermark. Each fetch names the epoch of the partition's last batch, and
 * the leader answers a diverging epoch where its log leaves this one, to which the partition truncates;
 * a partition whose log knows no epochs truncates to its high watermark first, and one whose truncation
 * needs more than one step (epochs the leader never had) asks OffsetsForLeaderEpoch again with its
 * older epoch. The offset of each fetch tells the leader this
 * replica's log end, which is how the leader's high watermark and ISR move.
 *
 * <p>One thread per source broker ("weir-replica-fetcher-&lt;from&gt;"). Partitions are added and
 * removed from other threads (concurrent map); everything else is owned by the thread.
 */
final class ReplicaFetcherThread implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherThread.class);
    private static final short FETCH_VERSION = 12;
    private static final short EPOCH_VERSION = 4;
    private static final long BACKOFF_MS = 100;
    private static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final int PARTITION_MAX_BYTES = 1024 * 1024;

    /** A followed partition: the leader epoch it follows and whether it must truncate before fetching. */
    private static final class Followed {
        final Partition partition;
        final int leaderEpoch;
        volatile boolean truncated;

        Followed(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final int localBrokerId;
    private final int sourceBrokerId;
    private final BrokerClient client;
    private final Time time;
    private final int maxWaitMs;
    private final ReplicationQuota quota;
    private final Map<TopicPartition, Followed> partitions = new ConcurrentHashMap<>();
    /** The incremental fetch session with the leader (KIP-227): idle partitions are left out of requests and answers. */
    private final FetchSessionHandler sessions;
    private long fetchRound;
    private final Thread thread;
    private volatile boolean running = true;
    /** Fault injection: a paused fetcher sends nothing, like a stalled follower. */
    private volatile boolean paused;

    ReplicaFetcherThread(int localBrokerId, int sourceBrokerId, InetSocketAddress source, Time time, ReplicationConfig config,
                         ReplicationQuota quota) {
        this.localBrokerId = localBrokerId;
        this.sourceBrokerId = sourceBrokerId;
        this.client = new BrokerClient("weir-replica-" + localBrokerId, source, 64 * 1024 * 1024,
                config.replicaSocketTimeoutMs(), config.security());
        this.time = time;
        this.maxWaitMs = config.replicaFetchWaitMaxMs();
        this.quota = quota;
        this.sessions = new FetchSessionHandler(new LogContext("[weir-replica-fetcher-" + localBrokerId + "-from-"
                + sourceBrokerId + "] "), sourceBrokerId);
        this.thread = new Thread(this, "weir-replica-fetcher-" + localBrokerId + "-from-" + sourceBrokerId);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int sourceBrokerId() {
        return sourceBrokerId;
    }

    void add(Partition partition, int leaderEpoch) {
        Followed f = new Followed(partition, leaderEpoch);
        // a log with epochs skips the OffsetsForLeaderEpoch round: its fetches name the last fetched epoch and the
        // leader answers where the logs diverge (KIP-595), which truncates it as that round would have
        f.truncated = partition.log().leaderEpochCache().latestEpoch() != LeaderEpochCache.UNDEFINED_EPOCH;
        partitions.put(partition.topicPartition(), f);
        synchronized (this) {
            notifyAll();
        }
    }

    void remove(TopicPartition tp) {
        partitions.remove(tp);
    }

    void setPaused(boolean paused) {
        this.paused = paused;
    }

    boolean isEmpty() {
        return partitions.isEmpty();
    }

    @Override
    public void run() {
        while (running) {
            try {
                if (partitions.isEmpty() || paused) {
                    pause(BACKOFF_MS);
                    continue;
                }
                if (truncationRound()) {
                    continue; // another OffsetsForLeaderEpoch round, at once
                }
                if (partitions.values().stream().noneMatch(f -> f.truncated)) {
                    pause(BACKOFF_MS);
                    continue;
                }
                fetch();
            } catch (java.net.SocketTimeoutException e) {
                if (running) {
                    log.warn("Replica fetcher of broker {}: leader {} is silent, reconnecting: {}", localBrokerId, sourceBrokerId,
                            e.getMessage());
                    pause(BACKOFF_MS);
                }
            } catch (IOException e) {
                if (running) {
                    log.debug("Fetch from broker {} failed: {}", sourceBrokerId, e.toString());
                    pause(BACKOFF_MS);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Replica fetcher from broker {} failed; retrying", sourceBrokerId, e);
                    pause(BACKOFF_MS);
                }
            }
        }
    }

    /**
     * One OffsetsForLeaderEpoch round for the partitions that have not yet found where they agree
     * with the leader (see {@link ReplicaRules#truncation}). A partition whose round is incomplete
     * (it held epochs the leader never had) has truncated to an older epoch and asks again.
     *
     * @return whether some partition needs another round
     */
    private boolean truncationRound() throws IOException {
        boolean again = false;
        Map<TopicPartition, Followed> pending = new LinkedHashMap<>();
        partitions.forEach((tp, f) -> {
            if (!f.truncated) {
                pending.put(tp, f);
            }
        });
        if (!pending.isEmpty()) {
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
            Map<TopicPartition, Followed> asked = new HashMap<>();
            for (Map.Entry<TopicPartition, Followed> e : pending.entrySet()) {
                Followed f = e.getValue();
                int latest = f.partition.log().leaderEpochCache().latestEpoch();
                if (latest == LeaderEpochCache.UNDEFINED_EPOCH) {
                    // no epochs known (an empty log or one from before epochs): keep only what is committed
                    f.partition.truncateTo(Math.min(f.partition.highWatermark().offset(), f.partition.log().logEndOffset()));
                    f.truncated = true;
                    continue;
                }
                OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic = topics.find(e.getKey().topic());
                if (topic == null) {
                    topic = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(e.getKey().topic());
                    topics.add(topic);
                }
                topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(e.getKey().partition()).setCurrentLeaderEpoch(f.leaderEpoch).setLeaderEpoch(latest));
                asked.put(e.getKey(), f);
            }
            if (!asked.isEmpty()) {
                OffsetForLeaderEpochRequestData data = new OffsetForLeaderEpochRequestData().setReplicaId(localBrokerId)
                        .setTopics(topics);
                OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) client.send(
                        new OffsetsForLeaderEpochRequest(data, EPOCH_VERSION));
                for (OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult t : response.data().topics()) {
                    for (OffsetForLeaderEpochResponseData.EpochEndOffset p : t.partitions()) {
                        TopicPartition tp = new TopicPartition(t.topic(), p.partition());
                        Followed f = asked.get(tp);
                        if (f == null || partitions.get(tp) != f) {
                            continue;
                        }
                        if (p.errorCode() != Errors.NONE.code()) {
                            log.debug("OffsetsForLeaderEpoch for {} from broker {}: {}", tp, sourceBrokerId,
                                    Errors.forCode(p.errorCode()));
                            continue;
                        }
                        again |= !applyTruncation(tp, f, new LeaderEpochCache.EpochEnd(p.leaderEpoch(), p.endOffset()));
                    }
                }
            }
        }
        return again;
    }

    /** Applies the leader's answer for one partition. Returns whether the partition now agrees with the leader. */
    private boolean applyTruncation(TopicPartition tp, Followed f, LeaderEpochCache.EpochEnd answer) {
        Partition partition = f.partition;
        PartitionLog local = partition.log();
        int asked = local.leaderEpochCache().latestEpoch();
        ReplicaRules.Truncation t = ReplicaRules.truncation(answer, local.leaderEpochCache(), local.logEndOffset(),
                partition.highWatermark().offset());
        if (t.offset() < local.logEndOffset()) {
            log.info("{} follows broker {} at epoch {}: leader answers {}, truncating its divergent tail from {} to {}{}",
                    tp, sourceBrokerId, f.leaderEpoch, answer, local.logEndOffset(), t.offset(),
                    t.complete() ? "" : " (then asks again with its older epoch)");
        }
        if (t.offset() < local.logStartOffset()) {
            // nothing this replica holds is shared with the leader: start over at the log start
            partition.truncateFullyAndStartAt(local.logStartOffset());
            f.truncated = true;
            return true;
        }
        partition.truncateTo(t.offset()); // also forgets epochs at the log end that the leader never had
        boolean done = t.complete();
        if (!done && !partition.isLeader() && local.leaderEpochCache().latestEpoch() >= asked) {
            // cannot happen while the cache follows the log; never spin on it
            log.warn("{}: truncation to {} left epoch {} in place; fetching from there", tp, t.offset(), asked);
            done = true;
        }
        f.truncated = done;
        return done;
    }

    /**
     * The whole batches at the start of a fetched slice. A leader cuts its answer at the partition's
     * byte limit, so the last batch may be partial; it is fetched again, whole, next time (the
     * leader always answers with at least one whole batch).
     */
    static MemoryRecords completeBatches(MemoryRecords records) {
        int complete = 0;
        for (MutableRecordBatch batch : records.batches()) {
            complete += batch.sizeInBytes(); // iteration stops before a partial trailing batch
        }
        if (complete == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + complete);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    private void fetch() throws IOException {
        FetchSessionHandler.Builder builder = sessions.newBuilder(partitions.size(), false);
        Map<TopicPartition, Followed> asked = new HashMap<>();
        // the leader gives a batch larger than the partition limit only to the first partition with data:
        // the order of a full fetch rotates so that every partition is first in turn and none starves behind
        // busy ones (in a session the leader moves the partitions that returned records to the end)
        Boolean overQuota = null; // asked once per request, when a throttled partition comes up
        boolean heldBack = false;
        for (Map.Entry<TopicPartition, Followed> e : rotated(new ArrayList<>(partitions.entrySet()), fetchRound++)) {
            TopicPartition tp = e.getKey();
            Followed f = e.getValue();
            if (!f.truncated) {
                continue;
            }
            if (throttled(tp, f)) {
                if (overQuota == null) {
                    overQuota = quota.isQuotaExceeded();
                }
                if (overQuota) {
                    heldBack = true; // follower.replication.throttled.rate: this one waits (and leaves the session)
                    continue;
                }
            }
            PartitionLog local = f.partition.log();
            int lastEpoch = local.leaderEpochCache().latestEpoch();
            builder.add(tp, new FetchRequest.PartitionData(Uuid.ZERO_UUID, local.logEndOffset(), local.logStartOffset(),
                    PARTITION_MAX_BYTES, Optional.of(f.leaderEpoch),
                    lastEpoch == LeaderEpochCache.UNDEFINED_EPOCH ? Optional.empty() : Optional.of(lastEpoch)));
            asked.put(tp, f);
        }
        if (asked.isEmpty()) {
            if (heldBack) {
                pause(BACKOFF_MS);
            }
            return;
        }
        FetchSessionHandler.FetchRequestData session = builder.build();
        FetchRequest request = FetchRequest.Builder.forReplica(FETCH_VERSION, localBrokerId, -1, maxWaitMs, 1, session.toSend())
                .setMaxBytes(MAX_BYTES).removed(session.toForget()).replaced(session.toReplace()).metadata(session.metadata())
                .build(FETCH_VERSION);
        FetchResponse response;
        try {
            response = (FetchResponse) client.send(request);
        } catch (IOException | RuntimeException e) {
            sessions.handleError(e); // the next fetch is a full one
            throw e;
        }
        if (!sessions.handleResponse(response, FETCH_VERSION) && response.error() != Errors.NONE) {
            // the session is gone (evicted, or the leader restarted) or out of step: the next fetch is a full one
            log.debug("Fetch session with broker {}: {}; fetching in full", sourceBrokerId, response.error());
            return;
        }
        boolean backoff = false;
        for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.topic(), p.partitionIndex());
                Followed f = asked.get(tp);
                if (f == null || partitions.get(tp) != f) {
                    continue; // no longer followed from here
                }
                Errors error = Errors.forCode(p.errorCode());
                if (error == Errors.NONE && p.divergingEpoch().epoch() >= 0) {
                    // the leader's log leaves this one inside the epoch last fetched (KIP-595): truncate now
                    applyTruncation(tp, f, new LeaderEpochCache.EpochEnd(p.divergingEpoch().epoch(), p.divergingEpoch().endOffset()));
                } else if (error == Errors.NONE) {
                    Records records = FetchResponse.recordsOrFail(p);
                    if (records.sizeInBytes() > 0 && records instanceof MemoryRecords memory) {
                        MemoryRecords complete = completeBatches(memory);
                        if (complete.sizeInBytes() > 0) {
                            f.partition.log().appendAsFollower(complete);
                            if (throttled(tp, f)) {
                                quota.record(complete.sizeInBytes());
                            }
                        }
                    }
                    f.partition.updateFollowerHighWatermark(p.highWatermark());
                    PartitionLog local = f.partition.log();
                    if (p.logStartOffset() > local.logStartOffset() && p.logStartOffset() <= f.partition.highWatermark().offset()) {
                        local.deleteRecordsBefore(p.logStartOffset()); // the leader deleted or compacted its head
                    }
                } else if (error == Errors.OFFSET_OUT_OF_RANGE) {
                    if (f.partition.log().logEndOffset() < p.logStartOffset()) {
                        f.partition.truncateFullyAndStartAt(p.logStartOffset());
                    } else {
                        f.truncated = false; // ahead of the leader: find the common point again
                    }
                } else {
                    backoff = true; // a leadership change on its way: the new state will re-add the partition
                    log.debug("Fetch of {} from broker {}: {}", tp, sourceBrokerId, error);
                }
            }
        }
        if (backoff) {
            pause(BACKOFF_MS);
        }
    }

    /** Whether follower throttling applies: a throttled partition of which this broker is not an in-sync replica. */
    private boolean throttled(TopicPartition tp, Followed f) {
        return quota.isThrottled(tp) && !f.partition.isr().contains(localBrokerId);
    }

    /** {@code items} rotated left by {@code round} places: over {@code items.size()} rounds each is first once. */
    static <T> List<T> rotated(List<T> items, long round) {
        if (!items.isEmpty()) {
            Collections.rotate(items, -(int) (round % items.size()));
        }
        return items;
    }

    private void pause(long ms) {
        synchronized (this) {
            try {
                wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        client.close();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
