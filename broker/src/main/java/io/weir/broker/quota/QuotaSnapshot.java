package io.weir.broker.quota;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every client quota the cluster has at one moment, and the lookup of the quota that binds a request.
 * Immutable.
 *
 * <p>Precedence, per quota key, as in Kafka (the first entity that sets the key wins):
 * user and client id; user and default client id; user; default user and client id; default user and
 * default client id; default user; client id; default client id. The quota is shared by what its
 * entity names: a quota set on a user binds every client id of that user together, a default quota
 * binds each user (or client id) separately.
 */
public final class QuotaSnapshot {
    public static final QuotaSnapshot EMPTY = new QuotaSnapshot(Map.of());

    private final Map<QuotaEntity, Map<String, Double>> quotas;
    private final Set<String> keys;

    QuotaSnapshot(Map<QuotaEntity, Map<String, Double>> quotas) {
        this.quotas = Map.copyOf(quotas);
        Set<String> k = new HashSet<>();
        quotas.values().forEach(m -> k.addAll(m.keySet()));
        this.keys = Set.copyOf(k);
    }

    /** Every entity with at least one quota, and its quotas. */
    public Map<QuotaEntity, Map<String, Double>> all() {
        return quotas;
    }

    /** Whether any entity sets {@code key}: when not, nothing needs measuring for it. */
    public boolean sets(String key) {
        return keys.contains(key);
    }

    /**
     * The quota on {@code key} that binds a request of {@code user} with {@code clientId}, or null.
     *
     * @param user     the principal name
     * @param clientId the client id of the request (empty when it sent none)
     */
    public Binding find(String key, String user, String clientId) {
        String d = QuotaEntity.DEFAULT;
        List<QuotaEntity> order = List.of(new QuotaEntity(user, clientId), new QuotaEntity(user, d), QuotaEntity.user(user),
                new QuotaEntity(d, clientId), new QuotaEntity(d, d), QuotaEntity.user(d),
                QuotaEntity.client(clientId), QuotaEntity.client(d));
        for (QuotaEntity e : order) {
            Map<String, Double> q = quotas.get(e);
            Double bound = q == null ? null : q.get(key);
            if (bound != null) {
                // measured per name: a default entity measures each user / client id on its own
                return new Binding(new QuotaEntity(e.user() == null ? null : user, e.clientId() == null ? null : clientId), bound);
            }
        }
        return null;
    }

    /**
     * A quota that binds.
     *
     * @param measured whose bytes are counted together (the names the binding entity covers)
     * @param bound    the limit (bytes per second for the byte rates)
     */
    public record Binding(QuotaEntity measured, double bound) {
    }
}
