package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSContext;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transacted sessions of one JVM consuming one queue share one group member: one session's rollback (or a
 * consumer closing) gives back what that session received, and only that.
 */
class SharedQueueRollbackIT {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /**
     * These tests are about the consumer-group member that the sessions of one JVM share for a queue in the classic
     * mapping. In share mode every consumer is a member of its own and redelivers what its session gives back
     * itself, so no other session can be handed it; which consumer fetches which message is the broker's choice
     * (batches of up to {@code max.poll.records}), so the exact splits these tests assert do not apply. The share
     * mode's rollback/recover behaviour is tested in {@code ShareQueueSuite} (WeirShareJmsIT, KafkaShareJmsIT).
     */
    private static WeirConnectionFactory classic() {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        f.setQueueMode(io.weir.jms.QueueMode.CLASSIC);
        return f;
    }

    private static String text(jakarta.jms.Message m) throws Exception {
        return m == null ? null : ((TextMessage) m).getText();
    }

    @Test
    void aRollbackDoesNotHandOutWhatAnotherSessionHolds() throws Exception {
        String queue = "shared-rollback-" + UUID.randomUUID().toString().substring(0, 8);
        WeirConnectionFactory f = classic();
        try (JMSContext ctx = f.createContext()) {
            for (int i = 0; i < 4; i++) {
                ctx.createProducer().send(ctx.createQueue(queue), "m" + i);
            }
        }
        try (Connection c = f.createConnection()) {
            Session a = c.createSession(Session.SESSION_TRANSACTED);
            Session b = c.createSession(Session.SESSION_TRANSACTED);
            Queue q = a.createQueue(queue);
            MessageConsumer ca = a.createConsumer(q);
            MessageConsumer cb = b.createConsumer(q);
            c.start();
            String first = text(ca.receive(30_000));
            String held = text(cb.receive(30_000));
            assertThat(first).isEqualTo("m0");
            assertThat(held).isEqualTo("m1");
            a.rollback();
            List<String> again = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                again.add(text(ca.receive(10_000)));
            }
            // m1 is b's until b commits or rolls back
            assertThat(again).containsExactly("m0", "m2", "m3");
            b.commit();
            a.commit();
            assertThat(ca.receive(1000)).isNull();
        }
    }

    @Test
    void aSessionClosedWhileAnotherHoldsAMessageGivesBackOnlyItsOwn() throws Exception {
        String queue = "shared-close-" + UUID.randomUUID().toString().substring(0, 8);
        WeirConnectionFactory f = classic();
        try (JMSContext ctx = f.createContext()) {
            for (int i = 0; i < 3; i++) {
                ctx.createProducer().send(ctx.createQueue(queue), "m" + i);
            }
        }
        try (Connection c = f.createConnection()) {
            Session a = c.createSession(Session.SESSION_TRANSACTED);
            Session b = c.createSession(Session.SESSION_TRANSACTED);
            Queue q = a.createQueue(queue);
            MessageConsumer ca = a.createConsumer(q);
            MessageConsumer cb = b.createConsumer(q);
            c.start();
            assertThat(text(ca.receive(30_000))).isEqualTo("m0");
            assertThat(text(cb.receive(30_000))).isEqualTo("m1");
            a.close(); // rolls back: m0 comes back, m1 stays b's
            Session next = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer cn = next.createConsumer(q);
            List<String> taken = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                taken.add(text(cn.receive(10_000)));
            }
            assertThat(taken).containsExactly("m0", "m2");
            assertThat(cn.receive(500)).isNull();
            b.rollback(); // now m1 comes back
            assertThat(text(cn.receive(10_000))).isEqualTo("m1");
            next.commit();
            b.commit();
            assertThat(cn.receive(500)).isNull();
        }
    }

    @Test
    void recoverGivesBackOnlyWhatItsSessionWasGiven() throws Exception {
        String queue = "shared-recover-" + UUID.randomUUID().toString().substring(0, 8);
        WeirConnectionFactory f = classic();
        try (JMSContext ctx = f.createContext()) {
            for (int i = 0; i < 3; i++) {
                ctx.createProducer().send(ctx.createQueue(queue), "m" + i);
            }
        }
        try (Connection c = f.createConnection()) {
            Session a = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            Session b = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            Queue q = a.createQueue(queue);
            MessageConsumer ca = a.createConsumer(q);
            MessageConsumer cb = b.createConsumer(q);
            c.start();
            assertThat(text(ca.receive(30_000))).isEqualTo("m0");
            jakarta.jms.Message held = cb.receive(30_000);
            assertThat(text(held)).isEqualTo("m1");
            a.recover();
            jakarta.jms.Message again = ca.receive(10_000);
            assertThat(text(again)).isEqualTo("m0");
            assertThat(again.getJMSRedelivered()).isTrue();
            assertThat(text(ca.receive(10_000))).isEqualTo("m2");
            assertThat(ca.receive(500)).isNull();
            again.acknowledge();
            held.acknowledge();
        }
    }
}
