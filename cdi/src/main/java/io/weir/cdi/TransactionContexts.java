package io.weir.cdi;

import jakarta.jms.JMSContext;

/**
 * The transaction scope of injected contexts (Jakarta Messaging 3.1 §12.4.4): while a JTA transaction is active,
 * every injection point with the same {@link ContextKey} uses one context, closed when the transaction completes.
 * This interface names no JTA type, so the extension works on a class path without {@code jakarta.transaction}.
 */
interface TransactionContexts {

    /** No JTA on the class path or none found: every context is request-scoped. */
    TransactionContexts NONE = new TransactionContexts() {
        @Override
        public JMSContext currentOrNull(ContextKey key) {
            return null;
        }

        @Override
        public String toString() {
            return "no JTA transaction synchronization registry";
        }
    };

    /** The context of the active transaction for that key (created on first use), or null when none is active. */
    JMSContext currentOrNull(ContextKey key);
}
