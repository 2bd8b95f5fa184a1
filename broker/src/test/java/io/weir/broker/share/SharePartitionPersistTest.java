package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * How a share-partition's writes reach its persister: one at a time, later changes merged into one queued write, and
 * that write durable when any of its callers waits for durability (an acknowledgement), in the background only when
 * none does (acquisitions, expired locks, closed sessions).
 */
class SharePartitionPersistTest {

    /** A persister that records each write and completes it when told. */
    private static final class Recording implements SharePersister {
        final List<Boolean> durable = new ArrayList<>();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();

        @Override
        public CompletableFuture<Void> write(ShareKey key, int leaderEpoch, ShareSnapshot snapshot, boolean isDurable) {
            durable.add(isDurable);
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        @Override
        public Optional<ShareSnapshot> read(ShareKey key, int leaderEpoch) {
            return Optional.empty();
        }

        void completeLast() {
            pending.get(pending.size() - 1).complete(null);
        }
    }

    private static SharePartition partition(Recording persister) {
        return new SharePartition(new ShareKey("g", Uuid.randomUuid(), 0), SharePartitionState.fresh(0, 5, 100), persister, 0);
    }

    @Test
    void aBackgroundWriteAsksForNoDurabilityAndAnAcknowledgementDoes() {
        Recording persister = new Recording();
        SharePartition sp = partition(persister);
        sp.persistInBackground();
        persister.completeLast();
        CompletableFuture<Void> acked = sp.persist();
        assertThat(persister.durable).containsExactly(false, true);
        assertThat(acked).isNotDone();
        persister.completeLast();
        assertThat(acked).isDone();
    }

    @Test
    void aQueuedWriteIsDurableWhenAnyOfItsCallersWaitsForIt() {
        Recording persister = new Recording();
        SharePartition sp = partition(persister);
        sp.persistInBackground(); // in flight
        CompletableFuture<Void> background = sp.persistInBackground();
        CompletableFuture<Void> acked = sp.persist();
        assertThat(background).isSameAs(acked).as("merged into one queued write");
        persister.completeLast();
        assertThat(persister.durable).containsExactly(false, true);
        persister.completeLast();
        assertThat(acked).isDone();
        // only background changes queued: the next write is a background one again
        sp.persistInBackground();
        sp.persistInBackground();
        persister.completeLast();
        assertThat(persister.durable).containsExactly(false, true, false, false);
    }
}
