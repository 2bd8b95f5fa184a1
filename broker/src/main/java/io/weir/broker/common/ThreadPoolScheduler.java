package io.weir.broker.common;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on a {@link ScheduledThreadPoolExecutor} with named daemon threads.
 * Lifecycle: {@code STARTED} at construction, {@code CLOSED} after {@link #close()}; tasks
 * scheduled after close are dropped with a debug log line rather than failing the caller,
 * because shutdown races with background work by nature.
 */
public final class ThreadPoolScheduler implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(ThreadPoolScheduler.class);

    private enum State { STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
    private final ScheduledThreadPoolExecutor executor;

    public ThreadPoolScheduler(String threadNamePrefix, int threads) {
        this.executor = new ScheduledThreadPoolExecutor(threads, new NamedThreadFactory(threadNamePrefix, true));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public ScheduledFuture<?> scheduleOnce(String name, Runnable task, long delayMs) {
        try {
            return executor.schedule(guarded(name, task), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Scheduler closed; dropping task {}", name);
            return null;
        }
    }

    @Override
    public ScheduledFuture<?> schedulePeriodic(String name, Runnable task, long delayMs, long periodMs) {
        try {
            return executor.scheduleWithFixedDelay(guarded(name, task), Math.max(0, delayMs), periodMs,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Scheduler closed; dropping periodic task {}", name);
            return null;
        }
    }

    private static Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                log.error("Background task {} failed", name, t);
            }
        };
    }

    @Override
    public void close() {
        if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Scheduler tasks still running after 30 s; interrupting them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
