package io.weir.samples.cluster;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends messages {@code 0..count-1} to a queue, PERSISTENT and synchronous: each {@code send} returns once the
 * cluster has the message (replicated to {@code min.insync.replicas} brokers). The number travels as the int
 * property {@code number}. A send that fails (the cluster had no leader for longer than the send timeout) is
 * retried, as an application would, and counted. Runs on its own thread; the counters are read from others.
 */
final class NumberedSender implements Runnable {

    static final String NUMBER = "number";

    private final ConnectionFactory factory;
    private final String queue;
    private final int count;
    private final FlowTimeline timeline;
    private final long deadlineNanos;
    private final Progress progress;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private volatile RuntimeException failure;

    NumberedSender(ConnectionFactory factory, String queue, int count, FlowTimeline timeline, long deadlineNanos,
                   Progress progress) {
        this.progress = progress;
        this.factory = factory;
        this.queue = queue;
        this.count = count;
        this.timeline = timeline;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
        try (JMSContext context = factory.createContext()) {
            Queue destination = context.createQueue(queue);
            JMSProducer producer = context.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int n = 0; n < count; n++) {
                send(producer, destination, n);
            }
        } catch (RuntimeException e) {
            failure = e;
            progress.say("producer stopped: " + e);
        }
    }

    private void send(JMSProducer producer, Queue destination, int n) {
        while (true) {
            try {
                producer.setProperty(NUMBER, n).send(destination, "payment " + n);
                timeline.record(System.nanoTime());
                sent.incrementAndGet();
                return;
            } catch (JMSRuntimeException e) {
                if (System.nanoTime() > deadlineNanos) {
                    throw e;
                }
                retries.incrementAndGet();
                progress.say("producer: sending message " + n + " failed (" + e.getMessage() + "), sending it again");
            }
        }
    }

    int sent() {
        return sent.get();
    }

    int retries() {
        return retries.get();
    }

    RuntimeException failure() {
        return failure;
    }
}
