package io.weir.broker.server;

import io.weir.broker.common.Time;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.share.ShareConfig;
import io.weir.broker.share.RecordFilter;
import io.weir.broker.share.ShareGroupSettings;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-group settings from the group configs in ZooKeeper ({@code share.auto.offset.reset},
 * {@code share.record.lock.duration.ms}, {@code share.isolation.level}, {@code weir.share.single.batch}, {@code weir.share.assignment}, record filters; set with IncrementalAlterConfigs on a GROUP resource), falling
 * back to the broker's. Read at most once per second per group, and again when a client id the group
 * has not been seen with asks for its filter (a member that set its filter just before joining).
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
    private static final long REFRESH_MS = 1000;
    /** Client ids remembered per group (past it the memory starts again: at worst one more read per client). */
    private static final int MAX_CLIENTS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(ShareGroupConfigs.class);

    private final TopicManager topics;
    private final ShareConfig config;
    private final Time time;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Map<String, String> configs, long readAt, Map<String, RecordFilter> filters, Set<String> clients) {
        Cached(Map<String, String> configs, long readAt) {
            this(configs, readAt, new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet());
        }
    }

    ShareGroupConfigs(TopicManager topics, ShareConfig config, Time time) {
        this.topics = topics;
        this.config = config;
        this.time = time;
    }

    private Map<String, String> configs(String groupId) {
        return cached(groupId).configs();
    }

    private Cached cached(String groupId) {
        long now = time.milliseconds();
        Cached c = cache.get(groupId);
        if (c != null && now - c.readAt() < REFRESH_MS) {
            return c;
        }
        try {
            Set<String> clients = c == null || c.clients().size() > MAX_CLIENTS ? ConcurrentHashMap.newKeySet() : c.clients();
            Cached read = new Cached(topics.groupConfig(groupId), now, new ConcurrentHashMap<>(), clients);
            cache.put(groupId, read);
            return read;
        } catch (RuntimeException e) {
            log.warn("Cannot read the configuration of group {}: {}", groupId, e.toString());
            return c == null ? new Cached(Map.of(), 0) : c;
        }
    }

    private Cached reread(String groupId, Cached stale) {
        try {
            Cached read = new Cached(topics.groupConfig(groupId), time.milliseconds(), new ConcurrentHashMap<>(), stale.clients());
            cache.put(groupId, read);
            return read;
        } catch (RuntimeException e) {
            log.warn("Cannot read the configuration of group {}: {}", groupId, e.toString());
            return stale;
        }
    }

    @Override
    public RecordFilter filter(String groupId, String clientId) {
        if (clientId == null) {
            return null;
        }
        Cached c = cached(groupId);
        if (!c.clients().contains(clientId)) {
            // a client not seen since the last read (a new member) may have set its filter just before joining:
            // read again, so that its first fetch is filtered (once per new client id, not once per fetch)
            c = reread(groupId, c);
            c.clients().add(clientId);
        }
        String text = c.configs().get(FILTER_PREFIX + clientId);
        if (text == null) {
            return null;
        }
        return c.filters().computeIfAbsent(text, t -> {
            try {
                return RecordFilter.parse(t);
            } catch (IllegalArgumentException e) {
                log.warn("Group {}: ignoring the filter of client {}: {}", groupId, clientId, e.getMessage());
                return null;
            }
        });
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
