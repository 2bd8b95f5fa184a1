package io.weir.broker.quota;

import java.util.Map;

/**
 * Where client quotas are kept, implemented by the {@code zk} layer (Kafka's layout: {@code /config/users/<user>},
 * {@code /config/clients/<client-id>}, {@code /config/users/<user>/clients/<client-id>}). An entity's
 * config may hold other keys (a user's SCRAM credentials): writers keep what they do not own. Thread-safe.
 */
public interface ClientQuotaStorage extends AutoCloseable {

    /** An entity's whole config and the version it was read at (-1: none stored). */
    record Stored(Map<String, String> config, int version) {
    }

    /** A change heard: the entity's whole config (empty when deleted) and the position of the write that made it. */
    interface Listener {
        void changed(QuotaEntity entity, Map<String, String> config, long position);
    }

    /** Starts watching: one call per stored entity, then one per change, possibly late (the position orders them). */
    void start(Listener listener);

    Stored read(QuotaEntity entity);

    /**
     * Replaces an entity's config, conditional on {@code version} (-1: create).
     *
     * @return the position of the write, or -1 when the config changed meanwhile (re-read and retry)
     */
    long write(QuotaEntity entity, Map<String, String> config, int version);

    @Override
    void close();
}
