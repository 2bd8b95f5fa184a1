package io.weir.broker.share;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where a share-partition leader keeps its state durably: the share coordinator of the key (the
 * leader of its {@code __share_group_state} partition), on this broker or reached over the network.
 */
public interface SharePersister {

    /** Writes the state; completes once it is replicated to the state partition's in-sync replicas. */
    default CompletableFuture<Void> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot) {
        return write(key, leaderEpoch, snapshot, true);
    }

    /**
     * As {@link #write(ShareKey, int, ShareSnapshot)}; {@code durable} false: a write nobody waits for (the delivery
     * counts of an acquisition, a release by an expired lock or a closed session), which need not be made durable on
     * its own (see {@link ShareStateAppender}).
     */
    CompletableFuture<Void> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot, boolean durable);

    /**
     * Reads the state (blocking).
     *
     * @return empty when the share-partition has never been written
     * @throws org.apache.kafka.common.errors.RetriableException when the coordinator is not available now
     */
    Optional<ShareSnapshot> read(ShareKey key, int leaderEpoch);
}
