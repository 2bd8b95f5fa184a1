package io.weir.jms.perf;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.util.Arrays;
import java.util.Locale;

/**
 * A timing harness for queues read through share groups, run by hand (not a test: it asserts nothing and its
 * figures depend on the machine). It times what a user of a share-mode queue waits for:
 * <ul>
 * <li>attach: a fresh connection (started, untimed) creates a consumer on a queue that already holds messages
 * ({@code createConsumer} alone, then to the first message), {@code attaches} times, on fresh queues;</li>
 * <li>AUTO_ACKNOWLEDGE receive of {@code n} 1 KiB messages from a filled queue, and the gaps between receives;</li>
 * <li>CLIENT_ACKNOWLEDGE receive with {@code acknowledge()} every 100.</li>
 * </ul>
 *
 * <pre>
 * java -cp "$(cat cp.txt)" io.weir.jms.perf.ShareQueueTimings [bootstrap|embedded] [n] [attaches]
 * </pre>
 * The classpath as for {@link ProviderTimings}.
 */
public final class ShareQueueTimings {

    private static final int SIZE = 1024;

    private ShareQueueTimings() {
    }

    public static void main(String[] args) throws Exception {
        int n = TimingRuns.intArg(args, 1, 5_000);
        int attaches = TimingRuns.intArg(args, 2, 20);
        TimingRuns.onBroker(args, bootstrap -> run(new WeirConnectionFactory(bootstrap), n, attaches));
    }

    public static void run(WeirConnectionFactory factory, int n, int attaches) throws Exception {
        byte[] body = TimingRuns.payload(SIZE);
        String run = TimingRuns.runId();
        try (Connection c = factory.createConnection()) {
            c.start();
            fill(c, "warm-" + run, n / 5, body);
            receive(c, "warm-" + run, n / 5, Session.AUTO_ACKNOWLEDGE, false);
            attach(factory, "warm-attach-" + run, 2, body, false);

            attach(factory, "attach-" + run, attaches, body, true);

            fill(c, "auto-" + run, n, body);
            receive(c, "auto-" + run, n, Session.AUTO_ACKNOWLEDGE, true);

            fill(c, "client-" + run, n, body);
            receive(c, "client-" + run, n, Session.CLIENT_ACKNOWLEDGE, true);
        }
    }

    private static void fill(Connection c, String queue, int n, byte[] body) throws JMSException {
        try (Session s = c.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = 1; i <= n; i++) {
                BytesMessage m = s.createBytesMessage();
                m.writeBytes(body);
                p.send(m);
                if (i % 500 == 0 || i == n) {
                    s.commit();
                }
            }
        }
    }

    private static void attach(WeirConnectionFactory factory, String prefix, int count, byte[] body, boolean report)
            throws JMSException {
        long[] create = new long[count];
        long[] first = new long[count];
        try (Connection filler = factory.createConnection()) {
            for (int i = 0; i < count; i++) {
                String queue = prefix + "-" + i;
                fill(filler, queue, 10, body);
                try (Connection c = factory.createConnection()) {
                    c.start();
                    try (Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                        var q = s.createQueue(queue);
                        long t0 = System.nanoTime();
                        MessageConsumer consumer = s.createConsumer(q);
                        long t1 = System.nanoTime();
                        Message m = consumer.receive(30_000);
                        long t2 = System.nanoTime();
                        if (m == null) {
                            throw new IllegalStateException("no message on " + queue);
                        }
                        create[i] = t1 - t0;
                        first[i] = t2 - t0;
                    }
                }
            }
        }
        if (report) {
            System.out.printf(Locale.ROOT, "attach (createConsumer -> first message) %s%n  of which createConsumer %s%n",
                    stats(first), stats(create));
        }
    }

    private static void receive(Connection c, String queue, int n, int mode, boolean report) throws JMSException {
        try (Session s = c.createSession(false, mode)) {
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            long[] each = new long[n];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long r0 = System.nanoTime();
                Message m = consumer.receive(30_000);
                if (m == null) {
                    throw new IllegalStateException("only " + i + " of " + n + " received");
                }
                each[i] = System.nanoTime() - r0;
                if (mode == Session.CLIENT_ACKNOWLEDGE && ((i + 1) % 100 == 0 || i + 1 == n)) {
                    m.acknowledge();
                }
            }
            long total = System.nanoTime() - t0;
            if (report) {
                System.out.printf(Locale.ROOT, "%s receive: %.0f msg/s; receive() %s%n",
                        mode == Session.AUTO_ACKNOWLEDGE ? "AUTO_ACKNOWLEDGE" : "CLIENT_ACKNOWLEDGE (ack/100)",
                        n / (total / 1e9), stats(each));
            }
        }
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.3f ms",
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6, mean);
    }
}
