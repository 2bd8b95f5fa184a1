package io.weir.cdi;

import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.jms.ConnectionFactory;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the JTA transaction synchronization registry and transaction manager: a CDI bean of that type first,
 * else the usual JNDI names. Loaded only when {@code jakarta.transaction} is on the class path.
 */
final class JtaLookup {

    private static final Logger log = LoggerFactory.getLogger(JtaLookup.class);

    static final String REGISTRY_JNDI = "java:comp/TransactionSynchronizationRegistry";
    static final List<String> MANAGER_JNDI = List.of("java:comp/TransactionManager", "java:jboss/TransactionManager",
            "java:/TransactionManager", "java:appserver/TransactionManager");

    private JtaLookup() {
    }

    static TransactionContexts find(BeanManager beans, Function<String, ConnectionFactory> factories) {
        TransactionSynchronizationRegistry registry = bean(beans, TransactionSynchronizationRegistry.class);
        if (registry == null) {
            registry = jndi(TransactionSynchronizationRegistry.class, List.of(REGISTRY_JNDI));
        }
        if (registry == null) {
            log.debug("no TransactionSynchronizationRegistry (CDI bean or {}): injected JMSContexts are request-scoped", REGISTRY_JNDI);
            return TransactionContexts.NONE;
        }
        TransactionManager manager = bean(beans, TransactionManager.class);
        if (manager == null) {
            manager = jndi(TransactionManager.class, MANAGER_JNDI);
        }
        if (manager == null) {
            log.info("a TransactionSynchronizationRegistry but no TransactionManager was found: injected JMSContexts are"
                    + " shared within a JTA transaction, but those of XA connection factories cannot be enlisted");
        }
        return new JtaTransactionContexts(registry, manager, factories);
    }

    private static <T> T bean(BeanManager beans, Class<T> type) {
        try {
            Bean<?> bean = beans.resolve(beans.getBeans(type));
            return bean == null ? null : type.cast(beans.getReference(bean, (Type) type, beans.createCreationalContext(bean)));
        } catch (RuntimeException e) { // ambiguous, or the bean failed: say so and go on with JNDI
            log.warn("looking up a CDI bean of type {} failed: {}", type.getName(), e.toString());
            return null;
        }
    }

    private static <T> T jndi(Class<T> type, List<String> names) {
        InitialContext context;
        try {
            context = new InitialContext();
        } catch (NamingException | RuntimeException e) {
            return null;
        }
        try {
            for (String name : names) {
                try {
                    Object o = context.lookup(name);
                    if (type.isInstance(o)) {
                        return type.cast(o);
                    }
                } catch (NamingException | RuntimeException e) { // not bound, or no initial context configured (Java SE)
                    log.trace("no {} at {}: {}", type.getSimpleName(), name, e.toString());
                }
            }
            return null;
        } finally {
            try {
                context.close();
            } catch (NamingException e) {
                log.trace("closing the JNDI context failed", e);
            }
        }
    }
}
