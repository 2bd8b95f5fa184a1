package io.weir.jms;

import jakarta.jms.JMSException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Tells a connection's exception listener when its brokers stop answering. Kafka clients reconnect silently, so a
 * connection with nothing to send or receive would otherwise never learn that the broker is gone. Every
 * {@code intervalMs} it asks the cluster for its id (bounded by the interval); the first failure of an outage is
 * reported once, a later success ends the outage. One daemon thread serves every connection of the JVM; the
 * checks themselves are asynchronous Admin calls, so a slow broker never holds that thread.
 */
final class BrokerWatch implements AutoCloseable {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "weir-jms-broker-watch");
        t.setDaemon(true);
        return t;
    });

    private final Admin admin;
    private final String brokers;
    private final long intervalMs;
    private final Consumer<JMSException> onLost;
    private final AtomicBoolean checking = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile ScheduledFuture<?> task;
    private volatile boolean closed;

    BrokerWatch(Admin admin, String brokers, long intervalMs, Consumer<JMSException> onLost) {
        this.admin = admin;
        this.brokers = brokers;
        this.intervalMs = intervalMs;
        this.onLost = onLost;
    }

    /** Starts checking (once; later calls do nothing). */
    synchronized void start() {
        if (task == null && !closed && intervalMs > 0) {
            task = TIMER.scheduleWithFixedDelay(this::check, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    private void check() {
        if (closed || !checking.compareAndSet(false, true)) {
            return;
        }
        try {
            int timeout = (int) Math.max(1_000, Math.min(Integer.MAX_VALUE, intervalMs));
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).clusterId()
                    .whenComplete((id, error) -> {
                        checking.set(false);
                        if (closed) {
                            return;
                        }
                        if (error == null) {
                            lost.set(false);
                        } else if (lost.compareAndSet(false, true)) {
                            // not on the Admin client's own thread: the listener may close the connection
                            TIMER.execute(() -> report(error));
                        }
                    });
        } catch (RuntimeException e) {
            checking.set(false);
            if (!closed && lost.compareAndSet(false, true)) {
                report(e);
            }
        }
    }

    private void report(Throwable cause) {
        if (!closed) {
            onLost.accept(JmsExceptionSupport.create("The brokers at " + brokers + " do not answer", cause));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
        }
    }
}
