package io.weir.broker.log;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Settings of one partition log. Broker-wide defaults use Kafka's broker property names
 * ({@code log.segment.bytes}, {@code log.retention.ms}, …); per-topic overrides use Kafka's topic
 * names ({@code segment.bytes}, {@code retention.ms}, …). Immutable.
 *
 * @param segmentBytes          roll the active segment before it would exceed this size
 * @param segmentMs             roll the active segment once its first batch is this old
 * @param indexIntervalBytes    bytes of log between two sparse offset-index entries
 * @param maxIndexSize          maximum size of an index file; a full index rolls the segment
 * @param retentionMs           delete whole inactive segments whose newest record is older; -1 keeps forever
 * @param retentionBytes        delete oldest inactive segments while the log is larger; -1 means no limit
 * @param flushIntervalMessages fsync after this many appended records (Kafka's default: never)
 * @param flushIntervalMs       fsync when the last fsync is older than this (Kafka's default: never)
 * @param maxMessageBytes       largest record batch accepted
 * @param timestampType         CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's
 * @param fileDeleteDelayMs     how long a deleted segment's files stay readable (in-flight zero-copy reads)
 * @param groupCommit           a durable append completes only once an fsync covers it; concurrent appends share one
 * @param cleanupPolicy         {@code delete}, {@code compact} or {@code compact,delete}: whether retention deletes
 *                              old segments, the log cleaner keeps the last record per key, or both
 * @param deleteRetentionMs     how long a tombstone (and a transaction marker) stays readable once the cleaner
 *                              has seen it
 * @param minCleanableDirtyRatio the cleaner takes a log once this share of its bytes is not yet cleaned
 * @param minCompactionLagMs    a record stays uncompacted at least this long after it was written
 * @param maxCompactionLagMs    a record is eligible for cleaning at the latest this long after it was written,
 *                              whatever the dirty ratio
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int indexIntervalBytes,
        int maxIndexSize,
        long retentionMs,
        long retentionBytes,
        long flushIntervalMessages,
        long flushIntervalMs,
        int maxMessageBytes,
        TimestampType timestampType,
        long fileDeleteDelayMs,
        boolean groupCommit,
        String cleanupPolicy,
        long deleteRetentionMs,
        double minCleanableDirtyRatio,
        long minCompactionLagMs,
        long maxCompactionLagMs) {

    public static final String SEGMENT_BYTES = "log.segment.bytes";
    public static final String ROLL_MS = "log.roll.ms";
    public static final String ROLL_HOURS = "log.roll.hours";
    public static final String INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String RETENTION_MS = "log.retention.ms";
    public static final String RETENTION_MINUTES = "log.retention.minutes";
    public static final String RETENTION_HOURS = "log.retention.hours";
    public static final String RETENTION_BYTES = "log.retention.bytes";
    public static final String FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    /** Weir's own: acknowledged writes are fsynced, one fsync covering every append in flight. */
    public static final String GROUP_COMMIT_ENABLE = "log.flush.group.commit.enable";
    public static final String CLEANUP_POLICY = "log.cleanup.policy";
    public static final String DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String POLICY_COMPACT = "compact";
    public static final String POLICY_DELETE = "delete";

    /** Broker property name → topic-level override name, where Kafka has one. */
    private static final Map<String, String> TOPIC_NAMES = Map.ofEntries(
            Map.entry(SEGMENT_BYTES, "segment.bytes"),
            Map.entry(ROLL_MS, "segment.ms"),
            Map.entry(INDEX_INTERVAL_BYTES, "index.interval.bytes"),
            Map.entry(INDEX_SIZE_MAX_BYTES, "segment.index.bytes"),
            Map.entry(RETENTION_MS, "retention.ms"),
            Map.entry(RETENTION_BYTES, "retention.bytes"),
            Map.entry(FLUSH_INTERVAL_MESSAGES, "flush.messages"),
            Map.entry(FLUSH_INTERVAL_MS, "flush.ms"),
            Map.entry(MESSAGE_MAX_BYTES, "max.message.bytes"),
            Map.entry(MESSAGE_TIMESTAMP_TYPE, "message.timestamp.type"),
            Map.entry(SEGMENT_DELETE_DELAY_MS, "file.delete.delay.ms"),
            Map.entry(GROUP_COMMIT_ENABLE, "group.commit.enable"),
            Map.entry(CLEANUP_POLICY, "cleanup.policy"),
            Map.entry(DELETE_RETENTION_MS, "delete.retention.ms"),
            Map.entry(MIN_CLEANABLE_RATIO, "min.cleanable.dirty.ratio"),
            Map.entry(MIN_COMPACTION_LAG_MS, "min.compaction.lag.ms"),
            Map.entry(MAX_COMPACTION_LAG_MS, "max.compaction.lag.ms"));

    private static final long HOUR_MS = 60L * 60 * 1000;

    /** The topic-level names of the settings a topic may override, mapped to their broker-level names. */
    public static Map<String, String> topicToBrokerNames() {
        Map<String, String> m = new HashMap<>();
        TOPIC_NAMES.forEach((broker, topic) -> m.put(topic, broker));
        return m;
    }

    static final ConfigDef BROKER_DEF = new ConfigDef()
            .define(SEGMENT_BYTES, Type.INT, 1024 * 1024 * 1024, Range.atLeast(1024), Importance.HIGH,
                    "Maximum size of one segment file.")
            .define(ROLL_MS, Type.LONG, null, Importance.MEDIUM, "Maximum age of the active segment; overrides log.roll.hours.")
            .define(ROLL_HOURS, Type.INT, 24 * 7, Range.atLeast(1), Importance.HIGH, "Maximum age of the active segment in hours.")
            .define(INDEX_INTERVAL_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.MEDIUM,
                    "Bytes of log between two offset-index entries.")
            .define(INDEX_SIZE_MAX_BYTES, Type.INT, 10 * 1024 * 1024, Range.atLeast(4096), Importance.MEDIUM,
                    "Maximum size of an offset or time index file.")
            .define(RETENTION_MS, Type.LONG, null, Importance.HIGH, "Time retention in ms (-1: unlimited); overrides minutes and hours.")
            .define(RETENTION_MINUTES, Type.INT, null, Importance.HIGH, "Time retention in minutes; overrides hours.")
            .define(RETENTION_HOURS, Type.INT, 24 * 7, Importance.HIGH, "Time retention in hours.")
            .define(RETENTION_BYTES, Type.LONG, -1L, Importance.HIGH, "Size retention per partition (-1: unlimited).")
            .define(FLUSH_INTERVAL_MESSAGES, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.HIGH,
                    "fsync after this many records.")
            .define(FLUSH_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.HIGH,
                    "fsync when the last one is older than this.")
            .define(MESSAGE_MAX_BYTES, Type.INT, 1024 * 1024 + 12, Range.atLeast(0), Importance.HIGH,
                    "Largest record batch accepted.")
            .define(MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", ValidString.in("CreateTime", "LogAppendTime"),
                    Importance.MEDIUM, "CreateTime or LogAppendTime.")
            .define(SEGMENT_DELETE_DELAY_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                    "How long deleted segment files stay readable.")
            .define(GROUP_COMMIT_ENABLE, Type.BOOLEAN, false, Importance.HIGH,
                    "Acknowledge a write only once an fsync covers it; concurrent writes share one fsync.")
            .define(CLEANUP_POLICY, Type.LIST, POLICY_DELETE, ConfigDef.ValidList.in(POLICY_COMPACT, POLICY_DELETE),
                    Importance.MEDIUM, "delete, compact, or both (comma-separated).")
            .define(DELETE_RETENTION_MS, Type.LONG, 24 * HOUR_MS, Range.atLeast(0), Importance.MEDIUM,
                    "How long tombstones stay readable once the cleaner has seen them.")
            .define(MIN_CLEANABLE_RATIO, Type.DOUBLE, 0.5, Range.between(0, 1), Importance.MEDIUM,
                    "Dirty share of a log's bytes at which the cleaner takes it.")
            .define(MIN_COMPACTION_LAG_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "Minimum age of a record before it may be compacted.")
            .define(MAX_COMPACTION_LAG_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                    "Maximum age of an uncompacted record; the log is cleaned then whatever its dirty ratio.");

    public LogConfig {
        if (segmentBytes < 1024) {
            throw new ConfigException(SEGMENT_BYTES, segmentBytes, "must be at least 1024");
        }
        if (maxIndexSize < 4096) {
            throw new ConfigException(INDEX_SIZE_MAX_BYTES, maxIndexSize, "must be at least 4096");
        }
        if (retentionMs < -1) {
            throw new ConfigException(RETENTION_MS, retentionMs, "must be -1 (unlimited) or at least 0");
        }
        if (retentionBytes < -1) {
            throw new ConfigException(RETENTION_BYTES, retentionBytes, "must be -1 (unlimited) or at least 0");
        }
        if (segmentMs <= 0) {
            throw new ConfigException(ROLL_MS, segmentMs, "must be positive");
        }
        if (timestampType != TimestampType.CREATE_TIME && timestampType != TimestampType.LOG_APPEND_TIME) {
            throw new ConfigException(MESSAGE_TIMESTAMP_TYPE, timestampType, "must be CreateTime or LogAppendTime");
        }
        cleanupPolicy = normalizePolicy(cleanupPolicy);
        if (maxCompactionLagMs < minCompactionLagMs) {
            throw new ConfigException(MAX_COMPACTION_LAG_MS, maxCompactionLagMs, "must not be below "
                    + MIN_COMPACTION_LAG_MS + " " + minCompactionLagMs);
        }
    }

    /** {@code delete}, {@code compact} or {@code compact,delete}, whatever the order and spacing given. */
    private static String normalizePolicy(String policy) {
        java.util.Set<String> parts = new java.util.TreeSet<>();
        for (String p : policy.split(",")) {
            String t = p.trim();
            if (!t.isEmpty()) {
                if (!t.equals(POLICY_COMPACT) && !t.equals(POLICY_DELETE)) {
                    throw new ConfigException(CLEANUP_POLICY, policy, "must be delete, compact or compact,delete");
                }
                parts.add(t);
            }
        }
        if (parts.isEmpty()) {
            throw new ConfigException(CLEANUP_POLICY, policy, "must be delete, compact or compact,delete");
        }
        return String.join(",", parts);
    }

    /** Whether the log cleaner keeps only the last record per key. */
    public boolean compact() {
        return cleanupPolicy.contains(POLICY_COMPACT);
    }

    /** Whether time and size retention delete old segments. */
    public boolean delete() {
        return cleanupPolicy.contains(POLICY_DELETE);
    }

    /** Kafka's broker defaults. */
    public static LogConfig defaults() {
        return fromBrokerProperties(Map.of());
    }

    /**
     * Parses broker-level settings; unknown keys are ignored (they belong to other layers).
     *
     * @throws ConfigException naming the key when a value is malformed or out of range
     */
    public static LogConfig fromBrokerProperties(Map<?, ?> props) {
        AbstractConfig c = new AbstractConfig(BROKER_DEF, props, false);
        Long rollMs = c.getLong(ROLL_MS);
        long segmentMs = rollMs != null ? rollMs : c.getInt(ROLL_HOURS) * HOUR_MS;
        Long retentionMsValue = c.getLong(RETENTION_MS);
        Integer retentionMinutes = c.getInt(RETENTION_MINUTES);
        long retentionMs;
        if (retentionMsValue != null) {
            retentionMs = retentionMsValue;
        } else if (retentionMinutes != null) {
            retentionMs = retentionMinutes < 0 ? -1 : retentionMinutes * 60_000L;
        } else {
            int hours = c.getInt(RETENTION_HOURS);
            retentionMs = hours < 0 ? -1 : hours * HOUR_MS;
        }
        return new LogConfig(
                c.getInt(SEGMENT_BYTES),
                segmentMs,
                c.getInt(INDEX_INTERVAL_BYTES),
                c.getInt(INDEX_SIZE_MAX_BYTES),
                retentionMs,
                c.getLong(RETENTION_BYTES),
                c.getLong(FLUSH_INTERVAL_MESSAGES),
                c.getLong(FLUSH_INTERVAL_MS),
                c.getInt(MESSAGE_MAX_BYTES),
                TimestampType.forName(c.getString(MESSAGE_TIMESTAMP_TYPE)),
                c.getLong(SEGMENT_DELETE_DELAY_MS),
                c.getBoolean(GROUP_COMMIT_ENABLE),
                String.join(",", c.getList(CLEANUP_POLICY)),
                c.getLong(DELETE_RETENTION_MS),
                c.getDouble(MIN_CLEANABLE_RATIO),
                c.getLong(MIN_COMPACTION_LAG_MS),
                c.getLong(MAX_COMPACTION_LAG_MS));
    }

    /**
     * This configuration with topic-level overrides ({@code segment.bytes}, {@code retention.ms}, …) applied.
     *
     * @throws ConfigException naming the topic-level key when a value is malformed
     */
    public LogConfig withTopicOverrides(Map<String, String> topicConfigs) {
        if (topicConfigs.isEmpty()) {
            return this;
        }
        Map<String, Object> merged = new HashMap<>(toBrokerProperties());
        for (Map.Entry<String, String> e : TOPIC_NAMES.entrySet()) {
            String value = topicConfigs.get(e.getValue());
            if (value != null) {
                merged.put(e.getKey(), value);
            }
        }
        try {
            return fromBrokerProperties(merged);
        } catch (ConfigException e) {
            throw new ConfigException("Invalid topic configuration " + topicConfigs + ": " + e.getMessage());
        }
    }

    /** This configuration as broker properties, the inverse of {@link #fromBrokerProperties}. */
    public Map<String, Object> toBrokerProperties() {
        Map<String, Object> m = new HashMap<>();
        m.put(SEGMENT_BYTES, segmentBytes);
        m.put(ROLL_MS, segmentMs);
        m.put(INDEX_INTERVAL_BYTES, indexIntervalBytes);
        m.put(INDEX_SIZE_MAX_BYTES, maxIndexSize);
        m.put(RETENTION_MS, retentionMs);
        m.put(RETENTION_BYTES, retentionBytes);
        m.put(FLUSH_INTERVAL_MESSAGES, flushIntervalMessages);
        m.put(FLUSH_INTERVAL_MS, flushIntervalMs);
        m.put(MESSAGE_MAX_BYTES, maxMessageBytes);
        m.put(MESSAGE_TIMESTAMP_TYPE, timestampType.name);
        m.put(SEGMENT_DELETE_DELAY_MS, fileDeleteDelayMs);
        m.put(GROUP_COMMIT_ENABLE, groupCommit);
        m.put(CLEANUP_POLICY, cleanupPolicy);
        m.put(DELETE_RETENTION_MS, deleteRetentionMs);
        m.put(MIN_CLEANABLE_RATIO, minCleanableDirtyRatio);
        m.put(MIN_COMPACTION_LAG_MS, minCompactionLagMs);
        m.put(MAX_COMPACTION_LAG_MS, maxCompactionLagMs);
        return m;
    }

    /** A copy with one broker-level property changed; convenient in tests and tools. */
    public LogConfig with(String brokerProperty, Object value) {
        Map<String, Object> m = toBrokerProperties();
        if (!BROKER_DEF.names().contains(brokerProperty)) {
            throw new ConfigException(brokerProperty, value, "unknown log setting");
        }
        if (brokerProperty.equals(RETENTION_MINUTES) || brokerProperty.equals(RETENTION_HOURS)) {
            m.remove(RETENTION_MS);
        }
        if (brokerProperty.equals(ROLL_HOURS)) {
            m.remove(ROLL_MS);
        }
        m.put(brokerProperty, value);
        return fromBrokerProperties(m);
    }
}
