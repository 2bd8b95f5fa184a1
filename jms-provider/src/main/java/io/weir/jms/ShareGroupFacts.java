package io.weir.jms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the connections of one factory learnt about the brokers' share groups, so that each new connection does not
 * ask again: whether the brokers at a bootstrap address serve share groups ({@code queueMode=auto}), and which
 * queues' share groups were given their group configurations ({@link ShareQueues#prepare}). Entries are trusted for
 * {@link #TRUST_MS}, then asked again (a broker may have been upgraded, a group deleted). Thread-safe.
 */
final class ShareGroupFacts {

    /** How long a fact is trusted. */
    static final long TRUST_MS = 60_000;

    private record Fact<T>(T value, long learntAt) {
    }

    private final LongSupplier clock;
    private final Map<String, Fact<QueueMode>> modes = new ConcurrentHashMap<>();
    private final Map<String, Fact<Boolean>> prepared = new ConcurrentHashMap<>();
    private final Map<String, Fact<Boolean>> queueDefaults = new ConcurrentHashMap<>();
    private final Map<String, Fact<Boolean>> topics = new ConcurrentHashMap<>();
    private final Map<String, io.weir.jms.client.TopicLayouts> layouts = new ConcurrentHashMap<>();
    /** The one broker of a single-broker cluster, by bootstrap servers ({@code host:port}). */
    private final Map<String, Fact<String>> singleBroker = new ConcurrentHashMap<>();

    ShareGroupFacts(LongSupplier clock) {
        this.clock = clock;
    }

    /** The queue mode {@code queueMode=auto} resolved to for these brokers, or null when unknown or stale. */
    QueueMode mode(String bootstrapServers) {
        return fresh(modes.get(bootstrapServers));
    }

    void mode(String bootstrapServers, QueueMode mode) {
        modes.put(bootstrapServers, new Fact<>(mode, clock.getAsLong()));
    }

    /** Whether the share group's configurations were set recently through these brokers. */
    boolean prepared(String bootstrapServers, String group) {
        return known(prepared, bootstrapServers, group);
    }

    void prepared(String bootstrapServers, String group, boolean done) {
        remember(prepared, bootstrapServers, group, done);
    }

    /**
     * Whether the brokers at this address were seen recently to give JMS queues' share groups the queue's settings by
     * default (a Weir broker), so that {@link ShareQueues#prepare} need not write them.
     */
    boolean queueDefaults(String bootstrapServers) {
        return Boolean.TRUE.equals(fresh(queueDefaults.get(bootstrapServers)));
    }

    void queueDefaults(String bootstrapServers, boolean served) {
        queueDefaults.put(bootstrapServers, new Fact<>(served, clock.getAsLong()));
    }

    /**
     * Whether a connection of this factory created the topic of a destination, or found it existing, recently: the
     * factory's other connections then do not ask the brokers again (a new connection's first admin request costs
     * several round trips). A topic deleted meanwhile by someone else is created again by the next send (the brokers'
     * {@code auto.create.topics.enable}, on in Weir's shipped configuration) or named in the send's error.
     */
    boolean topicExists(String bootstrapServers, String topic) {
        return known(topics, bootstrapServers, topic);
    }

    void topicExists(String bootstrapServers, String topic, boolean exists) {
        remember(topics, bootstrapServers, topic, exists);
    }

    /** Where the partitions of queues read through these brokers are ({@link io.weir.jms.client.TopicLayouts}). */
    io.weir.jms.client.TopicLayouts layouts(String bootstrapServers) {
        return layouts.computeIfAbsent(bootstrapServers, b -> new io.weir.jms.client.TopicLayouts(clock));
    }

    /**
     * The address ({@code host:port}) of the only broker of the cluster at these bootstrap servers, or null when the
     * cluster has several or it is not known: a topic created there is led by that broker.
     */
    String singleBroker(String bootstrapServers) {
        return fresh(singleBroker.get(bootstrapServers));
    }

    void singleBroker(String bootstrapServers, String address) {
        if (address == null) {
            singleBroker.remove(bootstrapServers);
        } else {
            singleBroker.put(bootstrapServers, new Fact<>(address, clock.getAsLong()));
        }
    }

    /** Groups or topics remembered at most, each kind (per factory). */
    private static final int MAX_NAMES = 10_000;

    private boolean known(Map<String, Fact<Boolean>> facts, String bootstrapServers, String name) {
        return Boolean.TRUE.equals(fresh(facts.get(bootstrapServers + "\u0000" + name)));
    }

    private void remember(Map<String, Fact<Boolean>> facts, String bootstrapServers, String name, boolean yes) {
        String key = bootstrapServers + "\u0000" + name;
        if (!yes) {
            facts.remove(key);
            return;
        }
        if (facts.size() > MAX_NAMES) {
            facts.clear(); // a factory used for very many destinations: forget them all, ask again
        }
        facts.put(key, new Fact<>(true, clock.getAsLong()));
    }
    private <T> T fresh(Fact<T> fact) {
        return fact != null && clock.getAsLong() - fact.learntAt() < TRUST_MS ? fact.value() : null;
    }
}
