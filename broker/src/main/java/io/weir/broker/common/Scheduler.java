package io.weir.broker.common;

import java.util.concurrent.ScheduledFuture;

/**
 * Runs background tasks (retention, flushes, checkpoints, delayed file deletion).
 * Implementations are thread-safe; a task that throws is logged and, if periodic, keeps its schedule.
 */
public interface Scheduler extends AutoCloseable {

    /** Runs {@code task} once after {@code delayMs}. */
    ScheduledFuture<?> scheduleOnce(String name, Runnable task, long delayMs);

    /** Runs {@code task} every {@code periodMs}, first after {@code delayMs}. */
    ScheduledFuture<?> schedulePeriodic(String name, Runnable task, long delayMs, long periodMs);

    /** Stops accepting tasks, cancels periodic ones and waits for running tasks to finish. */
    @Override
    void close();
}
