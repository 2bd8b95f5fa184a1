package io.weir.bench.jms;

import jakarta.jms.BytesMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.Topic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The JMS side-by-side workloads, written once against the plain {@code jakarta.jms} API and run
 * unchanged against any {@link ConnectionFactory}. Every message is a {@link BytesMessage} with a random
 * (incompressible) body of {@code size} bytes, persistent unless a workload says otherwise; every consumer
 * session is {@code AUTO_ACKNOWLEDGE} unless a workload says otherwise. Each method first runs an untimed warm-up of the same code on other
 * destinations (the client JVM is new for every run), then returns its metrics by name.
 *
 * <p>Not thread-safe; one workload per instance. Bounded: a workload that has not finished within
 * {@code timeoutMs} fails with an {@link IllegalStateException} saying how far it got.
 */
final class JmsWorkloads {

    private final ConnectionFactory factory;
    private final int size;
    private final long timeoutMs;
    private final byte[] body;

    JmsWorkloads(ConnectionFactory factory, int size, long timeoutMs) {
        this.factory = factory;
        this.size = size;
        this.timeoutMs = timeoutMs;
        this.body = new byte[size];
        new SplittableRandom(42).nextBytes(body);
    }

    /**
     * {@code pairs} producers and {@code pairs} consumers, each on its own connection, on one queue;
     * {@code messages} in all (split evenly over the producers). Timed from the first send until the
     * consumers together received every message. Metrics: {@code msg/s} (send+receive), {@code send msg/s}
     * (until the last send returned).
     *
     * @param window 0: synchronous persistent sends; else asynchronous ones ({@code CompletionListener}), at most
     *               {@code window} unanswered at a time
     */
    Map<String, Double> queueThroughput(int pairs, int messages, int warmup, int window) throws Exception {
        queueRun("bench.warmup.queue", pairs, warmup, window);
        double[] r = queueRun("bench.queue", pairs, messages, window);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("msg/s", r[0]);
        m.put("send msg/s", r[1]);
        return m;
    }

    private double[] queueRun(String queueName, int pairs, int messages, int window) throws Exception {
        int perProducer = messages / pairs;
        int total = perProducer * pairs;
        List<Connection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * pairs);
        try {
            AtomicLong received = new AtomicLong();
            List<MessageConsumer> consumers = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                Connection c = open(connections, null);
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                consumers.add(s.createConsumer(s.createQueue(queueName)));
                c.start();
            }
            List<Session> producerSessions = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                producerSessions.add(open(connections, null).createSession(false, Session.AUTO_ACKNOWLEDGE));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            List<Future<Long>> receivers = new ArrayList<>();
            for (MessageConsumer consumer : consumers) {
                receivers.add(pool.submit(() -> receiveUntil(consumer, received, total, deadline)));
            }
            long t0 = System.nanoTime();
            List<Future<Long>> senders = new ArrayList<>();
            for (Session s : producerSessions) {
                senders.add(pool.submit(() -> {
                    MessageProducer p = s.createProducer(s.createQueue(queueName));
                    p.setDeliveryMode(DeliveryMode.PERSISTENT);
                    if (window <= 0) {
                        for (int n = 0; n < perProducer; n++) {
                            p.send(message(s));
                        }
                        return System.nanoTime();
                    }
                    java.util.concurrent.Semaphore unanswered = new java.util.concurrent.Semaphore(window);
                    java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
                    jakarta.jms.CompletionListener done = new jakarta.jms.CompletionListener() {
                        @Override
                        public void onCompletion(jakarta.jms.Message message) {
                            unanswered.release();
                        }

                        @Override
                        public void onException(jakarta.jms.Message message, Exception exception) {
                            failed.compareAndSet(null, exception);
                            unanswered.release();
                        }
                    };
                    for (int n = 0; n < perProducer; n++) {
                        unanswered.acquire();
                        p.send(message(s), done);
                    }
                    if (!unanswered.tryAcquire(window, remainingMs(deadline), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException(queueName + ": asynchronous sends unanswered after " + timeoutMs + " ms");
                    }
                    if (failed.get() != null) {
                        throw new IllegalStateException(queueName + ": an asynchronous send failed", failed.get());
                    }
                    return System.nanoTime();
                }));
            }
            long lastSend = t0;
            for (Future<Long> f : senders) {
                lastSend = Math.max(lastSend, f.get(remainingMs(deadline), TimeUnit.MILLISECONDS));
            }
            long lastReceive = t0;
            for (Future<Long> f : receivers) {
                lastReceive = Math.max(lastReceive, f.get(remainingMs(deadline) + 5_000, TimeUnit.MILLISECONDS));
            }
            if (received.get() != total) {
                throw new IllegalStateException(queueName + ": received " + received.get() + " of " + total + " messages within "
                        + timeoutMs + " ms");
            }
            return new double[] {total / seconds(lastReceive - t0), total / seconds(lastSend - t0)};
        } finally {
            closeAll(connections);
            pool.shutdownNow();
        }
    }

    /**
     * One producer sends {@code messages} to a topic with {@code subscribers} durable subscriptions, each
     * consumed by its own connection (client id {@code bench-sub-i}). Timed from the first send until every
     * subscriber received every message. Metrics: {@code deliveries/s} (= subscribers x messages / time),
     * {@code send msg/s}.
     */
    Map<String, Double> topicFanOut(int subscribers, int messages, int warmup) throws Exception {
        fanOutRun("bench.warmup.topic", "warm", subscribers, warmup);
        double[] r = fanOutRun("bench.topic", "sub", subscribers, messages);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("deliveries/s", r[0]);
        m.put("send msg/s", r[1]);
        return m;
    }

    private double[] fanOutRun(String topicName, String prefix, int subscribers, int messages) throws Exception {
        List<Connection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(subscribers);
        try {
            List<MessageConsumer> consumers = new ArrayList<>();
            List<AtomicLong> counts = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                Connection c = open(connections, "bench-" + prefix + "-" + i);
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Topic topic = s.createTopic(topicName);
                consumers.add(s.createDurableConsumer(topic, prefix + "-" + i));
                counts.add(new AtomicLong());
                c.start();
            }
            Session ps = open(connections, null).createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = ps.createProducer(ps.createTopic(topicName));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            List<Future<Long>> receivers = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                MessageConsumer consumer = consumers.get(i);
                AtomicLong count = counts.get(i);
                receivers.add(pool.submit(() -> receiveUntil(consumer, count, messages, deadline)));
            }
            long t0 = System.nanoTime();
            for (int n = 0; n < messages; n++) {
                producer.send(message(ps));
            }
            long lastSend = System.nanoTime();
            long lastReceive = t0;
            for (Future<Long> f : receivers) {
                lastReceive = Math.max(lastReceive, f.get(remainingMs(deadline) + 5_000, TimeUnit.MILLISECONDS));
            }
            for (int i = 0; i < subscribers; i++) {
                if (counts.get(i).get() != messages) {
                    throw new IllegalStateException(topicName + ": subscriber " + prefix + "-" + i + " received " + counts.get(i).get()
                            + " of " + messages + " messages within " + timeoutMs + " ms");
                }
            }
            return new double[] {(double) subscribers * messages / seconds(lastReceive - t0), messages / seconds(lastSend - t0)};
        } finally {
            closeAll(connections);
            pool.shutdownNow();
        }
    }

    /**
     * Request/reply: a responder (own connection) answers each request on {@code bench.requests} with a
     * reply of the same size to its {@code JMSReplyTo}; the requester (own connection) sends one request
     * at a time with {@code JMSReplyTo} = its temporary queue and waits for the reply; requests and replies are
     * PERSISTENT or, with {@code persistent} false, NON_PERSISTENT. Metrics: round-trip {@code p50 ms},
     * {@code p99 ms}, {@code max ms}, and {@code round trips/s}.
     */
    Map<String, Double> requestReply(int requests, int warmup, boolean persistent) throws Exception {
        int deliveryMode = persistent ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT;
        List<Connection> connections = new ArrayList<>();
        try {
            Connection rc = open(connections, null);
            Session rs = rc.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer requestsIn = rs.createConsumer(rs.createQueue("bench.requests"));
            MessageProducer replies = rs.createProducer(null);
            replies.setDeliveryMode(deliveryMode);
            requestsIn.setMessageListener(request -> {
                try {
                    Message reply = message(rs);
                    reply.setJMSCorrelationID(request.getJMSMessageID());
                    replies.send(request.getJMSReplyTo(), reply);
                } catch (JMSException e) {
                    // the requester times out on the missing reply and names the request
                    e.printStackTrace();
                }
            });
            rc.start();

            Connection qc = open(connections, null);
            Session qs = qc.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replyTo = qs.createTemporaryQueue();
            MessageConsumer repliesIn = qs.createConsumer(replyTo);
            MessageProducer requestsOut = qs.createProducer(qs.createQueue("bench.requests"));
            requestsOut.setDeliveryMode(deliveryMode);
            qc.start();

            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            long t0 = 0;
            for (int i = 0; i < warmup + requests; i++) {
                if (i == warmup) {
                    t0 = System.nanoTime();
                }
                Message request = message(qs);
                request.setJMSReplyTo(replyTo);
                long start = System.nanoTime();
                requestsOut.send(request);
                Message reply = repliesIn.receive(Math.max(1, remainingMs(deadline)));
                long rtt = System.nanoTime() - start;
                if (reply == null) {
                    throw new IllegalStateException("request/reply: no reply to request " + i + " (" + request.getJMSMessageID()
                            + ") within " + timeoutMs + " ms of the workload's start");
                }
                if (!request.getJMSMessageID().equals(reply.getJMSCorrelationID())) {
                    throw new IllegalStateException("request/reply: request " + i + " (" + request.getJMSMessageID()
                            + ") got the reply to " + reply.getJMSCorrelationID());
                }
                if (i >= warmup) {
                    h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
                }
            }
            double elapsed = seconds(System.nanoTime() - t0);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("p50 ms", h.getValueAtPercentile(50) / 1e6);
            m.put("p99 ms", h.getValueAtPercentile(99) / 1e6);
            m.put("max ms", h.getMaxValue() / 1e6);
            m.put("round trips/s", requests / elapsed);
            return m;
        } finally {
            closeAll(connections);
        }
    }

    /**
     * Receive only: {@code messages} persistent messages are put on a queue first (untimed; a transacted
     * session, committed every 500), then one consumer on its own connection, in a session of
     * {@code ackMode}, receives them all with {@code receive()}; under CLIENT_ACKNOWLEDGE it calls
     * {@code acknowledge()} on every {@code ackEvery}-th message and on the last. Timed from the first
     * {@code receive()} (the consumer exists and its connection is started) to the last acknowledgement.
     * Metrics: {@code msg/s}; under CLIENT_ACKNOWLEDGE also {@code ack p50 ms} and {@code ack mean ms}, the
     * time {@code acknowledge()} took.
     */
    Map<String, Double> queueReceive(int messages, int warmup, int ackMode, int ackEvery) throws Exception {
        receiveRun("bench.warmup.receive", warmup, ackMode, ackEvery);
        return receiveRun("bench.receive", messages, ackMode, ackEvery);
    }

    private Map<String, Double> receiveRun(String queueName, int messages, int ackMode, int ackEvery) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            Session ps = open(connections, null).createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = ps.createProducer(ps.createQueue(queueName));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int n = 1; n <= messages; n++) {
                producer.send(message(ps));
                if (n % 500 == 0 || n == messages) {
                    ps.commit();
                }
            }
            Connection c = open(connections, null);
            Session s = c.createSession(false, ackMode);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queueName));
            c.start();
            Histogram acks = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            long t0 = System.nanoTime();
            for (int n = 1; n <= messages; n++) {
                Message m = consumer.receive(Math.max(1, remainingMs(deadline)));
                if (m == null) {
                    throw new IllegalStateException(queueName + ": received " + (n - 1) + " of " + messages + " messages within "
                            + timeoutMs + " ms");
                }
                if (!(m instanceof BytesMessage b) || b.getBodyLength() != size) {
                    throw new IllegalStateException("unexpected message " + m);
                }
                if (ackMode == Session.CLIENT_ACKNOWLEDGE && (n % ackEvery == 0 || n == messages)) {
                    long a0 = System.nanoTime();
                    m.acknowledge();
                    acks.recordValue(Math.min(System.nanoTime() - a0, acks.getHighestTrackableValue()));
                }
            }
            double elapsed = seconds(System.nanoTime() - t0);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("msg/s", messages / elapsed);
            if (ackMode == Session.CLIENT_ACKNOWLEDGE) {
                m.put("ack p50 ms", acks.getValueAtPercentile(50) / 1e6);
                m.put("ack mean ms", acks.getMean() / 1e6);
            }
            return m;
        } finally {
            closeAll(connections);
        }
    }

    /**
     * Transacted sends: one {@code SESSION_TRANSACTED} session sends {@code messages} persistent messages to a queue,
     * committing every {@code perCommit} (and after the last); timed from the first send to the last commit's return.
     * Metrics: {@code msg/s}, {@code commit p50 ms}.
     */
    Map<String, Double> transactedSend(int messages, int warmup, int perCommit) throws Exception {
        sendRun("bench.warmup.sendtx", warmup, perCommit);
        return sendRun("bench.sendtx", messages, perCommit);
    }

    private Map<String, Double> sendRun(String queueName, int messages, int perCommit) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            Session s = open(connections, null).createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = s.createProducer(s.createQueue(queueName));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            Histogram commits = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long t0 = System.nanoTime();
            for (int n = 1; n <= messages; n++) {
                producer.send(message(s));
                if (n % perCommit == 0 || n == messages) {
                    timedCommit(s, commits);
                }
            }
            return transactedMetrics(messages, seconds(System.nanoTime() - t0), commits);
        } finally {
            closeAll(connections);
        }
    }

    /**
     * Transacted relay, JMS's consume-transform-produce: {@code messages} persistent messages are put on a queue
     * first (untimed, transacted, commit per 500); then one transacted session receives each from that queue,
     * sends it on to a second queue and commits every {@code perCommit} messages (and at the end), so that the
     * receives and the sends of one transaction take effect together. Timed from the first {@code receive()} to
     * the last commit. The output queue is then drained (untimed) and must hold exactly {@code messages}.
     * Metrics: {@code msg/s} relayed, {@code commit p50 ms}.
     */
    Map<String, Double> transactedRelay(int messages, int warmup, int perCommit) throws Exception {
        relayRun("bench.warmup.relay", warmup, perCommit);
        return relayRun("bench.relay", messages, perCommit);
    }

    private Map<String, Double> relayRun(String queueName, int messages, int perCommit) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            Session ps = open(connections, null).createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = ps.createProducer(ps.createQueue(queueName + ".in"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int n = 1; n <= messages; n++) {
                producer.send(message(ps));
                if (n % 500 == 0 || n == messages) {
                    ps.commit();
                }
            }
            Connection c = open(connections, null);
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer in = s.createConsumer(s.createQueue(queueName + ".in"));
            MessageProducer out = s.createProducer(s.createQueue(queueName + ".out"));
            out.setDeliveryMode(DeliveryMode.PERSISTENT);
            c.start();
            Histogram commits = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            long t0 = System.nanoTime();
            for (int n = 1; n <= messages; n++) {
                Message m = in.receive(Math.max(1, remainingMs(deadline)));
                if (m == null) {
                    throw new IllegalStateException(queueName + ": relayed " + (n - 1) + " of " + messages + " messages within "
                            + timeoutMs + " ms");
                }
                out.send(m);
                if (n % perCommit == 0 || n == messages) {
                    timedCommit(s, commits);
                }
            }
            double elapsed = seconds(System.nanoTime() - t0);
            Connection d = open(connections, null);
            Session ds = d.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer drain = ds.createConsumer(ds.createQueue(queueName + ".out"));
            d.start();
            int got = 0;
            while (got < messages && drain.receive(Math.max(1, Math.min(10_000, remainingMs(deadline)))) != null) {
                got++;
            }
            if (got != messages || drain.receive(500) != null) {
                throw new IllegalStateException(queueName + ": the output queue held " + got + (got == messages ? "+" : "")
                        + " messages, expected " + messages);
            }
            return transactedMetrics(messages, elapsed, commits);
        } finally {
            closeAll(connections);
        }
    }

    private static void timedCommit(Session s, Histogram commits) throws JMSException {
        long c0 = System.nanoTime();
        s.commit();
        commits.recordValue(Math.min(System.nanoTime() - c0, commits.getHighestTrackableValue()));
    }

    private static Map<String, Double> transactedMetrics(int messages, double elapsed, Histogram commits) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("msg/s", messages / elapsed);
        m.put("commit p50 ms", commits.getValueAtPercentile(50) / 1e6);
        return m;
    }

    /**
     * Consumer attach latency: {@code attaches} times, on a fresh queue that already holds {@code backlog} messages
     * (sent untimed), a connection (started, untimed) creates a consumer and receives the first message. Metrics:
     * {@code attach p50 ms}, {@code attach p99 ms} (createConsumer to the first message), {@code create p50 ms}
     * ({@code createConsumer} alone). A Weir consumer group's first join waits {@code group.initial.rebalance.delay.ms}
     * (3 s as shipped); a share group has no join barrier.
     */
    Map<String, Double> attachLatency(int attaches, int warmup, int backlog) throws Exception {
        attachRun("bench.warmup.attach", warmup, backlog);
        return attachRun("bench.attach", attaches, backlog);
    }

    private Map<String, Double> attachRun(String prefix, int attaches, int backlog) throws Exception {
        Histogram attach = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram create = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<Connection> connections = new ArrayList<>();
        try {
            Session ps = open(connections, null).createSession(true, Session.SESSION_TRANSACTED);
            for (int i = 0; i < attaches; i++) {
                String queueName = prefix + "." + i;
                MessageProducer producer = ps.createProducer(ps.createQueue(queueName));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int n = 0; n < backlog; n++) {
                    producer.send(message(ps));
                }
                ps.commit();
                List<Connection> own = new ArrayList<>();
                try {
                    Connection c = open(own, null);
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    Queue q = s.createQueue(queueName);
                    c.start();
                    long t0 = System.nanoTime();
                    MessageConsumer consumer = s.createConsumer(q);
                    long t1 = System.nanoTime();
                    Message m = consumer.receive(Math.max(1, remainingMs(deadline)));
                    long t2 = System.nanoTime();
                    if (m == null) {
                        throw new IllegalStateException(queueName + ": no message within " + timeoutMs + " ms of the workload's start");
                    }
                    create.recordValue(Math.min(t1 - t0, create.getHighestTrackableValue()));
                    attach.recordValue(Math.min(t2 - t0, attach.getHighestTrackableValue()));
                } finally {
                    closeAll(own);
                }
            }
        } finally {
            closeAll(connections);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("attach p50 ms", attach.getValueAtPercentile(50) / 1e6);
        m.put("attach p99 ms", attach.getValueAtPercentile(99) / 1e6);
        m.put("create p50 ms", create.getValueAtPercentile(50) / 1e6);
        return m;
    }

    /**
     * Queue throughput with consumer <i>processes</i>: {@code messages} persistent messages are put on a
     * one-partition queue first (untimed, transacted, commit per 500), then {@code processes} consumer JVMs
     * ({@link QueueConsumerProcess}, AUTO_ACKNOWLEDGE, started and subscribed untimed) are told to go together and
     * receive until the queue stays empty. Timed from the first receive of any process to the last receive of any.
     * Metrics: {@code msg/s} (all processes), {@code min share %} (the smallest process's share of the messages:
     * 100/{@code processes} is an even split). Fails when the processes did not receive every message.
     */
    Map<String, Double> queueProcesses(String provider, String url, int processes, int messages, int warmup) throws Exception {
        if (warmup > 0) {
            processRun(provider, url, "bench.warmup.procs", processes, warmup);
        }
        return processRun(provider, url, "bench.procs", processes, messages);
    }

    private Map<String, Double> processRun(String provider, String url, String queueName, int processes, int messages) throws Exception {
        List<Connection> connections = new ArrayList<>();
        List<Process> children = new ArrayList<>();
        try {
            Session ps = open(connections, null).createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = ps.createProducer(ps.createQueue(queueName));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int n = 1; n <= messages; n++) {
                producer.send(message(ps));
                if (n % 500 == 0 || n == messages) {
                    ps.commit();
                }
            }
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<BufferedReader> outs = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                        QueueConsumerProcess.class.getName(), provider, url, queueName, Integer.toString(size), "3000")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                children.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < processes; i++) {
                expectLine(outs.get(i), "READY", children.get(i));
            }
            for (Process p : children) {
                p.getOutputStream().write("GO\n".getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().flush();
            }
            long total = 0;
            long first = Long.MAX_VALUE;
            long last = 0;
            long min = Long.MAX_VALUE;
            for (int i = 0; i < processes; i++) {
                String[] done = expectLine(outs.get(i), "DONE", children.get(i)).split(" ");
                long count = Long.parseLong(done[1]);
                total += count;
                min = Math.min(min, count);
                if (count > 0) {
                    first = Math.min(first, Long.parseLong(done[2]));
                    last = Math.max(last, Long.parseLong(done[3]));
                }
            }
            if (total != messages) {
                throw new IllegalStateException(queueName + ": " + processes + " processes received " + total + " of " + messages
                        + " messages");
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("msg/s", messages / Math.max(0.001, (last - first) / 1e3));
            m.put("min share %", 100.0 * min / messages);
            return m;
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
            closeAll(connections);
        }
    }

    /** The next line of a child that starts with {@code prefix}, within the workload's timeout; else fails. */
    private String expectLine(BufferedReader out, String prefix, Process child) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String l = line.get(timeoutMs, TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new IllegalStateException("a consumer process ended (exit " + child.waitFor() + ") before " + prefix);
        }
        return l;
    }

    private long receiveUntil(MessageConsumer consumer, AtomicLong count, long total, long deadline) throws JMSException {
        long last = System.nanoTime();
        while (count.get() < total && System.nanoTime() < deadline) {
            Message m = consumer.receive(200);
            if (m != null) {
                last = System.nanoTime();
                if (!(m instanceof BytesMessage b) || b.getBodyLength() != size) {
                    throw new IllegalStateException("unexpected message " + m);
                }
                count.incrementAndGet();
            }
        }
        return last;
    }

    private BytesMessage message(Session s) throws JMSException {
        BytesMessage m = s.createBytesMessage();
        m.writeBytes(body);
        return m;
    }

    private Connection open(List<Connection> connections, String clientId) throws JMSException {
        Connection c = factory.createConnection();
        connections.add(c);
        if (clientId != null) {
            c.setClientID(clientId);
        }
        return c;
    }

    private static void closeAll(List<Connection> connections) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            try {
                connections.get(i).close();
            } catch (JMSException | RuntimeException e) {
                System.err.println("warning: closing a connection failed: " + e);
            }
        }
    }

    private static long remainingMs(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static double seconds(long nanos) {
        return Math.max(1, nanos) / 1e9;
    }
}
