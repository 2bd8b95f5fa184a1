package io.weir.jms.client;

import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Creates kafka-clients objects ({@code KafkaProducer}, {@code KafkaConsumer}, {@code Admin}) with kafka-clients' own
 * class loader as the thread's context class loader. kafka-clients resolves every class named in its configuration
 * (serializers, {@code metric.reporters}' default {@code JmxReporter}, ...) through the context class loader, which
 * in an application server is the calling application's: a deployment that does not itself contain kafka-clients
 * (an application using the resource adapter's connection factory) would fail with {@code ClassNotFoundException}.
 * The threads kafka-clients starts while being created inherit the same loader, not the application's. Stateless.
 */
public final class KafkaClients {

    private static final ClassLoader KAFKA = KafkaProducer.class.getClassLoader();

    private KafkaClients() {
    }

    /** Runs {@code constructor} with kafka-clients' class loader as context class loader and restores the caller's. */
    public static <T> T create(Supplier<T> constructor) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (previous == KAFKA) {
            return constructor.get();
        }
        thread.setContextClassLoader(KAFKA);
        try {
            return constructor.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
