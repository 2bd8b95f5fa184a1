package io.weir.ra.it.xarecovery;

import java.time.Duration;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/**
 * A second XA resource, enlisted after Weir, whose {@code prepare} does not return: the Weir branch is prepared, the
 * transaction manager waits here and has logged no decision when the server dies. After the restart nothing in the
 * transaction manager's log names the branch, so recovery must roll it back (presumed abort). Bounded: after
 * {@link #STALL} it votes rollback, so a server that did not die does not keep the request forever.
 */
public final class StallInPrepare extends PassiveXAResource {

    static final Duration STALL = Duration.ofMinutes(4);

    @Override
    public int prepare(Xid xid) throws XAException {
        try {
            Thread.sleep(STALL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new XAException(XAException.XA_RBTIMEOUT);
    }
}
