package io.weir.broker.log;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Broker-wide settings of the {@link LogManager}, with Kafka's property names.
 *
 * @param logDirs                         {@code log.dirs} (or {@code log.dir}): one or more data directories
 * @param recoveryThreadsPerDir           {@code num.recovery.threads.per.data.dir}
 * @param retentionCheckIntervalMs        {@code log.retention.check.interval.ms}
 * @param flushCheckIntervalMs            {@code log.flush.scheduler.interval.ms}: how often {@code flush.ms} is checked
 * @param recoveryPointCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}
 * @param logStartOffsetCheckpointIntervalMs {@code log.flush.start.offset.checkpoint.interval.ms}
 * @param logDefaults                     broker-wide defaults of every partition log
 * @param cleaner                         the log cleaner's settings
 * @param producerIdExpirationMs          {@code producer.id.expiration.ms}: a partition forgets a producer without an
 *                                        open transaction that has not written for this long
 * @param producerIdExpirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}
 */
public record LogManagerConfig(List<Path> logDirs, int recoveryThreadsPerDir, long retentionCheckIntervalMs,
                               long flushCheckIntervalMs, long recoveryPointCheckpointIntervalMs,
                               long logStartOffsetCheckpointIntervalMs, LogConfig logDefaults, CleanerConfig cleaner,
                               long producerIdExpirationMs, long producerIdExpirationCheckIntervalMs) {

    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000L;
    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000L;

    /** With Kafka's producer-id expiration defaults. */
    public LogManagerConfig(List<Path> logDirs, int recoveryThreadsPerDir, long retentionCheckIntervalMs,
                            long flushCheckIntervalMs, long recoveryPointCheckpointIntervalMs,
                            long logStartOffsetCheckpointIntervalMs, LogConfig logDefaults, CleanerConfig cleaner) {
        this(logDirs, recoveryThreadsPerDir, retentionCheckIntervalMs, flushCheckIntervalMs, recoveryPointCheckpointIntervalMs,
                logStartOffsetCheckpointIntervalMs, logDefaults, cleaner, DEFAULT_PRODUCER_ID_EXPIRATION_MS,
                DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
    }

    /** With the cleaner's defaults. */
    public LogManagerConfig(List<Path> logDirs, int recoveryThreadsPerDir, long retentionCheckIntervalMs,
                            long flushCheckIntervalMs, long recoveryPointCheckpointIntervalMs,
                            long logStartOffsetCheckpointIntervalMs, LogConfig logDefaults) {
        this(logDirs, recoveryThreadsPerDir, retentionCheckIntervalMs, flushCheckIntervalMs, recoveryPointCheckpointIntervalMs,
                logStartOffsetCheckpointIntervalMs, logDefaults, CleanerConfig.defaults());
    }

    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String RECOVERY_THREADS = "num.recovery.threads.per.data.dir";
    public static final String RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String RECOVERY_POINT_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_START_CHECKPOINT_INTERVAL_MS = "log.flush.start.offset.checkpoint.interval.ms";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(LOG_DIRS, Type.STRING, null, Importance.HIGH, "Comma-separated data directories.")
            .define(LOG_DIR, Type.STRING, "/tmp/weir-logs", Importance.HIGH, "The data directory when log.dirs is unset.")
            .define(RECOVERY_THREADS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, "Threads per data directory for loading logs.")
            .define(RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often retention runs.")
            .define(FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                    "How often logs are checked against flush.ms.")
            .define(RECOVERY_POINT_CHECKPOINT_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often recovery points are checkpointed.")
            .define(LOG_START_CHECKPOINT_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often log start offsets are checkpointed.")
            .define(PRODUCER_ID_EXPIRATION_MS, Type.LONG, DEFAULT_PRODUCER_ID_EXPIRATION_MS, Range.atLeast(1), Importance.LOW,
                    "How long a partition keeps the state of a producer without an open transaction that does not write.")
            .define(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, Type.LONG, DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                    Range.atLeast(1), Importance.LOW, "How often expired producer ids are removed.");

    public LogManagerConfig {
        if (logDirs.isEmpty()) {
            throw new ConfigException(LOG_DIRS, logDirs, "at least one log directory is required");
        }
        logDirs = List.copyOf(logDirs);
    }

    /** Parses broker properties; unknown keys are ignored. */
    public static LogManagerConfig fromProperties(Map<?, ?> props) {
        AbstractConfig c = new AbstractConfig(DEF, props, false);
        String dirs = c.getString(LOG_DIRS) != null ? c.getString(LOG_DIRS) : c.getString(LOG_DIR);
        List<Path> paths = Arrays.stream(dirs.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).map(Path::toAbsolutePath).toList();
        if (paths.isEmpty()) {
            throw new ConfigException(LOG_DIRS, dirs, "at least one log directory is required");
        }
        if (paths.stream().distinct().count() != paths.size()) {
            throw new ConfigException(LOG_DIRS, dirs, "a directory is listed twice");
        }
        return new LogManagerConfig(paths, c.getInt(RECOVERY_THREADS), c.getLong(RETENTION_CHECK_INTERVAL_MS),
                c.getLong(FLUSH_SCHEDULER_INTERVAL_MS), c.getLong(RECOVERY_POINT_CHECKPOINT_INTERVAL_MS),
                c.getLong(LOG_START_CHECKPOINT_INTERVAL_MS), LogConfig.fromBrokerProperties(props),
                CleanerConfig.fromProperties(props), c.getLong(PRODUCER_ID_EXPIRATION_MS),
                c.getLong(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS));
    }

    /** Defaults with the given directories: convenient for tests and embedding. */
    public static LogManagerConfig of(List<Path> logDirs, LogConfig logDefaults) {
        return new LogManagerConfig(logDirs, 1, 300_000L, Long.MAX_VALUE, 60_000L, 60_000L, logDefaults);
    }

    /** A copy with other cleaner settings. */
    public LogManagerConfig withCleaner(CleanerConfig newCleaner) {
        return new LogManagerConfig(logDirs, recoveryThreadsPerDir, retentionCheckIntervalMs, flushCheckIntervalMs,
                recoveryPointCheckpointIntervalMs, logStartOffsetCheckpointIntervalMs, logDefaults, newCleaner,
                producerIdExpirationMs, producerIdExpirationCheckIntervalMs);
    }
}
