package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.ScriptedServer;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider against what a user runs: one broker started by {@code bin/weir-server config/server.properties}
 * with every shipped setting (among them {@code group.initial.rebalance.delay.ms=3000}) but its directories and
 * listener port, and factories with the provider's defaults (queues on share groups).
 * The tests that stop the broker run last (each test finds it running: one stopped is started again).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShippedServerJmsIT {

    private static final String CONFIG = "config/server.properties";

    @TempDir
    static Path dir;

    private static ScriptedServer server;
    private static int port;
    /** False after a test stopped the broker: the next test starts it again. */
    private static boolean running;

    @BeforeAll
    static void startServer() throws Exception {
        server = ScriptedServer.shipped(CONFIG, dir, "listeners=PLAINTEXT://127.0.0.1:0");
        port = server.port("PLAINTEXT");
        running = true;
    }

    @BeforeEach
    void serverRunning() throws Exception {
        if (!running) {
            startAgain();
        }
    }

    @AfterAll
    static void closeServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Stops the broker cleanly (SIGTERM). */
    private static void stopServer() throws Exception {
        running = false;
        server.stop();
    }

    /** Starts the broker again on the same data and port, after {@link #stopServer}. */
    private static void startAgain() throws Exception {
        server.close();
        server = ScriptedServer.shipped(CONFIG, dir, "listeners=PLAINTEXT://127.0.0.1:" + port);
        running = true;
    }

    private static String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** A factory with the provider's defaults, but for the connect wait of a loaded machine (as the child JVMs'). */
    private static WeirConnectionFactory factory() {
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap());
        f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS);
        return f;
    }

    private static void send(Connection c, jakarta.jms.Destination d, int from, int count) throws JMSException {
        Session s = c.createSession(Session.SESSION_TRANSACTED);
        MessageProducer p = s.createProducer(d);
        for (int n = from; n < from + count; n++) {
            Message m = s.createTextMessage("m" + n);
            m.setIntProperty("n", n);
            p.send(m);
        }
        s.commit();
        s.close();
    }

    /**
     * Consume-transform-produce in a transacted session with the factory's defaults (share mode on Weir: the input
     * queue's acknowledgements join the session's Kafka transaction): a rollback gives the inputs back and sends
     * nothing; the commit after it moves every input to the output once and leaves the input queue empty.
     */
    @Test
    void aTransactedSessionRelaysAQueueExactlyOnce() throws Exception {
        Queue in;
        Queue out;
        int total = 10;
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            in = tx.createQueue("shipped-relay-in");
            out = tx.createQueue("shipped-relay-out");
            send(c, in, 0, total);
            MessageConsumer consumer = tx.createConsumer(in);
            MessageProducer producer = tx.createProducer(out);
            c.start();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < total; i++) {
                    Message m = consumer.receive(30_000);
                    assertThat(m).as("input %d of round %d", i, round).isNotNull();
                    Message copy = tx.createTextMessage("relayed");
                    copy.setIntProperty("n", m.getIntProperty("n"));
                    producer.send(copy);
                }
                if (round == 0) {
                    tx.rollback();
                } else {
                    tx.commit();
                }
            }
        }
        try (Connection reader = factory().createConnection()) {
            Session s = reader.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer fromOut = s.createConsumer(out);
            MessageConsumer fromIn = s.createConsumer(in);
            reader.start();
            Set<Integer> got = new HashSet<>();
            Message m;
            while (got.size() < total && (m = fromOut.receive(30_000)) != null) {
                assertThat(got.add(m.getIntProperty("n"))).as("relayed once: %s", m.getIntProperty("n")).isTrue();
            }
            assertThat(got).hasSize(total);
            assertThat(fromOut.receive(1000)).as("nothing more on the output (the rolled-back sends never arrive)").isNull();
            assertThat(fromIn.receive(1000)).as("the inputs were consumed by the commit").isNull();
        }
    }

    /**
     * Two consumer JVMs with the factory's defaults share one queue under CLIENT_ACKNOWLEDGE: each acknowledges some
     * of its messages, together every message exactly once.
     */
    @Test
    void twoConsumerProcessesShareAQueueExactlyOnce() throws Exception {
        String queue = "shipped-two-jvms";
        int total = 300;
        List<ConsumerJvm> children = new ArrayList<>();
        try (Connection c = factory().createConnection()) {
            for (int i = 0; i < 2; i++) {
                children.add(ConsumerJvm.start(bootstrap(), queue, Integer.toString(Session.CLIENT_ACKNOWLEDGE), "10",
                        "AUTO", "-", "20"));
                ConsumerJvm.awaitReady(children);
            }
            send(c, c.createSession().createQueue(queue), 0, total);
            long deadline = System.currentTimeMillis() + 120_000;
            List<Integer> first = children.get(0).acknowledged();
            List<Integer> second = children.get(1).acknowledged();
            while (first.size() + second.size() < total && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                first = children.get(0).acknowledged();
                second = children.get(1).acknowledged();
            }
            Thread.sleep(1_000); // anything delivered twice would be acknowledged twice by now
            first = children.get(0).acknowledged();
            second = children.get(1).acknowledged();
            System.out.println("ShippedServerJmsIT: two consumer processes acknowledged " + first.size() + " and "
                    + second.size() + " of " + total);
            List<Integer> all = new ArrayList<>(first);
            all.addAll(second);
            String errors = children.get(0).errorOutput() + children.get(1).errorOutput();
            assertThat(all).as("every message acknowledged once; consumer errors: %s", errors)
                    .hasSize(total).doesNotHaveDuplicates();
            assertThat(new HashSet<>(all)).hasSize(total).allMatch(n -> n >= 0 && n < total);
            assertThat(first).as("the first process's share").isNotEmpty();
            assertThat(second).as("the second process's share").isNotEmpty();
        } finally {
            for (ConsumerJvm child : children) {
                child.kill();
            }
        }
    }

    /**
     * A new consumer of a queue that already holds a message gets it without waiting out the broker's
     * {@code group.initial.rebalance.delay.ms} (3 s as shipped). Prints the time from {@code createConsumer} to the
     * message, for fresh queues; asserts only that the message comes.
     */
    @Test
    void aNewQueueConsumerAttaches() throws Exception {
        try (Connection c = factory().createConnection()) {
            c.start();
            List<Long> attachMs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
                Queue queue = s.createQueue("shipped-attach-" + i);
                send(c, queue, 0, 1);
                long begin = System.nanoTime();
                MessageConsumer consumer = s.createConsumer(queue);
                Message m = consumer.receive(60_000);
                attachMs.add((System.nanoTime() - begin) / 1_000_000);
                assertThat(m).as("the message already on queue %s", queue.getQueueName()).isNotNull();
                assertThat(m.getIntProperty("n")).isZero();
                s.close();
            }
            System.out.println("ShippedServerJmsIT: createConsumer to first message on a fresh queue (ms): " + attachMs);
        }
    }

    /**
     * Request/reply through a temporary queue, each request with a temporary queue of its own (as a
     * {@code QueueRequestor} does): a temporary queue's consumer is its connection's only and joins no consumer group,
     * so it does not wait out the shipped {@code group.initial.rebalance.delay.ms} (3 s). Prints the time from
     * {@code createTemporaryQueue} to the reply; asserts only that every reply comes.
     */
    @Test
    void requestsWithATemporaryQueueEachGetTheirReply() throws Exception {
        try (Connection server = factory().createConnection(); Connection client = factory().createConnection()) {
            Session ss = server.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue requests = ss.createQueue("shipped-requests");
            MessageProducer replies = ss.createProducer(null);
            ss.createConsumer(requests).setMessageListener(m -> {
                try {
                    replies.send(m.getJMSReplyTo(), ss.createTextMessage("re"));
                } catch (JMSException e) {
                    throw new RuntimeException(e);
                }
            });
            server.start();
            client.start();
            Session cs = client.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageProducer out = cs.createProducer(requests);
            List<Long> replyMs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long begin = System.nanoTime();
                jakarta.jms.TemporaryQueue replyTo = cs.createTemporaryQueue();
                MessageConsumer in = cs.createConsumer(replyTo);
                jakarta.jms.TextMessage request = cs.createTextMessage("q" + i);
                request.setJMSReplyTo(replyTo);
                out.send(request);
                Message reply = in.receive(60_000);
                replyMs.add((System.nanoTime() - begin) / 1_000_000);
                assertThat(reply).as("the reply to request %d", i).isNotNull();
                in.close();
                replyTo.delete();
            }
            System.out.println("ShippedServerJmsIT: createTemporaryQueue to reply, a temporary queue per request (ms): " + replyMs);
        }
    }

    /**
     * A durable topic subscriber (a classic consumer group, under the shipped rebalance delay) gets what is published
     * once {@code createDurableSubscriber} returned, and after a reconnect what was published while it was away.
     */
    @Test
    void aDurableTopicSubscriberAttachesAndReceives() throws Exception {
        WeirConnectionFactory f = factory();
        try (Connection c = f.createConnection()) {
            c.setClientID("shipped-durable");
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Topic topic = s.createTopic("shipped-durable-topic");
            long begin = System.nanoTime();
            TopicSubscriber subscriber = s.createDurableSubscriber(topic, "sub");
            long createdMs = (System.nanoTime() - begin) / 1_000_000;
            c.start();
            send(c, topic, 0, 1);
            Message m = subscriber.receive(60_000);
            System.out.println("ShippedServerJmsIT: createDurableSubscriber returned after " + createdMs
                    + " ms, the first message published then came " + ((System.nanoTime() - begin) / 1_000_000 - createdMs)
                    + " ms later");
            assertThat(m).as("the message published after the subscriber was created").isNotNull();
            assertThat(m.getIntProperty("n")).isZero();
            subscriber.close();
            send(c, topic, 1, 1);
            subscriber = s.createDurableSubscriber(topic, "sub");
            m = subscriber.receive(60_000);
            assertThat(m).as("the message published while the subscriber was closed").isNotNull();
            assertThat(m.getIntProperty("n")).isEqualTo(1);
            assertThat(subscriber.receive(1_000)).isNull();
            subscriber.close();
            s.unsubscribe("sub");
        }
    }

    /**
     * Each kind of topic subscription keeps a classic group, under the shipped rebalance delay: the first consumer of
     * an unshared durable, a shared durable and a shared non-durable subscription, each on a new group, gets what is
     * published once it was created. Prints how long creating each took (without the group config
     * {@code weir.group.initial.rebalance.delay.ms=0} that the provider sets, the broker's 3 s more); asserts only that
     * the messages come.
     */
    @Test
    void eachKindOfSubscriptionAttachesAndReceives() throws Exception {
        try (Connection c = factory().createConnection()) {
            c.setClientID("shipped-subscriptions");
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Topic topic = s.createTopic("shipped-subscriptions-topic");
            s.createConsumer(topic).close(); // the topic exists: the times below are the subscriptions' alone
            List<Long> createdMs = new ArrayList<>();
            List<MessageConsumer> consumers = new ArrayList<>();
            for (int kind = 0; kind < 3; kind++) {
                long begin = System.nanoTime();
                consumers.add(switch (kind) {
                    case 0 -> s.createDurableSubscriber(topic, "unshared");
                    case 1 -> s.createSharedDurableConsumer(topic, "shared-durable");
                    default -> s.createSharedConsumer(topic, "shared");
                });
                createdMs.add((System.nanoTime() - begin) / 1_000_000);
            }
            System.out.println("ShippedServerJmsIT: createDurableSubscriber, createSharedDurableConsumer and "
                    + "createSharedConsumer on new subscriptions returned after (ms) " + createdMs);
            c.start();
            send(c, topic, 0, 1);
            for (MessageConsumer consumer : consumers) {
                Message m = consumer.receive(60_000);
                assertThat(m).as("the message published after the consumers were created").isNotNull();
                assertThat(m.getIntProperty("n")).isZero();
                consumer.close();
            }
            s.unsubscribe("unshared");
            s.unsubscribe("shared-durable");
        }
    }

    /**
     * A transacted session's open transaction across a clean stop (SIGTERM) and restart of the broker: its commit
     * either succeeds, and then every message of it is delivered once, or fails with a JMSException, and then none
     * is; a new transacted session afterwards commits normally. Nothing of it is half visible.
     */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void aTransactionOpenAcrossABrokerRestartCommitsWholeOrNotAtAll() throws Exception {
        int inDoubt = 20;
        int after = 5;
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            Queue queue = tx.createQueue("shipped-restart");
            MessageProducer producer = tx.createProducer(queue);
            for (int n = 0; n < inDoubt; n++) {
                Message m = tx.createTextMessage("m" + n);
                m.setIntProperty("n", n);
                producer.send(m);
            }
            stopServer();
            startAgain();
            boolean committed;
            try {
                CompletableFuture.runAsync(() -> {
                    try {
                        tx.commit();
                    } catch (JMSException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }).get(180, TimeUnit.SECONDS);
                committed = true;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).as("what commit() threw").isInstanceOf(JMSException.class);
                System.out.println("ShippedServerJmsIT: the commit after the restart failed: " + e.getCause());
                committed = false;
            }
            System.out.println("ShippedServerJmsIT: the transaction open across the restart " + (committed ? "committed"
                    : "rolled back"));
            send(c, queue, 1_000, after);

            Set<Integer> expected = new HashSet<>();
            for (int n = 0; n < inDoubt && committed; n++) {
                expected.add(n);
            }
            for (int n = 1_000; n < 1_000 + after; n++) {
                expected.add(n);
            }
            List<Integer> got = new ArrayList<>();
            try (Connection reader = factory().createConnection()) {
                Session s = reader.createSession(Session.AUTO_ACKNOWLEDGE);
                MessageConsumer consumer = s.createConsumer(queue);
                reader.start();
                Message m;
                while (got.size() < expected.size() && (m = consumer.receive(60_000)) != null) {
                    got.add(m.getIntProperty("n"));
                }
                while ((m = consumer.receive(3_000)) != null) { // nothing more
                    got.add(m.getIntProperty("n"));
                }
            }
            assertThat(got).as("delivered after a %s", committed ? "commit" : "failed commit")
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * The provider's waits for the brokers follow the factory's {@code connectTimeoutMs}: with the broker stopped,
     * browsing a queue fails with a JMSException after about that long (2 s here; the bound checked is generous,
     * and below the fixed 15 s such a wait had before).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aBrowseOfAStoppedBrokerFailsWithinTheConnectTimeout() throws Exception {
        try (Connection c = factory().createConnection()) {
            send(c, c.createSession().createQueue("shipped-browse"), 0, 1);
        }
        WeirConnectionFactory f = factory();
        f.setConnectTimeoutMs(2_000);
        // so short a wait can run out on a loaded machine while the broker is still up: try again until it does not
        Connection c = await().atMost(Duration.ofSeconds(120)).ignoreExceptionsInstanceOf(JMSException.class)
                .until(f::createConnection, java.util.Objects::nonNull);
        try (c) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue queue = s.createQueue("shipped-browse");
            QueueBrowser browser = await().atMost(Duration.ofSeconds(120)).ignoreExceptionsInstanceOf(JMSException.class)
                    .until(() -> s.createBrowser(queue), java.util.Objects::nonNull);
            stopServer(); // left stopped: this test runs last, and a test after it would start the broker again
            long begin = System.nanoTime();
            assertThatThrownBy(() -> browser.getEnumeration().hasMoreElements()).isInstanceOf(JMSException.class);
            long failedAfterMs = (System.nanoTime() - begin) / 1_000_000;
            System.out.println("ShippedServerJmsIT: a browse of the stopped broker failed after " + failedAfterMs + " ms");
            assertThat(failedAfterMs).as("failed within about connectTimeoutMs (2 s)").isLessThan(12_000);
        }
    }
}
