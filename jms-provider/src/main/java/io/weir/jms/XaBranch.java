package io.weir.jms;

import io.weir.jms.client.ConsumerEngine;
import io.weir.jms.client.ReaderEngine;
import io.weir.jms.client.ShareQueueReader;
import io.weir.jms.client.TwoPhaseBranch;
import io.weir.jms.xa.XaState;
import io.weir.jms.xa.XidKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One XA branch known to this resource manager: its state ({@link XaState}), its Kafka transaction, what the sessions
 * working in it consumed, and the connection that owns its Kafka transaction. Guarded by its own monitor: the
 * XAResource methods synchronize on the branch.
 */
final class XaBranch {

    final XidKey xid;
    final TwoPhaseBranch kafka;
    final WeirXAConnection owner;
    final long startedAt;
    final int timeoutSeconds;
    XaState state = XaState.ACTIVE;
    /** the sessions associated now (TMJOIN may add several), and those suspended (TMSUSPEND) */
    final Set<WeirXASession> associated = new LinkedHashSet<>();
    final Set<WeirXASession> suspended = new LinkedHashSet<>();
    private final Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed = new LinkedHashMap<>();
    private final Set<WeirXASession> sessions = new LinkedHashSet<>();
    /** Share-group messages acknowledged inside the Kafka transaction: the marker settles them. */
    private final Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> inTransaction = new LinkedHashMap<>();
    /** Share-group readers whose brokers do not take transactional acknowledgements. */
    private final Set<ShareQueueReader> sharedAfterCommit = new LinkedHashSet<>();

    XaBranch(XidKey xid, TwoPhaseBranch kafka, WeirXAConnection owner, long startedAt, int timeoutSeconds) {
        this.xid = xid;
        this.kafka = kafka;
        this.owner = owner;
        this.startedAt = startedAt;
        this.timeoutSeconds = timeoutSeconds;
    }

    boolean timedOut(long now) {
        return timeoutSeconds > 0 && now - startedAt > timeoutSeconds * 1000L;
    }

    /**
     * Takes what {@code session} delivered into the branch and adds the positions to the Kafka transaction: for each
     * group reader, the positions of everything the branch consumed from it (a later end recomputes them, a superset).
     */
    void addDelivered(WeirXASession session) {
        sessions.add(session);
        Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> delivered = session.takeDelivered();
        delivered.forEach((engine, records) -> consumed.computeIfAbsent(engine, e -> new ArrayList<>()).addAll(records));
        for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : delivered.entrySet()) {
            if (e.getKey() instanceof ConsumerEngine classic) {
                kafka.addOffsets(await(classic.transactionalOffsets(consumed.get(classic))));
            } else if (e.getKey() instanceof ShareQueueReader share && !sharedAfterCommit.contains(share)) {
                acceptInTransaction(share, e.getValue());
            }
        }
    }

    /**
     * A share-group queue's messages join the branch's Kafka transaction (Weir's transactional share acknowledgement):
     * exactly-once with the branch's sends. A broker that does not take them (Apache Kafka) leaves them to be ACCEPTed
     * after the commit, at-least-once, as before.
     */
    private void acceptInTransaction(ShareQueueReader share, List<ConsumerRecord<byte[], byte[]>> records) {
        try {
            await(share.acceptInTransaction(records, kafka.shareTransaction()));
            inTransaction.computeIfAbsent(share, s -> new ArrayList<>()).addAll(records);
        } catch (org.apache.kafka.common.errors.UnsupportedVersionException e) {
            org.slf4j.LoggerFactory.getLogger(XaBranch.class).info("Branch {}: {}; the queue's messages are acknowledged after "
                    + "the commit (at-least-once)", xid, e.getMessage());
            sharedAfterCommit.add(share);
        }
    }

    /**
     * The branch ended: marks what was consumed (commit) or gives it back to its readers to be delivered again
     * (rollback). Only the branch's records are given back: a queue's group member may be shared with sessions
     * still working on other messages, which must not be handed out a second time.
     */
    void finish(boolean committed) {
        if (!committed) {
            for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                if (!e.getKey().isClosed()) {
                    await(e.getKey().rewind(e.getValue()));
                }
            }
        }
        if (committed) {
            for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                if (e.getKey().isClosed()) {
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> settled = inTransaction.getOrDefault(e.getKey(), List.of());
                java.util.Set<ConsumerRecord<byte[], byte[]>> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                done.addAll(settled);
                e.getValue().removeIf(done::contains);
                if (e.getValue().isEmpty()) {
                    continue; // acknowledged inside the transaction: its commit marker settled them
                }
                if (e.getKey() instanceof ConsumerEngine) {
                    e.getValue().forEach(e.getKey()::consumed);
                } else {
                    await(e.getKey().consumedAndCommit(e.getValue(), true)); // share-group acknowledgements cannot join the transaction
                }
            }
        }
        consumed.clear();
        inTransaction.clear();
        for (WeirXASession s : sessions) {
            s.afterBranch(committed);
        }
        sessions.clear();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        return io.weir.jms.client.Waits.await(f, 30_000, "The consumer");
    }

    @Override
    public String toString() {
        return xid + " " + state + " on " + kafka.transactionalId();
    }
}
