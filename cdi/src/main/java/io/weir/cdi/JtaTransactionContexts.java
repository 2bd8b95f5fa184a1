package io.weir.cdi;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.TransactionRolledBackRuntimeException;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XAJMSContext;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * The transaction scope over a {@link TransactionSynchronizationRegistry}: the contexts of a transaction are kept
 * as its resources ({@code putResource}, keyed by {@link ContextKey}, so never shared with another transaction)
 * and closed by an interposed synchronization in {@code afterCompletion}. A context of an XA-capable factory is an
 * {@link XAJMSContext} whose {@code XAResource} is enlisted in the transaction through the
 * {@link TransactionManager}, so its sends and receives commit or roll back with the transaction; a context of a
 * plain factory is shared and closed with the transaction but does not take part in it.
 */
final class JtaTransactionContexts implements TransactionContexts {

    private static final Logger log = LoggerFactory.getLogger(JtaTransactionContexts.class);

    private final TransactionSynchronizationRegistry registry;
    private final TransactionManager transactionManager; // null: none found, XA factories cannot be enlisted
    private final Function<String, ConnectionFactory> factories;

    JtaTransactionContexts(TransactionSynchronizationRegistry registry, TransactionManager transactionManager,
                           Function<String, ConnectionFactory> factories) {
        this.registry = registry;
        this.transactionManager = transactionManager;
        this.factories = factories;
    }

    /** The key a context is kept under among its transaction's resources (no clash with other resources). */
    private record ResourceKey(ContextKey key) {
    }

    @Override
    public JMSContext currentOrNull(ContextKey key) {
        int status = registry.getTransactionStatus();
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            return null; // none, or one that is completing: the request scope applies
        }
        ResourceKey resourceKey = new ResourceKey(key);
        JMSContext context = (JMSContext) registry.getResource(resourceKey);
        if (context == null) {
            context = open(key);
            JMSContext opened = context;
            try {
                registry.registerInterposedSynchronization(new CloseAtCompletion(key, opened));
                registry.putResource(resourceKey, opened);
            } catch (RuntimeException e) {
                close(key, opened);
                throw runtime("cannot attach the injected JMSContext (" + key + ") to the active transaction: " + e, e);
            }
        }
        return context;
    }

    private JMSContext open(ContextKey key) {
        ConnectionFactory factory = factories.apply(key.factoryName());
        if (!(factory instanceof XAConnectionFactory xa)) {
            return key.userName() == null ? factory.createContext(key.sessionMode())
                    : factory.createContext(key.userName(), key.password(), key.sessionMode());
        }
        if (transactionManager == null) {
            throw new JMSRuntimeException("a JTA transaction is active but no jakarta.transaction.TransactionManager was"
                    + " found to enlist the injected JMSContext (" + key + ") of an XA connection factory: make one a CDI"
                    + " bean (a producer) or bind it at java:comp/TransactionManager");
        }
        XAJMSContext context = key.userName() == null ? xa.createXAContext() : xa.createXAContext(key.userName(), key.password());
        try {
            var transaction = transactionManager.getTransaction();
            if (transaction == null) {
                throw new IllegalStateException("the transaction manager has no transaction on this thread");
            }
            if (!transaction.enlistResource(context.getXAResource())) {
                throw new IllegalStateException("the transaction refused the XAResource");
            }
        } catch (RollbackException e) {
            close(key, context);
            TransactionRolledBackRuntimeException r = new TransactionRolledBackRuntimeException(
                    "the transaction is marked for rollback: the injected JMSContext (" + key + ") cannot join it");
            r.initCause(e);
            throw r;
        } catch (SystemException | RuntimeException e) {
            close(key, context);
            throw runtime("cannot enlist the injected JMSContext (" + key + ") in the active transaction: " + e, e);
        }
        return context;
    }

    private static JMSRuntimeException runtime(String message, Exception cause) {
        JMSRuntimeException r = new JMSRuntimeException(message);
        r.initCause(cause);
        return r;
    }

    private static void close(ContextKey key, JMSContext context) {
        try {
            context.close();
        } catch (JMSRuntimeException e) {
            log.warn("closing the injected JMSContext ({}) of a transaction failed", key, e);
        }
    }

    /** Closes a transaction's context once the transaction has committed or rolled back. */
    private record CloseAtCompletion(ContextKey key, JMSContext context) implements Synchronization {
        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            close(key, context);
        }
    }

    @Override
    public String toString() {
        return "JTA transaction scope (" + registry + (transactionManager == null ? ", no transaction manager" : "") + ")";
    }
}
