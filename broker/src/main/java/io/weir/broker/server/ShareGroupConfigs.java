package io.weir.broker.server;

import io.weir.broker.controller.TopicManager;
import io.weir.broker.share.ShareConfig;
import io.weir.broker.share.RecordFilter;
import io.weir.broker.share.ShareGroupSettings;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-group settings from the group configs in ZooKeeper ({@code share.auto.offset.reset},
 * {@code share.record.lock.duration.ms}, {@code share.isolation.level}, {@code weir.share.single.batch}, {@code weir.share.assignment}, record filters; set with IncrementalAlterConfigs on a GROUP resource), falling
 * back to the broker's. Served from the broker's watched copy of ZooKeeper ({@link TopicManager#groupConfig}: no
 * ZooKeeper read on a request's path); a client id the group has not been seen with is looked up in a copy that
 * includes every change acknowledged before ({@link TopicManager#groupConfigCurrent}), so that a member that set its
 * filter just before joining has its first fetch filtered.
 *
 * <p>Thread-safe.
 */
final class ShareGroupConfigs implements ShareGroupSettings {
    static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    static final String RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    static final String ISOLATION_LEVEL = "share.isolation.level";
    static final String SINGLE_BATCH = "weir.share.single.batch";
    static final String ASSIGNMENT = "weir.share.assignment";
    /** Prefix of the Weir extension: {@code weir.share.filter.<client.id>} = a {@link RecordFilter}. */
    static final String FILTER_PREFIX = "weir.share.filter.";
    /** Client ids remembered per group, and filters parsed (past it the memory starts again: at worst one more read each). */
    private static final int MAX_REMEMBERED = 10_000;
    private static final Logger log = LoggerFactory.getLogger(ShareGroupConfigs.class);

    private final TopicManager topics;
    private final ShareConfig config;
    private final Map<String, Set<String>> clientsSeen = new ConcurrentHashMap<>();
    /** Parsed filters by their text; empty for a text that does not parse. */
    private final Map<String, Optional<RecordFilter>> filters = new ConcurrentHashMap<>();

    ShareGroupConfigs(TopicManager topics, ShareConfig config) {
        this.topics = topics;
        this.config = config;
    }

    private Map<String, String> configs(String groupId) {
        try {
            return topics.groupConfig(groupId);
        } catch (RuntimeException e) {
            log.warn("Cannot read the configuration of group {}: {}", groupId, e.toString());
            return Map.of();
        }
    }

    @Override
    public RecordFilter filter(String groupId, String clientId) {
        if (clientId == null) {
            return null;
        }
        if (clientsSeen.size() >= MAX_REMEMBERED && !clientsSeen.containsKey(groupId)) {
            clientsSeen.clear();
        }
        Set<String> seen = clientsSeen.computeIfAbsent(groupId, g -> ConcurrentHashMap.newKeySet());
        Map<String, String> configs;
        if (seen.contains(clientId)) {
            configs = configs(groupId);
        } else {
            // a client not seen before (a new member) may have set its filter just before joining: its first fetch
            // must see it (once per new client id, not once per fetch)
            try {
                configs = topics.groupConfigCurrent(groupId);
            } catch (RuntimeException e) {
                log.warn("Cannot read the configuration of group {}: {}", groupId, e.toString());
                return null; // asked again at the next fetch: the client is not remembered
            }
            if (seen.size() >= MAX_REMEMBERED) {
                seen.clear();
            }
            seen.add(clientId);
        }
        String text = configs.get(FILTER_PREFIX + clientId);
        if (text == null) {
            return null;
        }
        if (filters.size() >= MAX_REMEMBERED) {
            filters.clear();
        }
        return filters.computeIfAbsent(text, t -> {
            try {
                return Optional.of(RecordFilter.parse(t));
            } catch (IllegalArgumentException e) {
                log.warn("Group {}: ignoring the filter of client {}: {}", groupId, clientId, e.getMessage());
                return Optional.empty();
            }
        }).orElse(null);
    }

    /**
     * A group setting that is either {@code yes} or not; unset, what a JMS queue's group needs for its groups
     * ({@code jms-queue.*}, {@link ShareGroupSettings#isQueueGroup}) and Kafka's default for the others.
     */
    private boolean queueDefault(String groupId, String key, String yes) {
        String v = configs(groupId).get(key);
        return v == null ? ShareGroupSettings.isQueueGroup(groupId) : yes.equalsIgnoreCase(v.trim());
    }

    /** {@code share.isolation.level}: read_committed by default for a queue's group (a transacted send arrives once committed). */
    @Override
    public boolean readCommitted(String groupId) {
        return queueDefault(groupId, ISOLATION_LEVEL, "read_committed");
    }

    @Override
    public boolean singleBatch(String groupId) {
        return queueDefault(groupId, SINGLE_BATCH, "true");
    }

    @Override
    public boolean assignsEveryPartition(String groupId) {
        return queueDefault(groupId, ASSIGNMENT, "all");
    }

    /** {@code share.auto.offset.reset}: earliest by default for a queue's group (a queue delivers what it holds). */
    @Override
    public boolean startsAtEarliest(String groupId) {
        return queueDefault(groupId, AUTO_OFFSET_RESET, "earliest");
    }

    @Override
    public int recordLockDurationMs(String groupId) {
        String v = configs(groupId).get(RECORD_LOCK_DURATION_MS);
        if (v != null) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                log.warn("Ignoring {}={} of group {}: not a number", RECORD_LOCK_DURATION_MS, v, groupId);
            }
        }
        return config.recordLockDurationMs();
    }
}
