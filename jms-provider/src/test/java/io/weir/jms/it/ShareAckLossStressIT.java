package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stress variants of {@link ShareSecondConsumerIT}'s scenario (members joining a queue's share group while another
 * member's auto-acknowledgement is in flight), repeated {@code -Dweir.it.shareAckLossStress=N} times in one cluster
 * with a short acquisition lock (3 s), so that a lost acknowledgement shows as a redelivery within seconds.
 */
class ShareAckLossStressIT {

    private static final int LOCK_MS = 3000;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("group.share.record.lock.duration.ms", Integer.toString(LOCK_MS)).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static int iterations() {
        return Integer.getInteger("weir.it.shareAckLossStress", 0);
    }

    /** The original scenario: a second consumer on the same context right after the first one's receive. */
    @Test
    @EnabledIfSystemProperty(named = "weir.it.shareAckLossStress", matches = "\\d+")
    void secondConsumerAfterReceive() {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        for (int i = 0; i < iterations(); i++) {
            try (JMSContext ctx = f.createContext(); JMSContext other = f.createContext()) {
                Queue q = ctx.createQueue("ack-loss-a-" + i + "-" + System.nanoTime() % 100000);
                ctx.createProducer().send(q, "order-1");
                assertThat(ctx.createConsumer(q).receiveBody(String.class, 30_000)).isEqualTo("order-1");
                other.createProducer().send(q, "order-2");
                String got = ctx.createConsumer(q).receiveBody(String.class, 4L * LOCK_MS + 10_000);
                System.out.printf("ack-loss A iteration %d: second consumer got %s%n", i, got);
                assertThat(got).as("iteration %d of %s", i, q.getQueueName()).isEqualTo("order-2");
            } catch (jakarta.jms.JMSException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * As {@link #secondConsumerAfterReceive}, in a group whose members may acquire a batch while they hold one
     * ({@code weir.share.single.batch=false}, as every group on Apache Kafka): the client may have a fetch in flight
     * when the consumer acknowledges, and that fetch may come back with the next message.
     */
    @Test
    @EnabledIfSystemProperty(named = "weir.it.shareAckLossStress", matches = "\\d+")
    void secondConsumerAfterReceiveWithoutSingleBatches() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        java.util.Properties ap = new java.util.Properties();
        ap.put("bootstrap.servers", cluster.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(ap)) {
            for (int i = 0; i < iterations(); i++) {
                try (JMSContext ctx = f.createContext(); JMSContext other = f.createContext()) {
                    String name = "ack-loss-d-" + i + "-" + System.nanoTime() % 100000;
                    var group = new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.GROUP, "jms-queue." + name);
                    admin.incrementalAlterConfigs(java.util.Map.of(group, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                            new org.apache.kafka.clients.admin.ConfigEntry("weir.share.single.batch", "false"),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
                    Queue q = ctx.createQueue(name);
                    JMSConsumer first;
                    if (i % 2 == 0) {
                        ctx.createProducer().send(q, "order-1");
                        first = ctx.createConsumer(q);
                    } else {
                        first = ctx.createConsumer(q);
                        ctx.createProducer().send(q, "order-1");
                    }
                    assertThat(first.receiveBody(String.class, 30_000)).isEqualTo("order-1");
                    other.createProducer().send(q, "order-2");
                    String got = ctx.createConsumer(q).receiveBody(String.class, 4L * LOCK_MS + 10_000);
                    System.out.printf("ack-loss D iteration %d: second consumer got %s%n", i, got);
                    assertThat(got).as("iteration %d of %s", i, name).isEqualTo("order-2");
                }
            }
        }
    }

    /**
     * A second member joins (another context) at the moment the first consumer's receive returns, i.e. while its
     * acknowledgement goes out on its next ShareFetch.
     */
    @Test
    @EnabledIfSystemProperty(named = "weir.it.shareAckLossStress", matches = "\\d+")
    void memberJoinsWhileAcknowledgementInFlight() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < iterations(); i++) {
                try (JMSContext ctx = f.createContext(); JMSContext other = f.createContext()) {
                    Queue q = ctx.createQueue("ack-loss-b-" + i + "-" + System.nanoTime() % 100000);
                    ctx.createProducer().send(q, "m-1");
                    JMSConsumer first = ctx.createConsumer(q);
                    CountDownLatch go = new CountDownLatch(1);
                    Future<JMSConsumer> second = pool.submit(() -> {
                        go.await();
                        return other.createConsumer(q);
                    });
                    String body = first.receiveBody(String.class, 30_000);
                    go.countDown();
                    assertThat(body).isEqualTo("m-1");
                    JMSConsumer c2 = second.get(60, TimeUnit.SECONDS);
                    // m-1 was auto-acknowledged: nobody may get it again, even after every lock ran out
                    Message again = c2.receive(2L * LOCK_MS + 3000);
                    System.out.printf("ack-loss B iteration %d: second consumer got %s%n", i, again == null ? null : again.getBody(String.class));
                    assertThat(again).as("iteration %d of %s: an acknowledged message came back", i, q.getQueueName()).isNull();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One auto-acknowledging consumer receives a stream while members of other contexts keep joining and leaving the
     * queue's share group: every message is received exactly once.
     */
    @Test
    @EnabledIfSystemProperty(named = "weir.it.shareAckLossStress", matches = "\\d+")
    void membersChurnWhileAConsumerAcknowledges() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        int messages = Math.max(20, iterations() * 5);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (JMSContext ctx = f.createContext(); JMSContext producer = f.createContext()) {
            Queue q = ctx.createQueue("ack-loss-c-" + System.nanoTime() % 100000);
            JMSConsumer main = ctx.createConsumer(q);
            Future<Integer> churn = pool.submit(() -> {
                int joins = 0;
                while (!stop.get()) {
                    try (JMSContext c = f.createContext()) {
                        JMSConsumer extra = c.createConsumer(q);
                        joins++;
                        String b = extra.receiveBody(String.class, 100);
                        if (b != null) {
                            received.add(b);
                        }
                    }
                }
                return joins;
            });
            for (int i = 0; i < messages; i++) {
                producer.createProducer().send(q, "s-" + i);
                String b = main.receiveBody(String.class, 200);
                if (b != null) {
                    received.add(b);
                }
            }
            long until = System.currentTimeMillis() + 60_000 + 4L * LOCK_MS;
            while (received.size() < messages && System.currentTimeMillis() < until) {
                String b = main.receiveBody(String.class, 500);
                if (b != null) {
                    received.add(b);
                }
            }
            stop.set(true);
            int joins = churn.get(60, TimeUnit.SECONDS);
            // anything acknowledged and lost comes back once its lock runs out
            long drainUntil = System.currentTimeMillis() + 2L * LOCK_MS + 3000;
            while (System.currentTimeMillis() < drainUntil) {
                String b = main.receiveBody(String.class, 500);
                if (b != null) {
                    received.add(b);
                }
            }
            List<String> sorted = new ArrayList<>(received);
            Collections.sort(sorted);
            System.out.printf("ack-loss C: %d messages, %d received, %d joins%n", messages, received.size(), joins);
            assertThat(sorted).as("received (joins: %d)", joins).doesNotHaveDuplicates().hasSize(messages);
        } finally {
            pool.shutdownNow();
        }
    }
}
