package io.weir.ra.outbound;

import io.weir.ra.ProviderXAResource;
import io.weir.ra.WeirRaQueue;
import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.testing.Narayana;
import io.weir.ra.testing.XaConnectionManager;
import io.weir.ra.testing.TestBroker;
import jakarta.jms.Connection;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionInProgressException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ManagedConnection;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The outbound side in JTA transactions of Narayana (the transaction manager WildFly uses) over the managed
 * connections' XAResources: a send committed in two phases with a second resource manager, two connections of one
 * resource manager joined into one branch, rollbacks that discard sends and give received messages back, a local
 * transaction on the same kind of connection, and recovery: branches prepared by a connection that is then
 * destroyed are found by a new adapter's {@code getXAResources} and completed.
 */
class XaOutboundTest {

    private static final long RECEIVE_MS = 30_000;
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static final TransactionManager tm = Narayana.transactionManager();

    @AfterEach
    void rollBackALeftTransaction() throws Exception {
        if (tm.getTransaction() != null) {
            tm.rollback();
        }
    }

    private WeirResourceAdapter adapter(String resourceId) {
        WeirResourceAdapter ra = new WeirResourceAdapter();
        ra.setBootstrapServers(broker.bootstrapServers());
        ra.setXaResourceId(resourceId);
        broker.closeAfter(ra::stop);
        return ra;
    }

    private WeirRaConnectionFactory factory(WeirResourceAdapter ra, String ownResourceId, XaConnectionManager cm)
            throws Exception {
        WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
        mcf.setResourceAdapter(ra);
        mcf.setXaResourceId(ownResourceId);
        return (WeirRaConnectionFactory) mcf.createConnectionFactory(cm);
    }

    private XaConnectionManager manager() {
        XaConnectionManager cm = new XaConnectionManager(tm);
        broker.closeAfter(cm);
        return cm;
    }

    /** What a plain (read_committed) consumer finds on {@code q}, until it waited {@code lastWaitMs} for more. */
    private static List<String> drain(Queue q, int expected, long lastWaitMs) {
        return broker.drain(q, expected, RECEIVE_MS, lastWaitMs);
    }

    private static void send(WeirRaConnectionFactory cf, Queue q, String text) throws Exception {
        try (Connection c = cf.createConnection(); Session s = c.createSession()) {
            s.createProducer(q).send(s.createTextMessage(text));
        }
    }

    @Test
    void sendsCommitInTwoPhasesWithASecondResourceManager() throws Exception {
        WeirResourceAdapter ra = adapter(TestBroker.unique("rm-a"));
        XaConnectionManager cm = manager();
        WeirRaConnectionFactory a = factory(ra, null, cm);
        WeirRaConnectionFactory b = factory(ra, TestBroker.unique("rm-b"), cm); // another resource manager on the same brokers
        Queue qa = new WeirRaQueue(TestBroker.unique("xa-2pc-a"));
        Queue qb = new WeirRaQueue(TestBroker.unique("xa-2pc-b"));

        tm.begin();
        try (Connection c = a.createConnection(); Session s = c.createSession()) {
            assertThat(s.getTransacted()).isTrue();
            assertThatThrownBy(s::commit).isInstanceOf(TransactionInProgressException.class);
            s.createProducer(qa).send(s.createTextMessage("a-1"));
        }
        send(b, qb, "b-1");
        tm.commit();

        assertThat(cm.enlisted()).hasSize(2);
        for (XaConnectionManager.Recording r : cm.enlisted()) {
            assertThat(r.calls()).containsExactly("start(0)", "end(" + XAResource.TMSUCCESS + ")", "prepare=0", "commit(false)");
        }
        assertThat(drain(qa, 1, 1_000)).containsExactly("a-1");
        assertThat(drain(qb, 1, 1_000)).containsExactly("b-1");
    }

    @Test
    void twoConnectionsOfOneResourceManagerJoinOneBranch() throws Exception {
        WeirResourceAdapter ra = adapter(TestBroker.unique("rm-join"));
        XaConnectionManager cm = manager();
        WeirRaConnectionFactory cf = factory(ra, null, cm);
        WeirRaConnectionFactory same = factory(ra, null, cm); // another connection definition, same brokers and id
        Queue q = new WeirRaQueue(TestBroker.unique("xa-join"));

        tm.begin();
        send(cf, q, "first");
        send(same, q, "second");
        assertThat(cm.enlisted()).hasSize(2);
        assertThat(cm.enlisted().get(0).isSameRM(cm.enlisted().get(1))).isTrue();
        tm.commit();

        assertThat(cm.enlisted().get(1).calls()).first().isEqualTo("start(" + XAResource.TMJOIN + ")");
        assertThat(cm.enlisted().get(0).calls()).contains("commit(true)"); // one branch: one phase
        assertThat(drain(q, 2, 1_000)).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void aRollbackDiscardsTheSendsAndGivesTheReceivedMessageBack() throws Exception {
        WeirResourceAdapter ra = adapter(TestBroker.unique("rm-rb"));
        XaConnectionManager cm = manager();
        WeirRaConnectionFactory cf = factory(ra, null, cm);
        WeirRaConnectionFactory other = factory(ra, TestBroker.unique("rm-rb-2"), cm);
        Queue in = new WeirRaQueue(TestBroker.unique("xa-rb-in"));
        Queue out = new WeirRaQueue(TestBroker.unique("xa-rb-out"));
        try (JMSContext ctx = broker.plain().createContext()) {
            ctx.createProducer().send(in, "order-1");
        }

        // a receive and a send, rolled back by the application
        tm.begin();
        try (Connection c = cf.createConnection(); Session s = c.createSession()) {
            c.start();
            MessageConsumer consumer = s.createConsumer(in);
            Message m = consumer.receive(RECEIVE_MS);
            assertThat(((TextMessage) m).getText()).isEqualTo("order-1");
            consumer.close(); // closed at the end of the transaction
            s.createProducer(out).send(s.createTextMessage("reply-1"));
        }
        send(other, out, "other-1");
        tm.rollback();

        // a send in a transaction marked rollback-only: the commit rolls it back
        tm.begin();
        send(cf, out, "reply-2");
        tm.setRollbackOnly();
        assertThatThrownBy(tm::commit).isInstanceOf(RollbackException.class);

        assertThat(cm.enlisted()).allSatisfy(r -> assertThat(r.calls()).contains("rollback").doesNotContain("commit(true)", "commit(false)"));
        assertThat(drain(out, 0, 2_000)).isEmpty();

        // the received message is there again, and committed in a new transaction it is gone
        tm.begin();
        try (Connection c = cf.createConnection(); Session s = c.createSession()) {
            c.start();
            MessageConsumer consumer = s.createConsumer(in);
            Message m = consumer.receive(RECEIVE_MS);
            assertThat(((TextMessage) m).getText()).isEqualTo("order-1");
            consumer.close();
        }
        tm.commit();
        assertThat(drain(in, 0, 2_000)).isEmpty();
    }

    @Test
    void aLocalTransactionStillWorksOnTheXaConnections() throws Exception {
        WeirResourceAdapter ra = adapter(TestBroker.unique("rm-local"));
        WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
        mcf.setResourceAdapter(ra);
        ManagedConnection mc = mcf.createManagedConnection(null, null);
        broker.closeAfter(mc::destroy);
        Queue q = new WeirRaQueue(TestBroker.unique("xa-local"));
        Session s = (Session) mc.getConnection(null, null);
        var local = mc.getLocalTransaction();
        local.begin();
        s.createProducer(q).send(s.createTextMessage("rolled-back"));
        local.rollback();
        local.begin();
        s.createProducer(q).send(s.createTextMessage("committed"));
        assertThatThrownBy(() -> mc.getXAResource().start(xid("during-local"), XAResource.TMNOFLAGS))
                .isInstanceOf(javax.transaction.xa.XAException.class);
        local.commit();
        assertThat(drain(q, 1, 2_000)).containsExactly("committed");
    }

    @Test
    void preparedBranchesOfADestroyedConnectionAreRecoveredThroughGetXAResources() throws Exception {
        String resourceId = TestBroker.unique("rm-recover");
        Queue q = new WeirRaQueue(TestBroker.unique("xa-recover"));
        Xid commit = xid(TestBroker.unique("commit"));
        Xid rollback = xid(TestBroker.unique("rollback"));
        WeirResourceAdapter before = adapter(resourceId);
        for (Xid x : List.of(commit, rollback)) {
            WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
            mcf.setResourceAdapter(before);
            ManagedConnection mc = mcf.createManagedConnection(null, null);
            XAResource xa = mc.getXAResource();
            Session s = (Session) mc.getConnection(null, null);
            xa.start(x, XAResource.TMNOFLAGS);
            String which = x == commit ? "commit" : "rollback";
            s.createProducer(q).send(s.createTextMessage(which + "-1"));
            s.createProducer(q).send(s.createTextMessage(which + "-2"));
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(xa.prepare(x)).isEqualTo(XAResource.XA_OK);
            mc.destroy(); // the connection goes away; the prepared branch stays on the brokers
        }
        before.stop();

        // as after a restart: a new adapter with the same id, asked by the recovery manager
        WeirResourceAdapter after = adapter(resourceId);
        XAResource[] resources = after.getXAResources(new ActivationSpec[0]);
        assertThat(resources).hasSize(1);
        XAResource r = resources[0];
        List<Xid> found = Arrays.asList(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN));
        assertThat(found.stream().map(XaOutboundTest::gtrid)).contains(gtrid(commit), gtrid(rollback));
        r.commit(commit, false);
        r.rollback(rollback);
        assertThat(Arrays.stream(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).map(XaOutboundTest::gtrid))
                .doesNotContain(gtrid(commit), gtrid(rollback));
        assertThat(drain(q, 2, 2_000)).containsExactly("commit-1", "commit-2");

        // the recovery resource is the same resource manager as the connections of that id
        WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
        mcf.setResourceAdapter(after);
        ManagedConnection mc = mcf.createManagedConnection(null, null);
        broker.closeAfter(mc::destroy);
        assertThat(mc.getXAResource().isSameRM(r)).isTrue();
        assertThat(((ProviderXAResource) r).provider().isSameRM(((ProviderXAResource) mc.getXAResource()).provider())).isTrue();
    }

    @Test
    void theXAResourceOfADestroyedConnectionStillCompletesItsPreparedBranches() throws Exception {
        // a server's recovery keeps the XAResource of its recovery connection from recover() to commit(); the server
        // may destroy that connection in between (IronJacamar does when its validity check fails)
        WeirResourceAdapter ra = adapter(TestBroker.unique("rm-destroyed"));
        Queue q = new WeirRaQueue(TestBroker.unique("xa-destroyed"));
        Xid commit = xid(TestBroker.unique("commit"));
        Xid rollback = xid(TestBroker.unique("rollback"));
        WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
        mcf.setResourceAdapter(ra);
        ManagedConnection mc = mcf.createManagedConnection(null, null);
        XAResource xa = mc.getXAResource();
        for (Xid x : List.of(commit, rollback)) {
            Session s = (Session) mc.getConnection(null, null);
            xa.start(x, XAResource.TMNOFLAGS);
            s.createProducer(q).send(s.createTextMessage(x == commit ? "kept" : "dropped"));
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(xa.prepare(x)).isEqualTo(XAResource.XA_OK);
            s.close();
        }
        mc.destroy();

        List<Xid> found = Arrays.asList(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN));
        assertThat(found.stream().map(XaOutboundTest::gtrid)).contains(gtrid(commit), gtrid(rollback));
        xa.commit(commit, false);
        xa.rollback(rollback);
        assertThat(Arrays.stream(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).map(XaOutboundTest::gtrid))
                .doesNotContain(gtrid(commit), gtrid(rollback));
        assertThat(drain(q, 1, 2_000)).containsExactly("kept");
        // a branch cannot be started on it any more
        assertThatThrownBy(() -> xa.start(xid(TestBroker.unique("late")), XAResource.TMNOFLAGS)).isInstanceOf(XAException.class);
    }

    private static Xid xid(String gtrid) {
        return new io.weir.jms.xa.XidKey(0x5745, gtrid.getBytes(StandardCharsets.UTF_8), new byte[]{1});
    }

    private static String gtrid(Xid x) {
        return new String(x.getGlobalTransactionId(), StandardCharsets.UTF_8);
    }
}
