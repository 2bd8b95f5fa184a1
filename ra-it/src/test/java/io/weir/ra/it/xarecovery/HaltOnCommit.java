package io.weir.ra.it.xarecovery;

import java.io.Serializable;
import javax.transaction.xa.Xid;

/**
 * A second XA resource in the application's transaction that stops the server JVM dead (no shutdown hooks, no
 * orderly close) when the transaction manager asks it to commit: the transaction manager has logged its commit
 * decision (both resources prepared) and has not yet reached the Weir branch, which it enlisted after this one, so
 * the branch is left prepared on the brokers. Only the instance the application enlisted halts: the copy the
 * transaction manager may rebuild from its log when it recovers ({@code armed} is transient) commits as a no-op.
 */
public final class HaltOnCommit extends PassiveXAResource implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The exit code of the halted server, which the test checks to know the crash was this one. */
    public static final int EXIT_CODE = 86;

    private transient boolean armed = true;

    @Override
    public void commit(Xid xid, boolean onePhase) {
        if (armed) {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
