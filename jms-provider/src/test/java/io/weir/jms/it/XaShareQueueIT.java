package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.xa.XidKey;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * XA branches consuming a share-group queue (the default queue mapping on Weir): the messages are ACCEPTed inside the
 * branch's Kafka transaction (Weir's transactional share acknowledgement), so a prepared branch keeps them from every
 * consumer even after its consumer is gone, its commit settles them for good, and its rollback gives them back to
 * the queue. Exactly-once with the branch's sends, where ACCEPTing after the commit was at-least-once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class XaShareQueueIT {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static XidKey xid(String gtrid) {
        return new XidKey(99, gtrid.getBytes(StandardCharsets.UTF_8), new byte[]{3});
    }

    private static WeirXAConnectionFactory xaFactory(String resourceId) {
        WeirXAConnectionFactory f = new WeirXAConnectionFactory(cluster.bootstrapServers());
        f.setXaResourceId(resourceId);
        return f;
    }

    /** Prepares a branch that received the queue's one message and sent it on, then closes its connection. */
    private static XidKey prepareRelay(String resourceId, String in, String out) throws Exception {
        XidKey x = xid(unique("relay"));
        try (XAConnection c = xaFactory(resourceId).createXAConnection()) {
            XASession s = c.createXASession();
            XAResource r = s.getXAResource();
            MessageConsumer consumer = s.createConsumer(s.createQueue(in));
            MessageProducer producer = s.createProducer(s.createQueue(out));
            c.start();
            r.start(x, XAResource.TMNOFLAGS);
            TextMessage m = (TextMessage) consumer.receive(30_000);
            assertThat(m).isNotNull();
            producer.send(s.createTextMessage("relayed:" + m.getText()));
            r.end(x, XAResource.TMSUCCESS);
            assertThat(r.prepare(x)).isEqualTo(XAResource.XA_OK);
        } // the consumer closes with the branch prepared: what it delivered is the branch's, not released
        return x;
    }

    private static void send(String queue, String text) throws Exception {
        try (Connection c = new WeirConnectionFactory(cluster.bootstrapServers()).createConnection()) {
            Session s = c.createSession();
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
    }

    /** The next message of {@code queue} for a new consumer within {@code ms}, or null. */
    private static Message receive(String queue, long ms) throws Exception {
        try (Connection c = new WeirConnectionFactory(cluster.bootstrapServers()).createConnection()) {
            Session s = c.createSession();
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            return consumer.receive(ms);
        }
    }

    @Test
    void aPreparedBranchKeepsItsMessageFromEveryoneAndItsCommitSettlesItForGood() throws Exception {
        String in = unique("xa-share-in");
        String out = unique("xa-share-out");
        String rm = unique("rm");
        send(in, "m1");
        XidKey x = prepareRelay(rm, in, out);

        assertThat(receive(in, 2_000)).as("held by the prepared branch").isNull();

        // a new instance of the resource manager (as after a restart) commits the prepared branch
        try (XAConnection c = xaFactory(rm).createXAConnection()) {
            XAResource r = c.createXASession().getXAResource();
            assertThat(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).contains(x);
            r.commit(x, false);
        }
        assertThat(XaIT.readCommittedAt(cluster.bootstrapServers(), out)).containsExactly("relayed:m1");
        send(in, "m2");
        assertThat(((TextMessage) receive(in, 30_000)).getText()).as("m1 was consumed by the commit").isEqualTo("m2");
    }

    @Test
    void aRolledBackBranchGivesItsMessageBackToTheQueue() throws Exception {
        String in = unique("xa-share-in");
        String out = unique("xa-share-out");
        String rm = unique("rm");
        send(in, "m1");
        XidKey x = prepareRelay(rm, in, out);
        assertThat(receive(in, 1_000)).isNull();

        try (XAConnection c = xaFactory(rm).createXAConnection()) {
            c.createXASession().getXAResource().rollback(x);
        }
        Message again = receive(in, 30_000);
        assertThat(((TextMessage) again).getText()).isEqualTo("m1");
        assertThat(again.getJMSRedelivered()).isTrue();
        assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
        assertThat(XaIT.readCommittedAt(cluster.bootstrapServers(), out)).isEmpty();
    }
}
