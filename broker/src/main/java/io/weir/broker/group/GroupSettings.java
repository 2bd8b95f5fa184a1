package io.weir.broker.group;

/**
 * Per-group overrides of the coordinator's {@link GroupConfig}, kept as group configs (IncrementalAlterConfigs on a
 * GROUP resource). The coordinator asks only when an empty group starts its first rebalance, outside the group's
 * monitor, so an implementation may block briefly (a ZooKeeper read). Implementations are thread-safe.
 */
@FunctionalInterface
public interface GroupSettings {
    /**
     * A Weir group config: how long the first rebalance of this group, when empty, waits for more members, instead of
     * the broker's {@code group.initial.rebalance.delay.ms}. An integer of milliseconds, 0 or more. Kafka's delay
     * gathers the members of an application that starts many at once; a group known to have one member (a JMS
     * durable subscription) or whose first member should not wait (a shared subscription) sets it to 0.
     */
    String INITIAL_REBALANCE_DELAY_MS = "weir.group.initial.rebalance.delay.ms";

    /** No overrides: every group has the broker's settings. */
    GroupSettings NONE = (groupId, brokerDefaultMs) -> brokerDefaultMs;

    /** The initial rebalance delay of {@code groupId}: its group config, else {@code brokerDefaultMs}. */
    int initialRebalanceDelayMs(String groupId, int brokerDefaultMs);

    /** Parses a value of {@link #INITIAL_REBALANCE_DELAY_MS}; throws IllegalArgumentException, saying why, for a bad one. */
    static int parseInitialRebalanceDelayMs(String value) {
        try {
            int ms = Integer.parseInt(value.trim());
            if (ms >= 0) {
                return ms;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // said below
        }
        throw new IllegalArgumentException(INITIAL_REBALANCE_DELAY_MS + "=" + value + ": expected an integer of milliseconds, 0 or more");
    }
}
