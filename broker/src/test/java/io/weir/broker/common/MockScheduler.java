package io.weir.broker.common;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler driven by a {@link MockTime}: tasks run on the caller's thread when {@link #advance}
 * moves time past their due time, in due order. Thread-safe enough for tests (synchronized).
 */
public final class MockScheduler implements Scheduler {
    private final MockTime time;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq));
    private long seq;

    public MockScheduler(MockTime time) {
        this.time = time;
    }

    private final class Task implements ScheduledFuture<Object> {
        final long due;
        final long seq;
        final Runnable action;
        final long periodMs;
        volatile boolean cancelled;
        volatile boolean done;

        Task(long due, long seq, Runnable action, long periodMs) {
            this.due = due;
            this.seq = seq;
            this.action = action;
            this.periodMs = periodMs;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - time.milliseconds(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    @Override
    public synchronized ScheduledFuture<?> scheduleOnce(String name, Runnable task, long delayMs) {
        Task t = new Task(time.milliseconds() + Math.max(0, delayMs), seq++, task, 0);
        tasks.add(t);
        return t;
    }

    @Override
    public synchronized ScheduledFuture<?> schedulePeriodic(String name, Runnable task, long delayMs, long periodMs) {
        Task t = new Task(time.milliseconds() + Math.max(0, delayMs), seq++, task, periodMs);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code ms}, running every task that falls due, in order. */
    public void advance(long ms) {
        long target = time.milliseconds() + ms;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    break;
                }
                tasks.poll();
            }
            if (next.due > time.milliseconds()) {
                time.advance(next.due - time.milliseconds());
            }
            if (!next.cancelled) {
                next.action.run();
                next.done = true;
                if (next.periodMs > 0) {
                    synchronized (this) {
                        tasks.add(new Task(next.due + next.periodMs, seq++, next.action, next.periodMs));
                    }
                }
            }
        }
        if (target > time.milliseconds()) {
            time.advance(target - time.milliseconds());
        }
    }

    /** Runs tasks already due without moving time. */
    public void runDue() {
        advance(0);
    }

    public synchronized int pending() {
        List<Task> live = new ArrayList<>();
        for (Task t : tasks) {
            if (!t.cancelled) {
                live.add(t);
            }
        }
        return live.size();
    }

    @Override
    public void close() {
    }
}
