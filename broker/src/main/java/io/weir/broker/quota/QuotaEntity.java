package io.weir.broker.quota;

/**
 * What a client quota applies to, as Kafka names it: a user, a client id, or a user and a client id.
 * Each part is absent ({@code null}), {@link #DEFAULT} (the default entity, {@code <default>} in
 * ZooKeeper and in Kafka's tools) or a name. Immutable.
 *
 * <p>A user or client id literally named {@code <default>} cannot be told from the default here, as in
 * the names Kafka's tools print.
 *
 * @param user     the user (principal name), {@link #DEFAULT}, or null
 * @param clientId the client id, {@link #DEFAULT}, or null
 */
public record QuotaEntity(String user, String clientId) {
    /** The default entity of its type. */
    public static final String DEFAULT = "<default>";

    public QuotaEntity {
        if (user == null && clientId == null) {
            throw new IllegalArgumentException("A quota entity names a user, a client id, or both");
        }
    }

    public static QuotaEntity user(String user) {
        return new QuotaEntity(user, null);
    }

    public static QuotaEntity client(String clientId) {
        return new QuotaEntity(null, clientId);
    }

    @Override
    public String toString() {
        return (user == null ? "" : "user=" + user) + (user != null && clientId != null ? "," : "")
                + (clientId == null ? "" : "client-id=" + clientId);
    }
}
