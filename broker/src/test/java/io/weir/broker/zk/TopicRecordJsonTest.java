package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.zk.TopicRecord.Reassignment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class TopicRecordJsonTest {

    @Test
    void aTopicWithoutReassignmentKeepsTheVersion1Layout() {
        TreeMap<Integer, List<Integer>> a = new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 3)));
        TopicRecord t = new TopicRecord("orders", Uuid.randomUuid(), a, Map.of(), 4);
        String json = new String(ZkStore.topicJson(t), StandardCharsets.UTF_8);
        assertThat(json).contains("\"version\":1").doesNotContain("adding_replicas");
        TopicRecord back = ZkStore.parseTopic("orders", ZkStore.topicJson(t), 4, null);
        assertThat(back).isEqualTo(t);
    }

    @Test
    void reassignmentsRoundTripInKafkasLayout() {
        TreeMap<Integer, List<Integer>> a = new TreeMap<>(Map.of(0, List.of(3, 2, 1), 1, List.of(2, 3)));
        TreeMap<Integer, Reassignment> r = new TreeMap<>(Map.of(0, new Reassignment(List.of(3), List.of(1))));
        TopicRecord t = new TopicRecord("orders", Uuid.randomUuid(), a, r, Map.of("retention.ms", "1000"), 7);
        String json = new String(ZkStore.topicJson(t), StandardCharsets.UTF_8);
        assertThat(json).contains("\"version\":2", "\"adding_replicas\":{\"0\":[3]}", "\"removing_replicas\":{\"0\":[1]}");
        byte[] config = ZkStore.toJson(Map.of("version", 1, "config", Map.of("retention.ms", "1000")));
        assertThat(ZkStore.parseTopic("orders", ZkStore.topicJson(t), 7, config)).isEqualTo(t);
    }
}
