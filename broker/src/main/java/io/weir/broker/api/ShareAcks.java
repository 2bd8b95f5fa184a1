package io.weir.broker.api;

import io.weir.broker.share.AckType;
import io.weir.broker.share.SharePartition;
import io.weir.broker.share.SharePartitionState.AckResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the acknowledgement batches of one share-partition (from ShareFetch or ShareAcknowledge)
 * and completes once the resulting state is durable. A batch carries either one acknowledge type for
 * all its offsets or one type per offset.
 */
final class ShareAcks {
    private static final Logger log = LoggerFactory.getLogger(ShareAcks.class);

    /** One acknowledgement batch, as both request messages carry it. */
    record Batch(long first, long last, List<Byte> types) {
    }

    private ShareAcks() {
    }

    /** The acknowledge error of the partition: NONE, INVALID_REQUEST, INVALID_RECORD_STATE or the persisting error. */
    static CompletableFuture<Errors> apply(ShareSupport share, ShareSupport.Target target, String groupId, String memberId,
                                           List<Batch> batches) {
        if (target.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(target.error());
        }
        SharePartition sp;
        try {
            sp = share.share().partitions().getOrLoad(groupId, target.leader());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ApiErrors.errorFor(e, target.tp()));
        }
        long now = share.share().partitions().time().milliseconds();
        long lockMs = share.share().partitions().settings().recordLockDurationMs(groupId);
        Errors error = Errors.NONE;
        for (Batch b : batches) {
            Errors e = applyOne(sp, memberId, b, lockMs, now);
            if (log.isTraceEnabled()) {
                log.trace("Share group {} member {}: acknowledgement {}..{} {} of {}: {}", groupId, memberId, b.first(), b.last(),
                        b.types(), target.tp(), e);
            }
            if (e != Errors.NONE) {
                log.debug("Share group {} member {}: acknowledgement {}..{} of {} refused: {}", groupId, memberId, b.first(), b.last(),
                        target.tp(), e);
                error = e;
            }
        }
        Errors result = error;
        // released records are available again: a fetch waiting on this partition (another member's) may take them
        share.services().replicas().fetchPurgatory().onAppend(target.tp());
        return persisted(sp, groupId, target, result);
    }

    /**
     * The acknowledgements of one share-partition inside the transaction {@code txn} (ShareAcknowledge with Weir's
     * {@link io.weir.broker.share.TxnAck} tag): ACCEPTed offsets, which must be acquired by the member, become pending
     * in the transaction once the data partition has joined it at the coordinator (a fenced or unknown producer gets
     * the coordinator's error and nothing changes: the records stay acquired); the transaction's marker on the
     * partition then acknowledges them (commit) or releases them (abort). GAP, RELEASE, REJECT and RENEW are not
     * transactional: they apply at once, as without the tag.
     */
    static CompletableFuture<Errors> applyInTransaction(ShareSupport share, ShareSupport.Target target, String groupId,
                                                        String memberId, List<Batch> batches, io.weir.broker.share.TxnAck txn) {
        if (target.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(target.error());
        }
        SharePartition sp;
        try {
            sp = share.share().partitions().getOrLoad(groupId, target.leader());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ApiErrors.errorFor(e, target.tp()));
        }
        long now = share.share().partitions().time().milliseconds();
        long lockMs = share.share().partitions().settings().recordLockDurationMs(groupId);
        Errors error = Errors.NONE;
        List<long[]> accepts = new java.util.ArrayList<>();
        for (Batch b : batches) {
            Errors e = b.first() > b.last() || b.types().isEmpty()
                    || b.types().size() != 1 && b.types().size() != b.last() - b.first() + 1 ? Errors.INVALID_REQUEST : Errors.NONE;
            for (long o = b.first(); e == Errors.NONE && o <= b.last(); o++) {
                AckType type = AckType.of(b.types().get(b.types().size() == 1 ? 0 : (int) (o - b.first())));
                if (type == null) {
                    e = Errors.INVALID_REQUEST;
                } else if (type == AckType.ACCEPT) {
                    if (sp.checkAcquired(memberId, o, o) != AckResult.OK) {
                        e = Errors.INVALID_RECORD_STATE;
                    } else if (!accepts.isEmpty() && accepts.get(accepts.size() - 1)[1] + 1 == o) {
                        accepts.get(accepts.size() - 1)[1] = o;
                    } else {
                        accepts.add(new long[] {o, o});
                    }
                } else if (sp.acknowledge(memberId, o, o, type, lockMs, now) != AckResult.OK) {
                    e = Errors.INVALID_RECORD_STATE;
                }
            }
            if (e != Errors.NONE) {
                log.debug("Share group {} member {}: transactional acknowledgement {}..{} of {} refused: {}", groupId, memberId,
                        b.first(), b.last(), target.tp(), e);
                error = e;
            }
        }
        Errors immediate = error;
        if (accepts.isEmpty()) {
            share.services().replicas().fetchPurgatory().onAppend(target.tp());
            return persisted(sp, groupId, target, immediate);
        }
        // the log end before joining: a marker written from there on may already end the transaction (a timeout abort)
        long scanFrom = target.leader().log().logEndOffset();
        CompletableFuture<Errors> join;
        try {
            join = share.services().txns().joinFromPartitionLeader(txn.transactionalId(), txn.producerId(), txn.producerEpoch(),
                    target.tp());
        } catch (RuntimeException e) {
            join = CompletableFuture.failedFuture(e);
        }
        return join.handle((joined, e) -> e == null ? joined
                : ApiErrors.errorFor(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e,
                        target.tp())).thenCompose(joined -> {
                    if (joined != Errors.NONE) {
                        log.debug("Share group {} member {}: {} could not join the transaction {} (producer {} epoch {}): {}", groupId,
                                memberId, target.tp(), txn.transactionalId(), txn.producerId(), txn.producerEpoch(), joined);
                        share.services().replicas().fetchPurgatory().onAppend(target.tp());
                        return persisted(sp, groupId, target, joined);
                    }
                    long markerFrom = target.leader().log().logEndOffset();
                    Errors result = immediate;
                    for (long[] r : accepts) {
                        if (sp.acceptInTransaction(memberId, r[0], r[1], txn.producerId(), txn.producerEpoch(), markerFrom,
                                target.leader().log(), scanFrom) != AckResult.OK) {
                            result = Errors.INVALID_RECORD_STATE; // its lock expired while joining
                        }
                    }
                    if (log.isTraceEnabled()) {
                        log.trace("Share group {} member {}: {} accepted in transaction {} (producer {} epoch {}), markers from {}",
                                groupId, memberId, target.tp(), txn.transactionalId(), txn.producerId(), txn.producerEpoch(), markerFrom);
                    }
                    share.services().replicas().fetchPurgatory().onAppend(target.tp());
                    return persisted(sp, groupId, target, result);
                });
    }

    private static CompletableFuture<Errors> persisted(SharePartition sp, String groupId, ShareSupport.Target target, Errors result) {
        return sp.persist().handle((v, e) -> {
            if (e != null) {
                log.warn("Share group {}: the state of {} could not be written: {}", groupId, target.tp(), e.toString());
                return ApiErrors.errorFor(e instanceof java.util.concurrent.CompletionException ? e.getCause() : e, target.tp());
            }
            return result;
        });
    }

    private static Errors applyOne(SharePartition sp, String memberId, Batch b, long lockMs, long now) {
        if (b.first() > b.last() || b.types().isEmpty()) {
            return Errors.INVALID_REQUEST;
        }
        if (b.types().size() == 1) {
            AckType type = AckType.of(b.types().get(0));
            if (type == null) {
                return Errors.INVALID_REQUEST;
            }
            return sp.acknowledge(memberId, b.first(), b.last(), type, lockMs, now) == AckResult.OK ? Errors.NONE
                    : Errors.INVALID_RECORD_STATE;
        }
        if (b.types().size() != b.last() - b.first() + 1) {
            return Errors.INVALID_REQUEST;
        }
        Errors error = Errors.NONE;
        for (int i = 0; i < b.types().size(); i++) {
            AckType type = AckType.of(b.types().get(i));
            if (type == null) {
                error = Errors.INVALID_REQUEST;
                continue;
            }
            long o = b.first() + i;
            if (sp.acknowledge(memberId, o, o, type, lockMs, now) != AckResult.OK) {
                error = Errors.INVALID_RECORD_STATE;
            }
        }
        return error;
    }
}
