package io.weir.broker.controller;

import java.util.Map;
import java.util.SortedMap;
import org.apache.kafka.common.Uuid;

/** A topic as the broker serves it: id, configuration overrides and partition leadership. Immutable. */
public record TopicMetadata(String name, Uuid topicId, Map<String, String> configs,
                            SortedMap<Integer, PartitionState> partitions) {

    public boolean isInternal() {
        return name.startsWith("__");
    }
}
