package io.weir.ra.it.payara.app;

import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An XA resource with nothing to do, enlisted before any other so that Payara runs the transaction in its JTS
 * transaction manager from the start: the adapter's connection, enlisted next, is then an XA branch of its own.
 */
public final class JtaPromotion implements XAResource {

    @Override
    public int prepare(Xid xid) {
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
    }

    @Override
    public void rollback(Xid xid) {
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }
}
