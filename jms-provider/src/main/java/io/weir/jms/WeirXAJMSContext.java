package io.weir.jms;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.XAJMSContext;

import javax.transaction.xa.XAResource;

/**
 * A JMSContext over one {@link WeirXASession}: its work joins the branch its XAResource associates it with;
 * commit/rollback belong to the transaction manager (TransactionInProgressRuntimeException).
 */
public final class WeirXAJMSContext extends WeirJMSContext implements XAJMSContext {

    WeirXAJMSContext(SharedConnection shared) {
        super(shared, JMSContext.SESSION_TRANSACTED);
    }

    @Override
    WeirSession openSession() throws JMSException {
        return ((WeirXAConnection) connection()).newXASession(WeirSession.Kind.GENERAL);
    }

    @Override
    public JMSContext getContext() {
        return this;
    }

    @Override
    public XAResource getXAResource() {
        return ((WeirXASession) session()).getXAResource();
    }

    @Override
    public boolean getTransacted() {
        session();
        return true;
    }

    @Override
    public void commit() {
        session();
        throw new TransactionInProgressRuntimeException("An XAJMSContext is committed by its transaction manager (XAResource)");
    }

    @Override
    public void rollback() {
        session();
        throw new TransactionInProgressRuntimeException("An XAJMSContext is rolled back by its transaction manager (XAResource)");
    }
}
