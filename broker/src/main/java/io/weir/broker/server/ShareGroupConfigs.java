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
    /** Groups of the JMS provider's queues: single batches unless their config says otherwise. */
    static final String JMS_QUEUE_GROUP_PREFIX = "jms-queue.";
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
     * {@code share.isolation.level}, by default read_committed for the JMS provider's queue groups ({@code jms-queue.*}:
     * a message sent in a transacted session is delivered once it commits) and read_uncommitted (Kafka's) for others.
     */
    @Override
    public boolean readCommitted(String groupId) {
        String v = configs(groupId).get(ISOLATION_LEVEL);
        return v == null ? isQueueGroup(groupId) : "read_committed".equalsIgnoreCase(v.trim());
    }

    /**
     * Whether {@code groupId} is the share group of a JMS queue ({@code jms-queue.*}), whose defaults are the queue's:
     * start at the log start, read committed records, single batches, every partition to every member
     * (broker/SHARE-GROUPS.md). The provider needs not write them ({@link io.weir.broker.share.ShareGroupSettings#QUEUE_DEFAULTS_FEATURE}).
     */
    static boolean isQueueGroup(String groupId) {
        return groupId.startsWith(JMS_QUEUE_GROUP_PREFIX);
    }

    @Override
    public boolean singleBatch(String groupId) {
        String v = configs(groupId).get(SINGLE_BATCH);
        return v == null ? groupId.startsWith(JMS_QUEUE_GROUP_PREFIX) : "true".equalsIgnoreCase(v.trim());
    }

    @Override
    public boolean assignsEveryPartition(String groupId) {
        String v = configs(groupId).get(ASSIGNMENT);
        return v == null ? groupId.startsWith(JMS_QUEUE_GROUP_PREFIX) : "all".equalsIgnoreCase(v.trim());
    }

    /** {@code share.auto.offset.reset}, by default earliest for a JMS queue's group (a queue delivers what it holds), else latest. */
    @Override
    public boolean startsAtEarliest(String groupId) {
        String v = configs(groupId).get(AUTO_OFFSET_RESET);
        return v == null ? isQueueGroup(groupId) : "earliest".equalsIgnoreCase(v.trim());
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
