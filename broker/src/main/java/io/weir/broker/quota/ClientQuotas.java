package io.weir.broker.quota;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client quotas of the cluster: stored through a {@link ClientQuotaStorage} (ZooKeeper, Kafka's layout)
 * and cached here as an immutable {@link QuotaSnapshot}, so that the request path reads one volatile
 * field. Writes go to the storage first (conditional on the version read, retried on a race) and reach
 * every broker's cache through its watch; the writing broker applies them at once.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close}.
 */
public final class ClientQuotas implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotas.class);
    private static final int MAX_RETRIES = 10;

    private record Entry(Map<String, Double> quotas, long position) {
    }

    private final ClientQuotaStorage storage;
    private final Map<QuotaEntity, Entry> entries = new ConcurrentHashMap<>();
    private volatile QuotaSnapshot snapshot = QuotaSnapshot.EMPTY;

    /** @param storage where quotas are kept; closed with this */
    public ClientQuotas(ClientQuotaStorage storage) {
        this.storage = storage;
    }

    public void start() {
        storage.start(this::reload);
    }

    /** The quotas now: one volatile read. */
    public QuotaSnapshot snapshot() {
        return snapshot;
    }

    private void reload(QuotaEntity entity, Map<String, String> config, long position) {
        Map<String, Double> quotas = new HashMap<>();
        config.forEach((key, value) -> {
            if (QuotaKeys.ALL.contains(key)) {
                try {
                    quotas.put(key, Double.parseDouble(value));
                } catch (NumberFormatException e) {
                    log.warn("Ignoring the malformed quota {}={} of {} in ZooKeeper", key, value, entity);
                }
            }
        });
        // the watch may deliver a write after this broker's own later write was applied: keep the newest
        entries.compute(entity, (e, old) -> old != null && old.position() > position ? old : new Entry(Map.copyOf(quotas), position));
        rebuild();
    }

    private synchronized void rebuild() {
        Map<QuotaEntity, Map<String, Double>> all = new HashMap<>();
        entries.forEach((e, entry) -> {
            if (!entry.quotas().isEmpty()) {
                all.put(e, entry.quotas());
            }
        });
        snapshot = new QuotaSnapshot(all);
    }

    /**
     * Sets and removes quotas of one entity; other keys stored with it (a user's SCRAM credentials) are kept.
     *
     * @param set    keys to set, values already validated ({@link QuotaKeys#invalid})
     * @param remove keys to remove
     */
    public void alter(QuotaEntity entity, Map<String, Double> set, java.util.Set<String> remove) {
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
            ClientQuotaStorage.Stored current = storage.read(entity);
            Map<String, String> config = new HashMap<>(current.config());
            remove.forEach(config::remove);
            set.forEach((key, value) -> config.put(key, format(key, value)));
            if (config.equals(current.config())) {
                return;
            }
            long position = storage.write(entity, config, current.version());
            if (position >= 0) {
                reload(entity, config, position); // at once here; other brokers hear it through their watch
                return;
            }
        }
        throw new IllegalStateException("The configuration of " + entity + " kept changing; gave up after " + MAX_RETRIES
                + " attempts");
    }

    /** Byte rates as whole numbers (as Kafka's tools write them), the others as decimals. */
    private static String format(String key, double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    @Override
    public void close() {
        storage.close();
    }
}
