package io.weir.jms.it;

import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.xa.XidKey;
import jakarta.jms.MessageProducer;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;

import javax.transaction.xa.XAResource;
import java.io.PrintStream;

/**
 * The child JVM of the XA crash test: prepares two branches (gtrids {@code <tag>-commit} and {@code <tag>-rollback},
 * format id 4711, three messages each to one queue), prints {@code PREPARED}, then waits to be killed with SIGKILL.
 * <p>Arguments: bootstrap servers, XA resource id, queue, tag.
 */
public final class XaPreparer {

    private XaPreparer() {
    }

    public static XidKey xid(String tag, String outcome) {
        return new XidKey(4711, (tag + "-" + outcome).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[]{1});
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        try {
            WeirXAConnectionFactory f = new WeirXAConnectionFactory(args[0]);
            f.setXaResourceId(args[1]);
            f.setTopicReplicationFactor((short) 3);
            f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS);
            XAConnection c = f.createXAConnection();
            for (String outcome : new String[]{"commit", "rollback"}) {
                XASession s = c.createXASession();
                XAResource r = s.getXAResource();
                MessageProducer p = s.createProducer(s.createQueue(args[2]));
                XidKey xid = xid(args[3], outcome);
                r.start(xid, XAResource.TMNOFLAGS);
                for (int i = 1; i <= 3; i++) {
                    p.send(s.createTextMessage(outcome + "-" + i));
                }
                r.end(xid, XAResource.TMSUCCESS);
                if (r.prepare(xid) != XAResource.XA_OK) {
                    throw new IllegalStateException("prepare did not answer XA_OK");
                }
            }
            out.println("PREPARED");
            out.flush();
            Thread.sleep(Long.MAX_VALUE); // killed here, between prepare and commit
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }
}
