package io.weir.jms.it;

import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumer JVM of the crash test: consumes a queue with a message listener in the given acknowledge mode and reports on stdout what it
 * was handed ({@code GOT n}) and, under CLIENT_ACKNOWLEDGE, what it is about to acknowledge ({@code ACKING n n n})
 * and what {@code acknowledge()} returned for ({@code ACKED n n n}), until the test kills it with SIGKILL.
 * <p>Arguments: bootstrap servers, queue name, acknowledge mode (a {@code Session} constant), ack every k messages,
 * and optionally the factory's queue mode ({@code CLASSIC}), a message selector ({@code -} for none), a pause
 * per message in ms (3) and the factory's {@code maxDeliveryAttempts}. With the queue mode {@code AUTO} (the
 * factory's default) the consumer group timeouts are left at the provider's defaults too, as an application has them.
 */
public final class QueueCrashConsumer {

    private QueueCrashConsumer() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String queue = args[1];
        int mode = Integer.parseInt(args[2]);
        int ackEvery = Integer.parseInt(args[3]);
        QueueMode queueMode = args.length > 4 ? QueueMode.parse(args[4]) : QueueMode.CLASSIC;
        String selector = args.length > 5 && !args[5].equals("-") ? args[5] : null;
        long pause = args.length > 6 ? Long.parseLong(args[6]) : 3;
        PrintStream out = System.out;
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap);
        f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS);
        f.setQueueMode(queueMode);
        // "ACKED" claims the broker has the acknowledgement: only a blocking acknowledge() promises that
        f.setBlockOnAcknowledge(true);
        if (args.length > 7) {
            f.setMaxDeliveryAttempts(Integer.parseInt(args[7]));
        }
        if (queueMode != QueueMode.AUTO) {
            f.setKafkaProperty("session.timeout.ms", "2000");
            f.setKafkaProperty("heartbeat.interval.ms", "300");
        }
        Connection c = f.createConnection();
        Session s = c.createSession(mode);
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue), selector);
        List<Integer> unacked = new ArrayList<>();
        // a listener, not receive(): AUTO and DUPS_OK acknowledge only after onMessage returned, so every message
        // that can have been acknowledged was reported on stdout first
        consumer.setMessageListener(m -> {
            try {
                int n = m.getIntProperty("n");
                out.println("GOT " + n);
                out.flush();
                if (mode == Session.CLIENT_ACKNOWLEDGE) {
                    unacked.add(n);
                    if (unacked.size() >= ackEvery) {
                        StringBuilder numbers = new StringBuilder();
                        unacked.forEach(i -> numbers.append(' ').append(i));
                        // a kill while acknowledge() runs leaves these in doubt: the commit may have reached the broker
                        out.println("ACKING" + numbers);
                        out.flush();
                        m.acknowledge();
                        out.println("ACKED" + numbers);
                        out.flush();
                        unacked.clear();
                    }
                }
                Thread.sleep(pause);
            } catch (Exception e) {
                e.printStackTrace();
                Runtime.getRuntime().halt(2);
            }
        });
        c.start();
        out.println("READY");
        out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
