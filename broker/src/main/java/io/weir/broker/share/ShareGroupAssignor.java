package io.weir.broker.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Spreads the partitions of the subscribed topics over the members: member {@code i} (in member id
 * order) of {@code M} takes every partition {@code j} of the {@code P} partitions with
 * {@code j mod M == i}, and, when there are more members than partitions, also partition
 * {@code i mod P}, so that several members share a partition (share groups allow it) and nobody idles.
 * A member only receives partitions of topics it subscribes to. A group may instead give every member every
 * partition ({@link ShareGroupSettings#assignsEveryPartition}).
 */
public final class ShareGroupAssignor {
    private ShareGroupAssignor() {
    }

    /** A topic's id and partition count. */
    public record TopicPartitions(Uuid topicId, int partitions) {
    }

    /**
     * @param subscriptions member id → subscribed topic names
     * @param topics        topic name → id and partition count (topics that do not exist are absent)
     * @return member id → (topic id → partitions)
     */
    static Map<String, Map<Uuid, List<Integer>>> assign(Map<String, List<String>> subscriptions, Map<String, TopicPartitions> topics) {
        return assign(subscriptions, topics, false);
    }

    /**
     * @param everyPartition every member takes every partition of the topics it subscribes to
     */
    static Map<String, Map<Uuid, List<Integer>>> assign(Map<String, List<String>> subscriptions, Map<String, TopicPartitions> topics,
                                                        boolean everyPartition) {
        Map<String, Map<Uuid, List<Integer>>> result = new HashMap<>();
        subscriptions.keySet().forEach(m -> result.put(m, new TreeMap<>()));
        for (Map.Entry<String, TopicPartitions> t : new TreeMap<>(topics).entrySet()) {
            List<String> members = subscriptions.entrySet().stream().filter(e -> e.getValue().contains(t.getKey()))
                    .map(Map.Entry::getKey).sorted().toList();
            int m = members.size();
            int p = t.getValue().partitions();
            if (m == 0 || p == 0) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                List<Integer> mine = new ArrayList<>();
                for (int j = everyPartition ? 0 : i; j < p; j += everyPartition ? 1 : m) {
                    mine.add(j);
                }
                if (i >= p && !everyPartition) {
                    mine.add(i % p); // more members than partitions: this one shares a partition
                }
                result.get(members.get(i)).put(t.getValue().topicId(), mine);
            }
        }
        return result;
    }
}
