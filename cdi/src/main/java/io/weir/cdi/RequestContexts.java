package io.weir.cdi;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JMS contexts of one request scope, one per {@link ContextKey}, created on first use and closed when the
 * scope ends.
 */
@RequestScoped
class RequestContexts {

    private static final Logger log = LoggerFactory.getLogger(RequestContexts.class);

    private final Map<ContextKey, JMSContext> contexts = new LinkedHashMap<>();
    private WeirJmsExtension extension;

    RequestContexts() { // for the client proxy
    }

    @Inject
    RequestContexts(WeirJmsExtension extension) {
        this.extension = extension;
    }

    synchronized JMSContext get(ContextKey key) {
        return contexts.computeIfAbsent(key, k -> {
            var factory = extension.factory(k.factoryName());
            return k.userName() == null ? factory.createContext(k.sessionMode())
                    : factory.createContext(k.userName(), k.password(), k.sessionMode());
        });
    }

    @PreDestroy
    synchronized void close() {
        for (Map.Entry<ContextKey, JMSContext> e : contexts.entrySet()) {
            try {
                e.getValue().close();
            } catch (JMSRuntimeException ex) {
                log.warn("closing the injected JMSContext ({}) at the end of its request scope failed", e.getKey(), ex);
            }
        }
        contexts.clear();
    }
}
