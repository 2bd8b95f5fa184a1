package io.weir.broker.log;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Broker-wide settings of the {@link LogCleaner}, with Kafka's property names.
 *
 * @param enabled             {@code log.cleaner.enable}
 * @param threads             {@code log.cleaner.threads}
 * @param ioMaxBytesPerSecond {@code log.cleaner.io.max.bytes.per.second}: read and written bytes of all threads together
 * @param dedupeBufferSize    {@code log.cleaner.dedupe.buffer.size}: memory of the offset maps, shared by the threads
 *                            (each map is allocated when its thread first cleans)
 * @param loadFactor          {@code log.cleaner.io.buffer.load.factor}: how full an offset map may get
 * @param backoffMs           {@code log.cleaner.backoff.ms}: how long a thread waits when no log needs cleaning
 */
public record CleanerConfig(boolean enabled, int threads, double ioMaxBytesPerSecond, long dedupeBufferSize,
                            double loadFactor, long backoffMs) {

    public static final String ENABLE = "log.cleaner.enable";
    public static final String THREADS = "log.cleaner.threads";
    public static final String IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String BACKOFF_MS = "log.cleaner.backoff.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Run the log cleaner for compacted topics.")
            .define(THREADS, Type.INT, 1, Range.atLeast(0), Importance.MEDIUM, "Cleaner threads.")
            .define(IO_MAX_BYTES_PER_SECOND, Type.DOUBLE, Double.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                    "I/O budget of the cleaner threads together, read plus written bytes per second.")
            .define(DEDUPE_BUFFER_SIZE, Type.LONG, 128L * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Memory for the cleaner's key maps, across all cleaner threads.")
            .define(LOAD_FACTOR, Type.DOUBLE, 0.9, Range.between(0.01, 0.99), Importance.MEDIUM,
                    "How full a key map may get.")
            .define(BACKOFF_MS, Type.LONG, 15_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Sleep of a cleaner thread when no log needs cleaning.");

    /** Parses broker properties; unknown keys are ignored. */
    public static CleanerConfig fromProperties(Map<?, ?> props) {
        AbstractConfig c = new AbstractConfig(DEF, props, false);
        return new CleanerConfig(c.getBoolean(ENABLE), c.getInt(THREADS), c.getDouble(IO_MAX_BYTES_PER_SECOND),
                c.getLong(DEDUPE_BUFFER_SIZE), c.getDouble(LOAD_FACTOR), c.getLong(BACKOFF_MS));
    }

    public static CleanerConfig defaults() {
        return fromProperties(Map.of());
    }

    /** Bytes of one thread's offset map. */
    int mapBytesPerThread() {
        return (int) Math.min(Integer.MAX_VALUE - 64, dedupeBufferSize / Math.max(1, threads));
    }
}
