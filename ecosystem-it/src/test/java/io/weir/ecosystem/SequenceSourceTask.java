package io.weir.ecosystem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/** A task of {@link SequenceSourceConnector}: resumes after the offset Connect committed for its partition. */
public final class SequenceSourceTask extends SourceTask {
    private Map<String, Object> sourcePartition;
    private String topic;
    private int partition;
    private int batch;
    private long intervalMs;
    private long next;
    private volatile boolean stopping;

    @Override
    public String version() {
        return "1";
    }

    @Override
    public void start(Map<String, String> props) {
        partition = Integer.parseInt(props.get(SequenceSourceConnector.TASK_ID));
        topic = props.get(SequenceSourceConnector.TOPIC);
        batch = Integer.parseInt(props.getOrDefault(SequenceSourceConnector.BATCH, "10"));
        intervalMs = Long.parseLong(props.getOrDefault(SequenceSourceConnector.INTERVAL_MS, "100"));
        sourcePartition = Map.of("task", partition);
        Map<String, Object> committed = context.offsetStorageReader().offset(sourcePartition);
        next = committed == null ? 0 : ((Number) committed.get("seq")).longValue() + 1;
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        Thread.sleep(intervalMs);
        if (stopping) {
            return null;
        }
        List<SourceRecord> records = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++, next++) {
            records.add(new SourceRecord(sourcePartition, Map.of("seq", next), topic, partition,
                    Schema.STRING_SCHEMA, "task-" + partition, Schema.STRING_SCHEMA, Long.toString(next)));
        }
        return records;
    }

    @Override
    public void stop() {
        stopping = true;
    }
}
