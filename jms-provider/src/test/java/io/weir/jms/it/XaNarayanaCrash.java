package io.weir.jms.it;

import com.arjuna.ats.arjuna.common.arjPropertyManager;
import io.weir.jms.WeirXAConnectionFactory;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.io.PrintStream;
import java.io.Serializable;

/**
 * The child JVM of the Narayana recovery test: a JTA transaction with two resources, a {@link StallingResource}
 * (enlisted first) and a Weir XA session that sends three messages. Narayana prepares both, logs its decision, and
 * starts the second phase with the stalling resource, which prints {@code COMMITTING} and blocks: the test kills the
 * JVM with SIGKILL there, with the Weir branch prepared and the commit decision in Narayana's log.
 * <p>Arguments: bootstrap servers, XA resource id, queue, Narayana object store directory, node identifier.
 */
public final class XaNarayanaCrash {

    private XaNarayanaCrash() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        try {
            arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(args[3]);
            com.arjuna.common.internal.util.propertyservice.BeanPopulator
                    .getNamedInstance(com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean.class, "communicationStore")
                    .setObjectStoreDir(args[3]);
            arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier(args[4]);
            TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
            WeirXAConnectionFactory f = new WeirXAConnectionFactory(args[0]);
            f.setXaResourceId(args[1]);
            f.setTopicReplicationFactor((short) 3);
            f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS);
            XAConnection c = f.createXAConnection();
            XASession s = c.createXASession();
            var producer = s.createProducer(s.createQueue(args[2]));
            tm.begin();
            Transaction t = tm.getTransaction();
            t.enlistResource(new StallingResource());
            t.enlistResource(s.getXAResource());
            for (int i = 1; i <= 3; i++) {
                producer.send(s.createTextMessage("narayana-" + i));
            }
            tm.commit(); // blocks in the stalling resource's commit
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }

    /**
     * A resource that votes yes and, in the child JVM, blocks in commit (the crash point). Serializable, so Narayana
     * keeps it in its log and a recovering process commits it (no longer blocking: the property is not set there).
     */
    public static final class StallingResource implements XAResource, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void commit(Xid xid, boolean onePhase) {
            if (Boolean.getBoolean("weir.xa.stall")) {
                System.out.println("COMMITTING");
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            return new Xid[0];
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return true;
        }

        @Override
        public void start(Xid xid, int flags) {
        }
    }
}
