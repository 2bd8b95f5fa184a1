package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share-partition state is durable and replicated: when the leader of the data partition is killed,
 * the new leader reloads the state from {@code __share_group_state}; no accepted record is delivered
 * again, and released or still-acquired records come back with their delivery counts.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShareGroupFailoverIT {
    private static final String TOPIC = "durable-work";
    private static final String GROUP = "durable-workers";

    @Test
    void theStateSurvivesTheLeadersDeath() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            ShareGroupsIT.produce(cluster.bootstrapServers(), TOPIC, 100, "d-");

            List<Long> accepted = new ArrayList<>();
            List<Long> released = new ArrayList<>();
            List<ConsumerRecord<String, String>> held = new ArrayList<>();
            KafkaShareConsumer<String, String> first = ShareGroupsIT.consumer(cluster.bootstrapServers(), GROUP, 10);
            try {
                first.subscribe(List.of(TOPIC));
                while (accepted.size() < 35) {
                    for (ConsumerRecord<String, String> r : first.poll(Duration.ofMillis(200))) {
                        if (accepted.size() < 35) {
                            first.acknowledge(r, AcknowledgeType.ACCEPT);
                            accepted.add(r.offset());
                        } else {
                            first.acknowledge(r, AcknowledgeType.RELEASE);
                            released.add(r.offset());
                        }
                    }
                    assertThat(first.commitSync().values()).allMatch(java.util.Optional::isEmpty);
                }
                // acquire more and leave them unacknowledged when the leader dies
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (held.isEmpty() && System.nanoTime() < deadline) {
                    first.poll(Duration.ofMillis(200)).forEach(held::add);
                }
                assertThat(held).isNotEmpty();

                int leader = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC)
                        .partitions().get(0).leader().id();
                cluster.killBroker(leader);
            } finally {
                first.close(Duration.ofSeconds(5));
            }

            Map<Long, Short> redelivered = new HashMap<>();
            try (KafkaShareConsumer<String, String> second = ShareGroupsIT.consumer(cluster.bootstrapServers(), GROUP, 10)) {
                second.subscribe(List.of(TOPIC));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (redelivered.size() < 65 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : second.poll(Duration.ofMillis(200))) {
                        assertThat(redelivered.put(r.offset(), r.deliveryCount().orElse((short) -1)))
                                .as("offset %d delivered twice after the failover", r.offset()).isNull();
                        second.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    second.commitSync();
                }
            }
            assertThat(redelivered.keySet()).as("accepted records never come back").doesNotContainAnyElementsOf(accepted);
            assertThat(redelivered).as("every record not accepted before the failover").hasSize(65);
            assertThat(released).as("the batch after the 35th record was released").isNotEmpty();
            for (long offset : released) {
                assertThat(redelivered.get(offset)).as("released offset %d keeps its delivery count", offset).isGreaterThanOrEqualTo((short) 2);
            }
            for (ConsumerRecord<String, String> r : held) {
                // the acquisition's delivery is written in the background: it may or may not have been durable at the kill
                assertThat(redelivered.get(r.offset())).as("held offset %d", r.offset())
                        .isBetween(r.deliveryCount().orElseThrow(), (short) (r.deliveryCount().orElseThrow() + 1));
            }
            java.util.Set<Long> seenBefore = new java.util.HashSet<>(released);
            held.forEach(r -> seenBefore.add(r.offset()));
            redelivered.forEach((offset, count) -> {
                if (!seenBefore.contains(offset)) {
                    assertThat(count).as("offset %d was never delivered before", offset).isEqualTo((short) 1);
                }
            });
        }
    }
}
