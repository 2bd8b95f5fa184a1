package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.BrokerConfig;
import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.KafkaDistribution;
import io.weir.broker.testing.KafkaDistribution.Run;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.PreferredLeaderNotAvailableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leader elections on request (ElectLeaders): Kafka's own kafka-leader-election tool moves every
 * partition back to its preferred replica, the Admin API reports partitions that need no election,
 * unknown ones, and a preferred replica that cannot lead; and an unclean election brings an offline
 * partition (its only in-sync replica dead) back under an out-of-sync replica.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaderElectionIT {

    @Test
    void preferredAndUncleanElectionsOnRequest() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3)
                .brokerProperty(BrokerConfig.REPLICA_LAG_TIME_MAX_MS, "3000")
                .brokerProperty(BrokerConfig.AUTO_LEADER_REBALANCE, "false").build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            String bootstrap = cluster.bootstrapServers();
            admin.createTopics(List.of(new NewTopic("elect", 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> describe(admin, "elect").stream().allMatch(p -> p.isr().size() == 3));
            send(bootstrap, "elect", 3, "all");

            // a controlled restart of partition 0's preferred leader leaves its leaderships elsewhere
            int preferred = describe(admin, "elect").get(0).replicas().get(0).id();
            cluster.stopBroker(preferred);
            cluster.restartBroker(preferred);
            await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin, "elect").stream().allMatch(p -> p.isr().size() == 3));
            assertThat(describe(admin, "elect").get(0).leader().id()).as("not back by itself: no auto rebalance").isNotEqualTo(preferred);

            Run run = KafkaDistribution.runTool(Duration.ofSeconds(60), "org.apache.kafka.tools.LeaderElectionCommand",
                    "--bootstrap-server", bootstrap, "--election-type", "preferred", "--all-topic-partitions");
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("Successfully completed leader election (PREFERRED) for partitions").contains("elect-0");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(describe(admin, "elect"))
                    .allMatch(p -> p.leader() != null && p.leader().id() == p.replicas().get(0).id()));

            TopicPartition elect0 = new TopicPartition("elect", 0);
            TopicPartition missing = new TopicPartition("elect", 7);
            Map<TopicPartition, Optional<Throwable>> again = admin.electLeaders(ElectionType.PREFERRED, Set.of(elect0, missing))
                    .partitions().get(30, TimeUnit.SECONDS);
            assertThat(again.get(elect0)).containsInstanceOf(ElectionNotNeededException.class);
            assertThat(again.get(missing)).containsInstanceOf(UnknownTopicOrPartitionException.class);

            // any broker answers: one that is not the controller forwards to it
            int other = (cluster.controllerId() + 1) % cluster.size();
            try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1:" + cluster.broker(other).boundPort())) {
                ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(ElectionType.PREFERRED.value)
                        .setTimeoutMs(30_000).setTopicPartitions(new ElectLeadersRequestData.TopicPartitionsCollection(List.of(
                                new ElectLeadersRequestData.TopicPartitions().setTopic("elect").setPartitions(List.of(0))).iterator()));
                ElectLeadersResponse response = (ElectLeadersResponse) socket.call(ApiKeys.ELECT_LEADERS, (short) 2, request);
                assertThat(Errors.forCode(response.data().errorCode())).as("broker %d, not the controller", other).isEqualTo(Errors.NONE);
                assertThat(Errors.forCode(response.data().replicaElectionResults().get(0).partitionResult().get(0).errorCode()))
                        .isEqualTo(Errors.ELECTION_NOT_NEEDED);
            }

            // an offline partition: its follower fell out of the ISR, then its leader died
            admin.createTopics(List.of(new NewTopic("offline", 1, (short) 2).configs(Map.of("min.insync.replicas", "1"))))
                    .all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> describe(admin, "offline").get(0).isr().size() == 2);
            TopicPartition offline = new TopicPartition("offline", 0);
            int leader = describe(admin, "offline").get(0).leader().id();
            int follower = describe(admin, "offline").get(0).replicas().stream().mapToInt(Node::id).filter(id -> id != leader)
                    .findFirst().orElseThrow();
            assertThat(describe(admin, "offline").get(0).replicas().get(0).id()).as("the first replica leads").isEqualTo(leader);
            cluster.pauseFollowerFetching(follower, true);
            send(bootstrap, "offline", 1, "1");
            await().atMost(Duration.ofSeconds(20)).until(() -> describe(admin, "offline").get(0).isr().size() == 1);
            cluster.killBroker(leader);
            cluster.pauseFollowerFetching(follower, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Node l = describe(admin, "offline").get(0).leader();
                return l == null || l.isEmpty();
            });

            assertThat(admin.electLeaders(ElectionType.PREFERRED, Set.of(offline)).partitions().get(30, TimeUnit.SECONDS)
                    .get(offline)).as("the preferred replica is dead").containsInstanceOf(PreferredLeaderNotAvailableException.class);
            assertThat(admin.electLeaders(ElectionType.UNCLEAN, Set.of(offline)).partitions().get(30, TimeUnit.SECONDS)
                    .get(offline)).isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Node l = describe(admin, "offline").get(0).leader();
                return l != null && l.id() == follower;
            });
            send(bootstrap, "offline", 1, "all"); // writable again
            assertThat(admin.electLeaders(ElectionType.UNCLEAN, Set.of(offline)).partitions().get(30, TimeUnit.SECONDS)
                    .get(offline)).containsInstanceOf(ElectionNotNeededException.class);
        }
    }

    private static List<TopicPartitionInfo> describe(Admin admin, String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        return d.partitions();
    }

    private static void send(String bootstrap, String topic, int partitions, String acks) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k", "v-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
