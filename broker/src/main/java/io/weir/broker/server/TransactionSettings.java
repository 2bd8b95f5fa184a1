package io.weir.broker.server;

import io.weir.broker.txn.TransactionConfig;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The transaction coordinator's settings among the broker properties, with Kafka's names and defaults. */
final class TransactionSettings {
    static final String STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    static final String STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    static final String STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    static final String STATE_LOG_SEGMENT_BYTES = "transaction.state.log.segment.bytes";
    static final String MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    static final String ABORT_TIMED_OUT_INTERVAL_MS = "transaction.abort.timed.out.transaction.cleanup.interval.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(STATE_LOG_NUM_PARTITIONS, Type.INT, 50, Range.between(1, 1000), Importance.HIGH,
                    "Partitions of __transaction_state (fixed once the topic exists).")
            .define(STATE_LOG_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.atLeast(1), Importance.HIGH,
                    "Replication factor of __transaction_state (capped by the live brokers).")
            .define(STATE_LOG_MIN_ISR, Type.INT, 2, Range.atLeast(1), Importance.HIGH,
                    "min.insync.replicas of __transaction_state (capped by its replication factor).")
            .define(STATE_LOG_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Segment size of __transaction_state; a partition is compacted past twice this.")
            .define(MAX_TIMEOUT_MS, Type.INT, 900_000, Range.atLeast(1), Importance.HIGH,
                    "Largest transaction.timeout.ms a producer may ask for.")
            .define(ABORT_TIMED_OUT_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often the coordinator looks for transactions open longer than their timeout, and aborts them.");

    private TransactionSettings() {
    }

    /**
     * @param requestTimeoutMs how long the coordinator waits for another broker to answer WriteTxnMarkers
     * @throws org.apache.kafka.common.config.ConfigException when a value is invalid
     */
    static TransactionConfig parse(Map<String, String> props, int requestTimeoutMs) {
        AbstractConfig c = new AbstractConfig(DEF, props, false);
        return new TransactionConfig(c.getInt(STATE_LOG_NUM_PARTITIONS), c.getShort(STATE_LOG_REPLICATION_FACTOR),
                c.getInt(STATE_LOG_MIN_ISR), c.getInt(STATE_LOG_SEGMENT_BYTES), c.getInt(MAX_TIMEOUT_MS),
                c.getLong(ABORT_TIMED_OUT_INTERVAL_MS), 100, requestTimeoutMs);
    }
}
