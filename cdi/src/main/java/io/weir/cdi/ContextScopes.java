package io.weir.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.jms.JMSContext;

/**
 * Where an injected context lives (Jakarta Messaging 3.1 §12.4.4): in the active JTA transaction when there is
 * one, else in the request scope. The JTA registry is looked up once, at the first use of an injected context.
 */
@ApplicationScoped
class ContextScopes {

    private static final String JTA_TYPE = "jakarta.transaction.TransactionSynchronizationRegistry";

    private WeirJmsExtension extension;
    private RequestContexts request;
    private BeanManager beans;
    private volatile TransactionContexts transactions;

    ContextScopes() { // for the client proxy
    }

    @Inject
    ContextScopes(WeirJmsExtension extension, RequestContexts request, BeanManager beans) {
        this.extension = extension;
        this.request = request; // a client proxy: the request scope need not be active while a transaction is
        this.beans = beans;
    }

    JMSContext get(ContextKey key) {
        JMSContext inTransaction = transactions().currentOrNull(key);
        return inTransaction != null ? inTransaction : request.get(key);
    }

    TransactionContexts transactions() {
        TransactionContexts t = transactions;
        if (t == null) {
            synchronized (this) {
                t = transactions;
                if (t == null) {
                    t = jtaPresent() ? JtaLookup.find(beans, extension::factory) : TransactionContexts.NONE;
                    transactions = t;
                }
            }
        }
        return t;
    }

    private static boolean jtaPresent() {
        try {
            Class.forName(JTA_TYPE, false, ContextScopes.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
