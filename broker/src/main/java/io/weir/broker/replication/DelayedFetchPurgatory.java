package io.weir.broker.replication;

import io.weir.broker.common.Scheduler;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Where long-polling fetches wait: a fetch that found fewer than {@code min.bytes} registers on its
 * partitions and is completed as soon as an append makes its condition true, or when
 * {@code max.wait.ms} expires, whichever comes first. Completion is idempotent, so a race between
 * an append and the timeout is harmless.
 *
 * <p>Thread-safe.
 */
public final class DelayedFetchPurgatory {
    private final Scheduler scheduler;
    private final ConcurrentHashMap<TopicPartition, Set<Waiter>> watchers = new ConcurrentHashMap<>();

    private record Waiter(Collection<TopicPartition> partitions, BooleanSupplier satisfied, CompletableFuture<Void> done) {
    }

    public DelayedFetchPurgatory(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Completes when {@code satisfied} holds after an append to one of {@code partitions}, or after
     * {@code maxWaitMs}.
     */
    public CompletableFuture<Void> await(Collection<TopicPartition> partitions, BooleanSupplier satisfied, long maxWaitMs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (maxWaitMs <= 0 || satisfied.getAsBoolean()) {
            done.complete(null);
            return done;
        }
        Waiter waiter = new Waiter(partitions, satisfied, done);
        for (TopicPartition tp : partitions) {
            // add inside the map's lock: unregister() may be removing this partition's set as it empties
            watchers.compute(tp, (k, set) -> {
                Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(waiter);
                return s;
            });
        }
        done.whenComplete((v, e) -> unregister(waiter));
        // data may have arrived while registering
        if (satisfied.getAsBoolean()) {
            done.complete(null);
            return done;
        }
        java.util.concurrent.ScheduledFuture<?> timeout = scheduler.scheduleOnce("fetch-timeout", () -> done.complete(null), maxWaitMs);
        if (timeout != null) {
            done.whenComplete((v, e) -> timeout.cancel(false));
        }
        return done;
    }

    /** Called after an append to {@code tp}: completes the waiters whose condition now holds. */
    public void onAppend(TopicPartition tp) {
        Set<Waiter> waiters = watchers.get(tp);
        if (waiters == null) {
            return;
        }
        for (Waiter w : waiters) {
            if (!w.done().isDone() && w.satisfied().getAsBoolean()) {
                w.done().complete(null);
            }
        }
    }

    /** Wakes every waiter (shutdown). */
    public void completeAll() {
        watchers.values().forEach(set -> set.forEach(w -> w.done().complete(null)));
    }

    private void unregister(Waiter waiter) {
        for (TopicPartition tp : waiter.partitions()) {
            watchers.computeIfPresent(tp, (k, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }
    }

    int watched() {
        return watchers.values().stream().mapToInt(Set::size).sum();
    }
}
