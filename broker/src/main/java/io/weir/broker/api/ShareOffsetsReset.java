package io.weir.broker.api;

import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * What altering and deleting share-group offsets have in common: a new state written to the
 * share-partition's share coordinator in the next state epoch, which fences the state a leader may
 * still hold in memory (its next write is refused and it loads the new state).
 */
final class ShareOffsetsReset {
    private ShareOffsetsReset() {
    }

    /**
     * Writes the state {@code next} makes of the next state epoch; completes when durable.
     *
     * @return a completed future of false when there was no state and {@code onlyExisting}
     */
    static CompletableFuture<Boolean> reset(ShareSupport share, ShareKey key, boolean onlyExisting, IntFunction<ShareSnapshot> next) {
        Optional<ShareSnapshot> current = share.share().persister().read(key, -1);
        if (onlyExisting && (current.isEmpty() || current.get().isDeleted())) {
            return CompletableFuture.completedFuture(false);
        }
        int epoch = current.map(ShareSnapshot::stateEpoch).orElse(0) + 1;
        share.share().partitions().forget(key);
        return share.share().persister().write(key, -1, next.apply(epoch)).thenApply(v -> true);
    }

    static ShareSnapshot startingAt(int stateEpoch, long offset) {
        return new ShareSnapshot(stateEpoch, offset, List.of());
    }
}
