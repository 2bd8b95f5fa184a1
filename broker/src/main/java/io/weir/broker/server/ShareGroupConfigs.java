package io.weir.broker.server;

import io.weir.broker.common.Time;
import io.weir.broker.controller.TopicManager;
import io.weir.broker.share.ShareConfig;
import io.weir.broker.share.ShareGroupSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-group settings from the group configs in ZooKeeper ({@code share.auto.offset.reset},
 * {@code share.record.lock.duration.ms}, set with IncrementalAlterConfigs on a GROUP resource), falling
 * back to the broker's. Read at most once per second per group.
 *
 * <p>Thread-safe.
 */
final class ShareGroupConfigs implements ShareGroupSettings {
    static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    static final String RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    private static final long REFRESH_MS = 1000;
    private static final Logger log = LoggerFactory.getLogger(ShareGroupConfigs.class);

    private final TopicManager topics;
    private final ShareConfig config;
    private final Time time;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Map<String, String> configs, long readAt) {
    }

    ShareGroupConfigs(TopicManager topics, ShareConfig config, Time time) {
        this.topics = topics;
        this.config = config;
        this.time = time;
    }

    private Map<String, String> configs(String groupId) {
        long now = time.milliseconds();
        Cached c = cache.get(groupId);
        if (c != null && now - c.readAt() < REFRESH_MS) {
            return c.configs();
        }
        try {
            Map<String, String> read = topics.groupConfig(groupId);
            cache.put(groupId, new Cached(read, now));
            return read;
        } catch (RuntimeException e) {
            log.warn("Cannot read the configuration of group {}: {}", groupId, e.toString());
            return c == null ? Map.of() : c.configs();
        }
    }

    @Override
    public boolean startsAtEarliest(String groupId) {
        return "earliest".equalsIgnoreCase(configs(groupId).getOrDefault(AUTO_OFFSET_RESET, "latest").trim());
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
