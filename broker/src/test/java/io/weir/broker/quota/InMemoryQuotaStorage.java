package io.weir.broker.quota;

import java.util.HashMap;
import java.util.Map;

/** Client quota storage in memory (for tests), with versions and positions as ZooKeeper gives them. Thread-safe. */
public final class InMemoryQuotaStorage implements ClientQuotaStorage {
    private final Map<QuotaEntity, Stored> stored = new HashMap<>();
    private long position;
    private Listener listener = (e, c, p) -> { };

    @Override
    public synchronized void start(Listener l) {
        this.listener = l;
        stored.forEach((e, s) -> l.changed(e, s.config(), position));
    }

    @Override
    public synchronized Stored read(QuotaEntity entity) {
        return stored.getOrDefault(entity, new Stored(Map.of(), -1));
    }

    @Override
    public synchronized long write(QuotaEntity entity, Map<String, String> config, int version) {
        if (read(entity).version() != version) {
            return -1;
        }
        stored.put(entity, new Stored(new HashMap<>(config), version + 1));
        return ++position;
    }

    /** A write made through another broker: heard through the watch. */
    public synchronized void writeElsewhere(QuotaEntity entity, Map<String, String> config) {
        stored.put(entity, new Stored(new HashMap<>(config), read(entity).version() + 1));
        listener.changed(entity, config, ++position);
    }

    @Override
    public void close() {
    }
}
