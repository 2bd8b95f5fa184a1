package io.weir.jms.it;

import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.common.recoveryPropertyManager;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.common.jtaPropertyManager;
import com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper;
import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.xa.XidKey;
import jakarta.jms.Connection;
import jakarta.jms.JMSConsumer;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAJMSContext;
import jakarta.jms.XASession;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * XA on the embedded Weir broker (three brokers): the XAResource contract driven directly, Narayana (the JTA
 * transaction manager WildFly uses) committing and rolling back sends and receives across two resource managers,
 * and a prepared branch that survives its client JVM killed with SIGKILL and the coordinator broker killed, then
 * completed from a fresh XAResource by recover() + commit/rollback: its messages appear exactly once.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XaIT {

    private static final String NODE = "weir-xa-it";
    private static EmbeddedWeirCluster cluster;
    private static TransactionManager tm;
    private static Path objectStore;

    @BeforeAll
    static void start(@TempDir Path store) throws Exception {
        cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
        arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(store.toString());
        com.arjuna.common.internal.util.propertyservice.BeanPopulator
                .getNamedInstance(com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean.class, "communicationStore")
                .setObjectStoreDir(store.toString());
        arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier(NODE);
        objectStore = store;
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryBackoffPeriod(1);
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryModuleClassNames(List.of(
                "com.arjuna.ats.internal.arjuna.recovery.AtomicActionRecoveryModule",
                "com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule"));
        jtaPropertyManager.getJTAEnvironmentBean().setXaRecoveryNodes(List.of(NODE));
        tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static WeirXAConnectionFactory factory(String resourceId) {
        WeirXAConnectionFactory f = new WeirXAConnectionFactory(cluster.bootstrapServers());
        f.setXaResourceId(resourceId);
        f.setTopicReplicationFactor((short) 3);
        f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS); // as its child JVMs: connections made while a broker is down
        return f;
    }

    private static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static XidKey xid(String gtrid) {
        return new XidKey(99, gtrid.getBytes(StandardCharsets.UTF_8), new byte[]{7});
    }

    @Test
    @Order(1)
    void theXaResourceContract() throws Exception {
        String queue = unique("xa-contract");
        WeirXAConnectionFactory f = factory(unique("rm"));
        try (XAConnection c = f.createXAConnection()) {
            XASession s = c.createXASession();
            XAResource r = s.getXAResource();
            MessageProducer p = s.createProducer(s.createQueue(queue));
            assertThat(s.getTransacted()).isTrue();
            assertThatThrownBy(s::commit).isInstanceOf(TransactionInProgressException.class);

            // one-phase commit
            Xid one = xid(unique("one"));
            r.start(one, XAResource.TMNOFLAGS);
            code(() -> r.start(xid(unique("other")), XAResource.TMNOFLAGS), XAException.XAER_PROTO); // already associated
            p.send(s.createTextMessage("one-phase"));
            r.end(one, XAResource.TMSUCCESS);
            code(() -> r.commit(one, false), XAException.XAER_PROTO); // two-phase commit without prepare
            r.commit(one, true);
            assertThat(readCommitted(queue)).containsExactly("one-phase");

            // a branch that did nothing is read-only; a suspended one resumes; a rolled back one leaves nothing
            Xid empty = xid(unique("empty"));
            r.start(empty, XAResource.TMNOFLAGS);
            r.end(empty, XAResource.TMSUSPEND);
            r.start(empty, XAResource.TMRESUME);
            r.end(empty, XAResource.TMSUCCESS);
            assertThat(r.prepare(empty)).isEqualTo(XAResource.XA_RDONLY);
            code(() -> r.commit(empty, true), XAException.XAER_NOTA); // gone after XA_RDONLY

            Xid rolled = xid(unique("rolled"));
            r.start(rolled, XAResource.TMNOFLAGS);
            p.send(s.createTextMessage("rolled back"));
            r.end(rolled, XAResource.TMSUCCESS);
            assertThat(r.prepare(rolled)).isEqualTo(XAResource.XA_OK);
            r.rollback(rolled);

            // TMFAIL: rollback only
            Xid failed = xid(unique("failed"));
            r.start(failed, XAResource.TMNOFLAGS);
            p.send(s.createTextMessage("failed"));
            r.end(failed, XAResource.TMFAIL);
            code(() -> r.prepare(failed), XAException.XA_RBROLLBACK);

            // two sessions of one resource manager join one branch (isSameRM)
            XASession s2 = c.createXASession();
            XAResource r2 = s2.getXAResource();
            assertThat(r2.isSameRM(r)).isTrue();
            try (XAConnection other = factory("another").createXAConnection()) {
                assertThat(other.createXASession().getXAResource().isSameRM(r)).isFalse();
            }
            Xid joined = xid(unique("joined"));
            r.start(joined, XAResource.TMNOFLAGS);
            p.send(s.createTextMessage("joined-1"));
            r.end(joined, XAResource.TMSUCCESS);
            r2.start(joined, XAResource.TMJOIN);
            s2.createProducer(s2.createQueue(queue)).send(s2.createTextMessage("joined-2"));
            r2.end(joined, XAResource.TMSUCCESS);
            assertThat(readCommitted(queue)).containsExactly("one-phase");
            assertThat(r2.prepare(joined)).isEqualTo(XAResource.XA_OK);
            assertThat(Arrays.asList(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))).contains(XidKey.of(joined));
            r.commit(joined, false);
            assertThat(readCommitted(queue)).containsExactlyInAnyOrder("one-phase", "joined-1", "joined-2");

            // unknown branches and bad input
            code(() -> r.prepare(xid(unique("unknown"))), XAException.XAER_NOTA);
            code(() -> r.commit(xid(unique("unknown")), false), XAException.XAER_NOTA);
            code(() -> r.rollback(xid(unique("unknown"))), XAException.XAER_NOTA);
            code(() -> r.end(xid(unique("unknown")), XAResource.TMSUCCESS), XAException.XAER_NOTA);
            code(() -> r.start(xid(unique("unknown")), XAResource.TMJOIN), XAException.XAER_NOTA);
            code(() -> r.forget(xid(unique("unknown"))), XAException.XAER_NOTA);
            code(() -> r.start(null, XAResource.TMNOFLAGS), XAException.XAER_INVAL);
            code(() -> r.setTransactionTimeout(-1), XAException.XAER_INVAL);
            assertThat(r.recover(XAResource.TMNOFLAGS)).isEmpty(); // not the start of a scan

            // outside a branch the session is not transacted: sends are visible at once
            p.send(s.createTextMessage("outside"));
            assertThat(readCommitted(queue)).contains("outside");
        }
    }

    @Test
    @Order(2)
    void aTimedOutBranchRollsBack() throws Exception {
        String queue = unique("xa-timeout");
        try (XAConnection c = factory(unique("rm")).createXAConnection()) {
            XASession s = c.createXASession();
            XAResource r = s.getXAResource();
            assertThat(r.setTransactionTimeout(1)).isTrue();
            Xid x = xid(unique("slow"));
            r.start(x, XAResource.TMNOFLAGS);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage("too late"));
            r.end(x, XAResource.TMSUCCESS);
            Thread.sleep(1_100); // past the branch's one-second timeout (a bound the test waits out, not a race)
            code(() -> r.prepare(x), XAException.XA_RBTIMEOUT);
            assertThat(readCommitted(queue)).isEmpty();
        }
    }

    @Test
    @Order(3)
    void narayanaCommitsAndRollsBackSendsAndReceivesOfTwoResourceManagers() throws Exception {
        String in = unique("xa-in");
        String outA = unique("xa-out-a");
        String outB = unique("xa-out-b");
        WeirXAConnectionFactory fa = factory(unique("rm-a"));
        WeirXAConnectionFactory fb = factory(unique("rm-b"));
        try (XAConnection ca = fa.createXAConnection(); XAConnection cb = fb.createXAConnection();
             Connection plain = fa.createConnection()) {
            Session ps = plain.createSession();
            MessageProducer feed = ps.createProducer(ps.createQueue(in));
            feed.send(ps.createTextMessage("input-1"));

            XASession sa = ca.createXASession();
            XASession sb = cb.createXASession();
            Queue inQueue = sa.createQueue(in);
            MessageConsumer consumer = sa.createConsumer(inQueue);
            MessageProducer pa = sa.createProducer(sa.createQueue(outA));
            MessageProducer pb = sb.createProducer(sb.createQueue(outB));
            ca.start();

            // rolled back: the input is delivered again, nothing is sent
            tm.begin();
            Transaction t = tm.getTransaction();
            t.enlistResource(sa.getXAResource());
            t.enlistResource(sb.getXAResource());
            TextMessage m = (TextMessage) consumer.receive(30_000);
            assertThat(m.getText()).isEqualTo("input-1");
            pa.send(sa.createTextMessage("a:" + m.getText()));
            pb.send(sb.createTextMessage("b:" + m.getText()));
            tm.rollback();
            assertThat(readCommitted(outA)).isEmpty();
            assertThat(readCommitted(outB)).isEmpty();

            // committed in two phases over two resource managers: both outputs and the input's position
            tm.begin();
            t = tm.getTransaction();
            t.enlistResource(sa.getXAResource());
            t.enlistResource(sb.getXAResource());
            Message again = consumer.receive(30_000);
            assertThat(((TextMessage) again).getText()).isEqualTo("input-1");
            assertThat(again.getJMSRedelivered()).isTrue();
            pa.send(sa.createTextMessage("a:input-1"));
            pb.send(sb.createTextMessage("b:input-1"));
            tm.commit();
            assertThat(readCommitted(outA)).containsExactly("a:input-1");
            assertThat(readCommitted(outB)).containsExactly("b:input-1");
            consumer.close();

            // the input's position was committed with the transaction: a new consumer of the queue gets nothing
            feed.send(ps.createTextMessage("input-2"));
            try (Connection check = fa.createConnection()) {
                Session cs = check.createSession();
                MessageConsumer next = cs.createConsumer(cs.createQueue(in));
                check.start();
                assertThat(((TextMessage) next.receive(30_000)).getText()).isEqualTo("input-2");
            }
        }

        // two sessions of one resource manager in one transaction: Narayana joins the second to the first's branch
        // (isSameRM, start with TMJOIN while the first is still associated) and commits the branch in one phase
        String joinedQueue = unique("xa-joined");
        try (XAConnection c1 = fa.createXAConnection(); XAConnection c2 = fa.createXAConnection()) {
            XASession s1 = c1.createXASession();
            XASession s2 = c2.createXASession();
            MessageProducer p1 = s1.createProducer(s1.createQueue(joinedQueue));
            MessageProducer p2 = s2.createProducer(s2.createQueue(joinedQueue));
            for (boolean commit : new boolean[]{false, true}) {
                tm.begin();
                Transaction t = tm.getTransaction();
                t.enlistResource(s1.getXAResource());
                t.enlistResource(s2.getXAResource());
                p1.send(s1.createTextMessage("first " + commit));
                p2.send(s2.createTextMessage("second " + commit));
                if (commit) {
                    tm.commit();
                } else {
                    tm.rollback();
                }
            }
            assertThat(readCommitted(joinedQueue)).containsExactlyInAnyOrder("first true", "second true");
        }

        // one resource: Narayana commits in one phase; an XAJMSContext works the same way
        String single = unique("xa-single");
        try (XAJMSContext ctx = fa.createXAContext()) {
            assertThatThrownBy(ctx::commit).isInstanceOf(TransactionInProgressRuntimeException.class);
            tm.begin();
            tm.getTransaction().enlistResource(ctx.getXAResource());
            ctx.createProducer().send(ctx.createQueue(single), "single");
            assertThat(readCommitted(single)).isEmpty();
            tm.commit();
            assertThat(readCommitted(single)).containsExactly("single");
            JMSConsumer unused = ctx.createConsumer(ctx.createQueue(single)); // outside a transaction: auto-acknowledged
            assertThat(unused.receiveBody(String.class, 30_000)).isEqualTo("single");
        }
    }

    /**
     * A client JVM prepares two branches and is killed (SIGKILL); then the broker coordinating them is killed. A fresh
     * XAResource of the same resource id finds both with recover(), commits one and rolls back the other: the
     * committed messages appear exactly once, the rolled back ones never.
     */
    @Test
    @Order(4)
    void aPreparedBranchSurvivesTheClientJvmAndTheCoordinatorBrokerBeingKilled() throws Exception {
        String queue = unique("xa-crash");
        String resourceId = unique("rm-crash");
        String tag = unique("t");
        Path report = Files.createTempFile("xa-preparer", ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                XaPreparer.class.getName(), cluster.bootstrapServers(), resourceId, queue, tag)
                .redirectErrorStream(true).redirectOutput(report.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !child.isAlive() || Files.readString(report).contains("PREPARED"));
            assertThat(child.isAlive()).as(Files.readString(report)).isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL
            child.waitFor(30, TimeUnit.SECONDS);
        }
        XidKey commit = XaPreparer.xid(tag, "commit");
        XidKey rollback = XaPreparer.xid(tag, "rollback");
        assertThat(readCommitted(queue)).as("prepared, not committed").isEmpty();

        int coordinator;
        String commitId = new io.weir.jms.xa.XidNames(resourceId).transactionalId(commit);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            coordinator = admin.describeTransactions(List.of(commitId)).all().get(30, TimeUnit.SECONDS).get(commitId).coordinatorId();
        }
        cluster.killBroker(coordinator);
        try {
            WeirXAConnectionFactory fresh = factory(resourceId);
            try (XAConnection c = fresh.createXAConnection()) {
                XAResource r = c.createXASession().getXAResource();
                await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() ->
                        assertThat(Arrays.asList(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)))
                                .containsExactlyInAnyOrder(commit, rollback));
                assertThat(readCommitted(queue)).as("still prepared after the coordinator's death").isEmpty();
                r.commit(commit, false);
                r.rollback(rollback);
                assertThat(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).isEmpty();
                code(() -> r.commit(commit, false), XAException.XAER_NOTA); // completed: nothing left to commit
            }
            assertThat(readCommitted(queue)).containsExactlyInAnyOrder("commit-1", "commit-2", "commit-3");
        } finally {
            cluster.restartBroker(coordinator);
            Files.deleteIfExists(report);
        }
    }

    /**
     * Narayana in a child JVM prepares a Weir branch and a second resource, logs its commit decision and is killed
     * (SIGKILL) in the second phase; the broker coordinating the Weir branch is killed too. Narayana's recovery
     * manager in this JVM (same object store and node identifier) replays the log: it finds the prepared branch
     * through a fresh Weir XAResource's recover() and commits it. The messages appear exactly once.
     */
    @Test
    @Order(5)
    void narayanaRecoveryCommitsABranchPreparedBeforeTheClientAndCoordinatorDied() throws Exception {
        String queue = unique("xa-narayana");
        String resourceId = unique("rm-narayana");
        Path report = Files.createTempFile("xa-narayana", ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx192m", "-Dweir.xa.stall=true", "-cp", System.getProperty("java.class.path"),
                XaNarayanaCrash.class.getName(), cluster.bootstrapServers(), resourceId, queue, objectStore.toString(), NODE)
                .redirectErrorStream(true).redirectOutput(report.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !child.isAlive() || Files.readString(report).contains("COMMITTING"));
            assertThat(child.isAlive()).as(Files.readString(report)).isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL, in Narayana's second phase
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(readCommitted(queue)).as("prepared, not committed").isEmpty();

        Xid prepared;
        WeirXAConnectionFactory fresh = factory(resourceId);
        try (XAConnection c = fresh.createXAConnection()) {
            XAResource r = c.createXASession().getXAResource();
            Xid[] found = r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            assertThat(found).hasSize(1);
            prepared = found[0];
        }
        int coordinator;
        String id = new io.weir.jms.xa.XidNames(resourceId).transactionalId(XidKey.of(prepared));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            coordinator = admin.describeTransactions(List.of(id)).all().get(30, TimeUnit.SECONDS).get(id).coordinatorId();
        }
        cluster.killBroker(coordinator);
        RecoveryManager manager = RecoveryManager.manager(RecoveryManager.DIRECT_MANAGEMENT);
        try (XAConnection c = fresh.createXAConnection()) {
            XAResource weir = c.createXASession().getXAResource();
            XARecoveryModule xaModule = XARecoveryModule.getRegisteredXARecoveryModule();
            XAResourceRecoveryHelper helper = new XAResourceRecoveryHelper() {
                @Override
                public boolean initialise(String p) {
                    return true;
                }

                @Override
                public XAResource[] getXAResources() {
                    return new XAResource[]{weir};
                }
            };
            xaModule.addXAResourceRecoveryHelper(helper);
            try {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    manager.scan();
                    return weir.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length == 0;
                });
            } finally {
                xaModule.removeXAResourceRecoveryHelper(helper);
            }
            assertThat(readCommitted(queue)).containsExactlyInAnyOrder("narayana-1", "narayana-2", "narayana-3");
        } finally {
            manager.terminate();
            cluster.restartBroker(coordinator);
            Files.deleteIfExists(report);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Everything a read_committed reader sees in {@code topic}, read up to its last stable offset. */
    static List<String> readCommitted(String topic) {
        return CommittedReads.readCommitted(cluster.bootstrapServers(), topic);
    }

    static List<String> readCommittedAt(String bootstrap, String topic) {
        return CommittedReads.readCommitted(bootstrap, topic);
    }

    private interface XaCall {
        void run() throws XAException;
    }

    private static void code(XaCall call, int expected) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(XAException.class,
                e -> assertThat(e.errorCode).as(e.getMessage()).isEqualTo(expected));
    }
}
