package io.weir.broker.server;

import io.weir.broker.controller.TopicManager;
import io.weir.broker.group.GroupSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classic-group settings from the group configs in ZooKeeper ({@code /config/groups/<group>}, set with
 * IncrementalAlterConfigs on a GROUP resource): {@value GroupSettings#INITIAL_REBALANCE_DELAY_MS}. Read afresh each
 * time, because the coordinator asks only when an empty group starts, and a client that has just set the config
 * (the JMS provider, before its subscription's first member joins) must find it. A value that cannot be read or
 * parsed falls back to the broker's, with a log line.
 *
 * <p>Thread-safe.
 */
final class ClassicGroupConfigs implements GroupSettings {
    private static final Logger log = LoggerFactory.getLogger(ClassicGroupConfigs.class);

    private final TopicManager topics;

    ClassicGroupConfigs(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public int initialRebalanceDelayMs(String groupId, int brokerDefaultMs) {
        String value;
        try {
            value = topics.groupConfigCurrent(groupId).get(INITIAL_REBALANCE_DELAY_MS); // set just before the first join
        } catch (RuntimeException e) {
            log.warn("Cannot read the configuration of group {}: its first rebalance waits the broker's {} ms: {}", groupId,
                    brokerDefaultMs, e.toString());
            return brokerDefaultMs;
        }
        if (value == null) {
            return brokerDefaultMs;
        }
        try {
            return GroupSettings.parseInitialRebalanceDelayMs(value);
        } catch (IllegalArgumentException e) {
            log.warn("Group {}: ignoring {}; its first rebalance waits the broker's {} ms", groupId, e.getMessage(), brokerDefaultMs);
            return brokerDefaultMs;
        }
    }
}
