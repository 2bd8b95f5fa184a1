package io.weir.ra;

import io.weir.jms.JmsExceptionSupport;
import jakarta.jms.JMSException;

/**
 * Runs provider calls with the adapter's class loader as the thread's context class loader. kafka-clients loads
 * the classes named in its configuration (serializers, assignors, metrics reporters, SASL callbacks) through the
 * context class loader, and threads it starts inherit it; on an application's thread in a server that loader is
 * the deployment's, which cannot see the kafka-clients inside the .rar. Every call into the provider that may
 * create a Kafka client (connections, sessions' consumers and browsers, a producer's first send) goes through
 * here. Stateless.
 */
public final class ProviderClassLoader {

    private static final ClassLoader ADAPTER = ProviderClassLoader.class.getClassLoader();

    private ProviderClassLoader() {
    }

    /** Makes the adapter's loader the context class loader; returns the one to restore. */
    public static ClassLoader enter() {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        if (previous != ADAPTER) {
            t.setContextClassLoader(ADAPTER);
        }
        return previous;
    }

    /** Restores what {@link #enter} returned. */
    public static void exit(ClassLoader previous) {
        Thread t = Thread.currentThread();
        if (t.getContextClassLoader() != previous) {
            t.setContextClassLoader(previous);
        }
    }

    /** Runs {@code call} with the adapter's loader. */
    public static <T> T call(JmsExceptionSupport.JmsCall<T> call) throws JMSException {
        ClassLoader previous = enter();
        try {
            return call.call();
        } finally {
            exit(previous);
        }
    }

    /** Runs {@code run} with the adapter's loader. */
    public static void run(JmsExceptionSupport.JmsRun run) throws JMSException {
        ClassLoader previous = enter();
        try {
            run.run();
        } finally {
            exit(previous);
        }
    }
}
