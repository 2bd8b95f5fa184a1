package io.weir.broker.controller;

import io.weir.broker.zk.BrokerRegistration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The broker's view of the cluster, served to clients in Metadata responses: live brokers and every
 * topic with its partitions' leaders. Clients never read ZooKeeper themselves; they ask brokers.
 * Thread-safe: entries are immutable values in concurrent maps, replaced whole.
 */
public final class ClusterMetadata {
    private final String clusterId;
    private volatile int controllerId;
    private final Map<Integer, BrokerRegistration> brokers = new ConcurrentHashMap<>();
    private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();

    public ClusterMetadata(String clusterId, int controllerId) {
        this.clusterId = clusterId;
        this.controllerId = controllerId;
    }

    public String clusterId() {
        return clusterId;
    }

    /** The active controller, as last seen in ZooKeeper (this broker until one is known). */
    public int controllerId() {
        return controllerId;
    }

    public void setControllerId(int id) {
        this.controllerId = id;
    }

    private volatile BooleanSupplier current = () -> true;

    /** Tells whether this view is kept current (the broker's ZooKeeper session is live). */
    public void setCurrency(BooleanSupplier current) {
        this.current = current;
    }

    /**
     * Whether this view follows ZooKeeper now. While it does not, the controller may have moved
     * leadership away without this broker hearing of it.
     */
    public boolean isCurrent() {
        return current.getAsBoolean();
    }

    public void setBrokers(List<BrokerRegistration> live) {
        brokers.keySet().retainAll(live.stream().map(BrokerRegistration::id).toList());
        live.forEach(b -> brokers.put(b.id(), b));
    }

    public Collection<BrokerRegistration> brokers() {
        return List.copyOf(brokers.values());
    }

    public Optional<BrokerRegistration> broker(int id) {
        return Optional.ofNullable(brokers.get(id));
    }

    public void putTopic(TopicMetadata topic) {
        topics.put(topic.name(), topic);
    }

    public void removeTopic(String name) {
        topics.remove(name);
    }

    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Collection<TopicMetadata> topics() {
        return List.copyOf(topics.values());
    }

    public Optional<TopicMetadata> topicById(org.apache.kafka.common.Uuid id) {
        return topics.values().stream().filter(t -> t.topicId().equals(id)).findFirst();
    }
}
