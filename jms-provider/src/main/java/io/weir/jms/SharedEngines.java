package io.weir.jms;

import io.weir.jms.client.ConsumerEngine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The consumer engines (consumer-group members) shared by every JMS consumer in this JVM of one queue or shared
 * subscription (same brokers, group, topic and subscription signature). JMS expects the consumers of a queue
 * to compete for its messages message by message, while Kafka gives each member whole partitions: sharing one
 * member makes the JVM's consumers take turns (whoever asks first gets the next message), lets a selector's
 * leftovers reach the others, and means an unstarted connection's consumer never holds messages back from a
 * started one. Across processes the group's partition assignment still applies. Thread-safe.
 */
final class SharedEngines {

    private static final Map<String, Entry> ENGINES = new HashMap<>();

    private static final class Entry {
        final ConsumerEngine engine;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        Entry(Function<Runnable, ConsumerEngine> create) {
            this.engine = create.apply(() -> listeners.forEach(Runnable::run));
        }
    }

    private SharedEngines() {
    }

    /**
     * The engine for {@code key}, created with {@code create} (given the callback to run when records arrive) if
     * there is none; {@code listener} is called when records arrive until {@link #release}.
     */
    static ConsumerEngine acquire(String key, Function<Runnable, ConsumerEngine> create, Runnable listener) {
        Entry e;
        synchronized (ENGINES) {
            e = ENGINES.get(key);
            if (e == null || e.engine.isClosed()) {
                e = new Entry(create);
                ENGINES.put(key, e);
            }
            e.listeners.add(listener);
        }
        return e.engine;
    }

    /** Releases one use; closes the engine with its last user. Returns true when others still use it. */
    static boolean release(String key, Runnable listener) {
        ConsumerEngine toClose;
        synchronized (ENGINES) {
            Entry e = ENGINES.get(key);
            if (e == null) {
                return false;
            }
            e.listeners.remove(listener);
            if (!e.listeners.isEmpty()) {
                return true;
            }
            ENGINES.remove(key);
            toClose = e.engine;
        }
        toClose.close();
        return false;
    }
}
