package io.weir.broker.api;

import io.weir.broker.common.Time;
import io.weir.broker.group.GroupCoordinator;
import io.weir.broker.log.AppendOrigin;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.share.SharePartitionManager;
import io.weir.broker.txn.LocalMarkerWriter;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A partition leader's part of committing or aborting: appends the COMMIT or ABORT control batch of a
 * producer (acks=all, replicated like data), and on a {@code __consumer_offsets} partition makes the
 * producer's pending transactional offsets visible or drops them; on a data partition it ends the share
 * acknowledgements made in the transaction ({@link SharePartitionManager#onTransactionMarker}). Used by WriteTxnMarkers and by the
 * local transaction coordinator for partitions this broker leads.
 *
 * <p>Thread-safe.
 */
public final class TxnMarkerAppender implements LocalMarkerWriter {
    private static final long APPEND_TIMEOUT_MS = 10_000;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TxnMarkerAppender.class);

    private final ReplicaManager replicas;
    private final GroupCoordinator groups;
    private final SharePartitionManager shares;
    private final Time time;

    public TxnMarkerAppender(ReplicaManager replicas, GroupCoordinator groups, Time time) {
        this(replicas, groups, null, time);
    }

    /** @param shares the share-partitions whose transactional acknowledgements the markers end (null: none) */
    public TxnMarkerAppender(ReplicaManager replicas, GroupCoordinator groups, SharePartitionManager shares, Time time) {
        this.replicas = replicas;
        this.groups = groups;
        this.shares = shares;
        this.time = time;
    }

    /**
     * Share-partitions of {@code tp} with acknowledgements in this transaction: accepted (commit) or released (abort).
     * Their state write is not waited for: a new leader resolves them from this marker in the log if it is lost.
     */
    private void completeShareAcks(TopicPartition tp, long producerId, short producerEpoch, long markerOffset, boolean commit) {
        replicas.partition(tp).ifPresent(p -> {
            try {
                shares.onTransactionMarker(p.topicId(), tp.partition(), producerId, producerEpoch, markerOffset, commit)
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                log.warn("Share state of {} after the marker of producer {} not written (resolved again from the log "
                                        + "by the next leader): {}", tp, producerId, e.toString());
                            } else {
                                replicas.fetchPurgatory().onAppend(tp); // aborted acknowledgements are available again
                            }
                        });
            } catch (RuntimeException e) {
                log.warn("Share acknowledgements of producer {} on {} not completed: {}", producerId, tp, e.toString());
            }
        });
    }

    @Override
    public CompletableFuture<Errors> write(TopicPartition tp, long producerId, short producerEpoch, int coordinatorEpoch,
                                           boolean commit) {
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(time.milliseconds(), producerId, producerEpoch,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
        CompletableFuture<io.weir.broker.log.LogAppendInfo> appended;
        try {
            appended = replicas.appendRecords(tp, marker, (short) -1, 1, APPEND_TIMEOUT_MS, AppendOrigin.COORDINATOR);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((info, e) -> {
            if (e != null) {
                return ApiErrors.errorFor(e, "marker of producer " + producerId + " for " + tp);
            }
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                groups.completeTransaction(producerId, commit, tp.partition());
            } else if (shares != null && !info.duplicate()) {
                completeShareAcks(tp, producerId, producerEpoch, info.firstOffset(), commit);
            }
            return Errors.NONE;
        });
    }
}
