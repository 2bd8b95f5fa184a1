package io.weir.ra.inflow;

import io.weir.jms.WeirXASession;
import io.weir.jms.xa.XidKey;
import jakarta.jms.JMSException;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Work the adapter does on an XA delivery session outside any container transaction (moving a message past its
 * delivery limit to the dead-letter queue): one branch of its own, started, ended and committed in one phase on the
 * session's XAResource, so the held message and the work commit together. Its Xids carry format id
 * {@link #FORMAT_ID} and never reach a transaction manager.
 */
final class OwnBranch {

    /** "WRA1": the adapter's own branches. */
    static final int FORMAT_ID = 0x57524131;

    @FunctionalInterface
    interface Work {
        void run() throws JMSException;
    }

    private OwnBranch() {
    }

    static void run(WeirXASession session, Work work) throws JMSException {
        XAResource r = session.getXAResource();
        XidKey xid = new XidKey(FORMAT_ID, ("weir-ra-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII), new byte[0]);
        try {
            r.start(xid, XAResource.TMNOFLAGS);
        } catch (XAException e) {
            throw jms("Starting a branch", e);
        }
        boolean ok = false;
        try {
            work.run();
            ok = true;
        } finally {
            try {
                r.end(xid, ok ? XAResource.TMSUCCESS : XAResource.TMFAIL);
                if (ok) {
                    r.commit(xid, true);
                } else {
                    r.rollback(xid);
                }
            } catch (XAException e) {
                if (ok) {
                    throw jms("Committing a branch", e);
                }
            }
        }
    }

    private static JMSException jms(String what, XAException e) {
        JMSException j = new JMSException(what + " failed (XA error " + e.errorCode + "): " + e.getMessage());
        j.setLinkedException(e);
        j.initCause(e);
        return j;
    }
}
