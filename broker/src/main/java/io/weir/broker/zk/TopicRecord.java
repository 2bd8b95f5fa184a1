package io.weir.broker.zk;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic as stored in ZooKeeper: its id, its partitions with their replica lists (the first
 * replica is the preferred leader) and its configuration overrides. {@code version} is the znode
 * version of {@code /brokers/topics/<name>} it was read at (-1 for one not yet written): updates are
 * conditional on it.
 */
public record TopicRecord(String name, Uuid topicId, SortedMap<Integer, List<Integer>> assignment,
                          Map<String, String> configs, int version) {

    public int partitionCount() {
        return assignment.size();
    }
}
