package io.weir.jms.perf;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;

import java.util.Arrays;
import java.util.Locale;

/**
 * A timing harness for the provider's request/reply paths, run by hand (not a test: it asserts nothing and
 * its figures depend on the machine). It times, one operation at a time, what a user waits for:
 * {@code Message.acknowledge()} under CLIENT_ACKNOWLEDGE (every {@code ackEvery} of {@code n} 1 KiB
 * messages), a transacted {@code commit()}, {@code recover()}, a synchronous persistent send, an
 * AUTO_ACKNOWLEDGE receive, and a NON_PERSISTENT and a PERSISTENT request/reply round trip over a temporary queue.
 *
 * <pre>
 * java -cp "$(cat cp.txt)" io.weir.jms.perf.ProviderTimings [bootstrap|embedded] [n] [ackEvery]
 * </pre>
 * With {@code embedded} (the default) it starts a one-broker embedded cluster on loopback (see {@link TimingRuns});
 * {@code -Dtimings.requestReplyOnly=true} runs the request/reply part alone. The test classpath comes from
 * {@code mvn -pl jms-provider -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * -Dmdep.includeScope=test} (plus {@code jms-provider/target/classes} and {@code target/test-classes});
 * {@code io.weir.jms.it.KafkaPeerTimings} runs the same against Apache Kafka 4.4.
 */
public final class ProviderTimings {

    private static final int SIZE = 1024;

    private ProviderTimings() {
    }

    public static void main(String[] args) throws Exception {
        int n = TimingRuns.intArg(args, 1, 5_000);
        int ackEvery = TimingRuns.intArg(args, 2, 100);
        TimingRuns.onBroker(args, bootstrap -> run(new WeirConnectionFactory(bootstrap), n, ackEvery));
    }

    public static void run(WeirConnectionFactory factory, int n, int ackEvery) throws Exception {
        byte[] body = TimingRuns.payload(SIZE);
        String run = TimingRuns.runId();
        try (Connection c = factory.createConnection()) {
            c.start();
            if (Boolean.getBoolean("timings.requestReplyOnly")) {
                requestReply(c, "rr-" + run, Math.max(200, n / 10), body, DeliveryMode.NON_PERSISTENT);
                requestReply(c, "rrp-" + run, Math.max(200, n / 10), body, DeliveryMode.PERSISTENT);
                return;
            }
            // warm-up, untimed: the JIT, the group coordinator, the producers' metadata
            fill(c, "warm-" + run, n / 5, body);
            clientAck(c, "warm-" + run, n / 5, ackEvery, false);

            String q1 = "ack-" + run;
            double sendMs = fill(c, q1, n, body);
            print("sync persistent send", sendMs, n);
            clientAck(c, q1, n, ackEvery, true);

            String q2 = "auto-" + run;
            fill(c, q2, n, body);
            autoAck(c, q2, n);

            String q3 = "tx-" + run;
            fill(c, q3, n, body);
            transacted(c, q3, n, ackEvery);

            String q4 = "rec-" + run;
            fill(c, q4, 200, body);
            recover(c, q4, 50);

            requestReply(c, "rr-" + run, Math.max(200, n / 10), body, DeliveryMode.NON_PERSISTENT);
            requestReply(c, "rrp-" + run, Math.max(200, n / 10), body, DeliveryMode.PERSISTENT);
        }
    }

    /** Sends {@code n} persistent messages synchronously; returns the mean milliseconds per send. */
    private static double fill(Connection c, String queue, int n, byte[] body) throws JMSException {
        try (Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue q = s.createQueue(queue);
            MessageProducer p = s.createProducer(q);
            p.setDeliveryMode(DeliveryMode.PERSISTENT);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                BytesMessage m = s.createBytesMessage();
                m.writeBytes(body);
                p.send(m);
            }
            return (System.nanoTime() - t0) / 1e6 / n;
        }
    }

    private static void clientAck(Connection c, String queue, int n, int ackEvery, boolean report) throws JMSException {
        try (Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE)) {
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            long[] acks = new long[n / ackEvery + 1];
            int a = 0;
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                Message m = consumer.receive(30_000);
                if (m == null) {
                    throw new IllegalStateException("only " + (i - 1) + " of " + n + " received");
                }
                if (i % ackEvery == 0 || i == n) {
                    long a0 = System.nanoTime();
                    m.acknowledge();
                    acks[a++] = System.nanoTime() - a0;
                }
            }
            long total = System.nanoTime() - t0;
            if (report) {
                System.out.printf(Locale.ROOT, "CLIENT_ACKNOWLEDGE receive, ack every %d: %.0f msg/s; acknowledge() %s%n",
                        ackEvery, n / (total / 1e9), stats(Arrays.copyOf(acks, a)));
            }
        }
    }

    private static void autoAck(Connection c, String queue, int n) throws JMSException {
        try (Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            long[] each = new long[n];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long r0 = System.nanoTime();
                if (consumer.receive(30_000) == null) {
                    throw new IllegalStateException("only " + i + " of " + n + " received");
                }
                each[i] = System.nanoTime() - r0;
            }
            long total = System.nanoTime() - t0;
            System.out.printf(Locale.ROOT, "AUTO_ACKNOWLEDGE receive: %.0f msg/s; receive() %s%n",
                    n / (total / 1e9), stats(each));
        }
    }

    private static void transacted(Connection c, String queue, int n, int every) throws JMSException {
        try (Session s = c.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            long[] commits = new long[n / every + 1];
            int k = 0;
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                if (consumer.receive(30_000) == null) {
                    throw new IllegalStateException("only " + (i - 1) + " of " + n + " received");
                }
                if (i % every == 0 || i == n) {
                    long c0 = System.nanoTime();
                    s.commit();
                    commits[k++] = System.nanoTime() - c0;
                }
            }
            long total = System.nanoTime() - t0;
            System.out.printf(Locale.ROOT, "transacted receive, commit every %d: %.0f msg/s; commit() %s%n",
                    every, n / (total / 1e9), stats(Arrays.copyOf(commits, k)));
        }
    }

    private static void recover(Connection c, String queue, int rounds) throws JMSException {
        try (Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE)) {
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            long[] each = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                if (consumer.receive(30_000) == null) {
                    throw new IllegalStateException("nothing to recover");
                }
                long r0 = System.nanoTime();
                s.recover();
                each[i] = System.nanoTime() - r0;
            }
            System.out.printf(Locale.ROOT, "recover() %s%n", stats(each));
        }
    }

    private static void requestReply(Connection c, String queue, int n, byte[] body, int mode) throws Exception {
        try (Session rs = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
             Session qs = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue requests = rs.createQueue(queue);
            MessageProducer replier = rs.createProducer(null);
            replier.setDeliveryMode(mode);
            long[] legs = new long[2 * n + 2 * (n / 5) + 2];
            int[] leg = new int[1];
            rs.createConsumer(requests).setMessageListener(m -> {
                try {
                    legs[Math.min(legs.length - 1, leg[0]++)] = System.nanoTime() - m.getLongProperty("sent");
                    BytesMessage reply = rs.createBytesMessage();
                    reply.setLongProperty("sent", System.nanoTime());
                    reply.writeBytes(body);
                    reply.setJMSCorrelationID(m.getJMSMessageID());
                    replier.send(m.getJMSReplyTo(), reply);
                } catch (JMSException e) {
                    e.printStackTrace();
                }
            });
            TemporaryQueue replies = qs.createTemporaryQueue();
            MessageConsumer replyConsumer = qs.createConsumer(replies);
            MessageProducer requester = qs.createProducer(requests);
            requester.setDeliveryMode(mode);
            long[] each = new long[n];
            long[] sendCall = new long[n];
            long[] replyLegs = new long[n];
            for (int i = -n / 5; i < n; i++) {
                BytesMessage m = qs.createBytesMessage();
                m.writeBytes(body);
                m.setJMSReplyTo(replies);
                long r0 = System.nanoTime();
                m.setLongProperty("sent", r0);
                requester.send(m);
                long s1 = System.nanoTime();
                Message reply = replyConsumer.receive(30_000);
                if (reply == null) {
                    throw new IllegalStateException("no reply to request " + i);
                }
                long replyLeg = System.nanoTime() - reply.getLongProperty("sent");
                if (i >= 0) {
                    each[i] = System.nanoTime() - r0;
                    sendCall[i] = s1 - r0;
                    replyLegs[i] = replyLeg;
                }
            }
            System.out.printf(Locale.ROOT, "%s request/reply round trip %s%n",
                    mode == DeliveryMode.PERSISTENT ? "PERSISTENT" : "NON_PERSISTENT", stats(each));
            System.out.printf(Locale.ROOT, "  of which send() %s%n  request sent -> onMessage %s%n  reply sent -> received %s%n",
                    stats(sendCall), stats(Arrays.copyOfRange(legs, n / 5, Math.min(leg[0], legs.length))), stats(replyLegs));
        }
    }

    private static void print(String what, double meanMs, int n) {
        System.out.printf(Locale.ROOT, "%s: %.3f ms each (%.0f msg/s over %d)%n", what, meanMs, 1000 / meanMs, n);
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format(Locale.ROOT, "n=%d mean %.3f ms, p50 %.3f, p90 %.3f, p99 %.3f, max %.3f",
                s.length, mean, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), s.length == 0 ? 0 : s[s.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1 < 0 ? 0
                : (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
