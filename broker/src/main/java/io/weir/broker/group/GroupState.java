package io.weir.broker.group;

/**
 * The classic group protocol's states, with the names Kafka reports in DescribeGroups/ListGroups.
 *
 * <pre>
 * Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader's sync──▶ Stable
 *   ▲                 ▲   │ (no members left)                         │                               │
 *   └─────────────────┼───┘                                           └──── join / leave / expiry ────┘
 *                     └──────────────────────────────────────────────────────────────────────────────┘
 * Dead: the group was deleted.
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }
}
