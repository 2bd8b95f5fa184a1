package io.weir.broker.share;

/**
 * The share-group services of one broker: the coordinator of the share groups it coordinates, the
 * share coordinator's state store for the {@code __share_group_state} partitions it leads, the
 * share-partitions of the data partitions it leads, and the share sessions of its clients.
 */
public record ShareGroups(ShareConfig config, ShareGroupCoordinator coordinator, ShareStateStore store,
                          SharePartitionManager partitions, ShareSessions sessions, RoutingSharePersister persister) {

    /** The internal topic of share-partition state (KIP-932's name, Weir's record format). */
    public static final String STATE_TOPIC = "__share_group_state";
}
