package io.weir.samples.cluster;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;

import java.util.concurrent.CountDownLatch;

/**
 * Receives the sender's numbered messages in a CLIENT_ACKNOWLEDGE session, acknowledging every
 * {@code acknowledgeEvery} messages (and whatever is left when the queue goes quiet), and records each delivery
 * in a {@link DeliveryTally}. It stops once every number arrived and the queue stayed empty for two receive
 * timeouts more (so a late duplicate would still be seen), or at the deadline. Runs on its own thread;
 * {@link #ready()} opens once its consumer exists.
 */
final class CheckingReceiver implements Runnable {

    private static final long RECEIVE_TIMEOUT_MS = 1_000;
    private static final int QUIET_RECEIVES = 2;

    private final ConnectionFactory factory;
    private final String queue;
    private final int expected;
    private final int acknowledgeEvery;
    private final FlowTimeline timeline;
    private final long deadlineNanos;
    private final Progress progress;
    private final DeliveryTally tally = new DeliveryTally();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile int received;

    CheckingReceiver(ConnectionFactory factory, String queue, int expected, int acknowledgeEvery, FlowTimeline timeline,
                     long deadlineNanos, Progress progress) {
        this.progress = progress;
        this.factory = factory;
        this.queue = queue;
        this.expected = expected;
        this.acknowledgeEvery = acknowledgeEvery;
        this.timeline = timeline;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
        try (JMSContext context = factory.createContext(JMSContext.CLIENT_ACKNOWLEDGE);
             JMSConsumer consumer = context.createConsumer(context.createQueue(queue))) {
            ready.countDown();
            Message last = null;
            int quiet = 0;
            while (System.nanoTime() < deadlineNanos && quiet < QUIET_RECEIVES) {
                Message m;
                try {
                    m = consumer.receive(RECEIVE_TIMEOUT_MS);
                } catch (JMSRuntimeException e) {
                    progress.say("consumer: receive failed (" + e.getMessage() + "), receiving again");
                    continue;
                }
                if (m == null) {
                    if (tally.hasUnacknowledged()) {
                        acknowledge(last);
                    } else if (tally.distinctCount() >= expected) {
                        quiet++;
                    }
                    continue;
                }
                quiet = 0;
                timeline.record(System.nanoTime());
                tally.received(m.getIntProperty(NumberedSender.NUMBER), m.getJMSRedelivered());
                last = m;
                if (++received % acknowledgeEvery == 0) {
                    acknowledge(m);
                }
            }
        } catch (JMSException | RuntimeException e) {
            progress.say("consumer stopped: " + e);
        } finally {
            ready.countDown();
        }
    }

    private void acknowledge(Message m) {
        try {
            m.acknowledge();
            tally.acknowledged();
        } catch (JMSException | JMSRuntimeException e) {
            tally.acknowledgeFailed();
            progress.say("consumer: acknowledge() failed (" + e.getMessage() + "); those messages may come again");
        }
    }

    CountDownLatch ready() {
        return ready;
    }

    int received() {
        return received;
    }

    /** Read once the receiver's thread ended. */
    DeliveryTally tally() {
        return tally;
    }
}
