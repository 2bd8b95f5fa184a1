package io.weir.ecosystem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * A source connector of the Connect tests: {@code tasks.max} tasks, task {@code i} writes the sequence
 * 0, 1, 2, … to partition {@code i} of {@code topic} (value = the sequence number, key = the task),
 * {@code batch} records every {@code interval.ms}. Its source offset is the last number written, so a task
 * moved to another worker goes on from the committed offset: a gap in a partition is a lost record, a
 * repeated number a duplicate. Declares exactly-once support (its offsets are exact and its poll boundaries
 * are transaction boundaries).
 */
public final class SequenceSourceConnector extends SourceConnector {
    static final String TOPIC = "topic";
    static final String BATCH = "batch";
    static final String INTERVAL_MS = "interval.ms";
    static final String TASK_ID = "task.id";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "topic written to; task i writes partition i")
            .define(BATCH, ConfigDef.Type.INT, 10, ConfigDef.Importance.LOW, "records per poll")
            .define(INTERVAL_MS, ConfigDef.Type.LONG, 100L, ConfigDef.Importance.LOW, "pause before each poll");

    private Map<String, String> props;

    @Override
    public String version() {
        return "1";
    }

    @Override
    public void start(Map<String, String> props) {
        CONFIG.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return SequenceSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> c = new java.util.HashMap<>(props);
            c.put(TASK_ID, String.valueOf(i));
            configs.add(c);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }
}
