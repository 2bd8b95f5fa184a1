package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.ThreadPoolScheduler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A waiting fetch must be woken by the append it waits for, even while an earlier waiter unregisters. */
class DelayedFetchPurgatoryTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @Test
    void aNewWaiterIsNeverLostWhileTheLastOneUnregisters() throws Exception {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler("purgatory-test", 1)) {
            DelayedFetchPurgatory purgatory = new DelayedFetchPurgatory(scheduler);
            int missed = 0;
            java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                for (int round = 0; round < 50_000; round++) {
                    AtomicBoolean dataForB = new AtomicBoolean();
                    CompletableFuture<Void> a = purgatory.await(List.of(TP), () -> false, 60_000);
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                    // B registers on another thread at the moment A completes and unregisters here
                    java.util.concurrent.Future<CompletableFuture<Void>> b = other.submit(() -> {
                        start.await();
                        return purgatory.await(List.of(TP), dataForB::get, 60_000);
                    });
                    start.await();
                    a.complete(null);
                    CompletableFuture<Void> waiting = b.get();
                    dataForB.set(true);
                    purgatory.onAppend(TP);
                    if (!waiting.isDone()) {
                        missed++;
                        waiting.complete(null);
                    }
                }
            } finally {
                other.shutdownNow();
            }
            assertThat(missed).as("waiters not woken by the append they waited for").isZero();
            assertThat(purgatory.watched()).isZero();
        }
    }

    @Test
    void timeoutCompletesAWaiterWithoutData() {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler("purgatory-test", 1)) {
            DelayedFetchPurgatory purgatory = new DelayedFetchPurgatory(scheduler);
            AtomicInteger checks = new AtomicInteger();
            CompletableFuture<Void> f = purgatory.await(List.of(TP), () -> checks.incrementAndGet() < 0, 50);
            f.join();
            // the waiter unregisters in a dependent of its future, run by the completing (timeout) thread just after
            // join() may already have returned
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> purgatory.watched() == 0);
        }
    }
}
