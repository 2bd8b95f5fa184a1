package io.weir.broker.it;

import static io.weir.broker.it.AclClients.admin;
import static io.weir.broker.it.AclClients.consumer;
import static io.weir.broker.it.AclClients.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker that allows nothing without an ACL ({@code allow.everyone.if.no.acl.found=false}, no super
 * users), with ACLs written straight into ZooKeeper in Kafka's ZooKeeper-mode layout and JSON, as
 * Kafka's own tools wrote them: the broker picks them up from its watch, and every operation outside
 * them is refused with Kafka's error (topics, groups, transactional ids, cluster operations, ACL
 * management itself).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClosedAuthorizationIT {

    @Test
    void onlyWhatTheAclsAllowIsAllowed() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer").build().start();
             CuratorFramework zk = CuratorFrameworkFactory.newClient(cluster.zookeeperConnect(), new RetryOneTime(500));
             Admin admin = admin(cluster.bootstrapServers())) {
            zk.start();
            assertThat(zk.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
            // nothing is allowed yet: not even describing the cluster's ACLs
            assertThatThrownBy(() -> admin.describeAcls(AclBindingFilter.ANY).values().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);

            write(zk, "/kafka-acl/Cluster/kafka-cluster", acl("Describe"));
            write(zk, "/kafka-acl-extended/prefixed/Topic/mine-", acl("All"));
            write(zk, "/kafka-acl/Group/mine-group", acl("Read"));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get()).hasSize(3));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    admin.createTopics(List.of(new NewTopic("mine-1", 1, (short) 1))).all().get());
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("other-1", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(admin.listTopics().names().get()).containsExactly("mine-1");
            // authorized operations, as Admin reports them
            assertThat(admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions()
                    .includeAuthorizedOperations(true)).authorizedOperations().get()).containsExactly(AclOperation.DESCRIBE);
            assertThat(admin.describeTopics(List.of("mine-1"), new org.apache.kafka.clients.admin.DescribeTopicsOptions()
                    .includeAuthorizedOperations(true)).allTopicNames().get().get("mine-1").authorizedOperations())
                    .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

            // ACL management needs ALTER on the cluster
            AclBinding grab = new AclBinding(new org.apache.kafka.common.resource.ResourcePattern(ResourceType.TOPIC, "*",
                    PatternType.LITERAL), new org.apache.kafka.common.acl.AccessControlEntry(AclClients.ANONYMOUS, "*",
                    AclOperation.ALL, AclPermissionType.ALLOW));
            assertThatThrownBy(() -> admin.createAcls(List.of(grab)).all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            // cluster operations
            TopicPartition tp = new TopicPartition("mine-1", 0);
            assertThatThrownBy(() -> admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(
                    List.of(0))))).all().get()).hasCauseInstanceOf(ClusterAuthorizationException.class);
            // client quotas: DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster
            org.apache.kafka.common.quota.ClientQuotaAlteration quota = new org.apache.kafka.common.quota.ClientQuotaAlteration(
                    new org.apache.kafka.common.quota.ClientQuotaEntity(Map.of("client-id", "c")),
                    List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration.Op("producer_byte_rate", 1024.0)));
            assertThatThrownBy(() -> admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.all()).entities().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> admin.alterClientQuotas(List.of(quota)).all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);

            // an idempotent producer: no IDEMPOTENT_WRITE, but WRITE on some topics (ALL on mine-*)
            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(), Map.of())) {
                assertThat(producer.send(new ProducerRecord<>("mine-1", "k", "v")).get().offset()).isZero();
            }
            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(),
                    Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "mine-tx"))) {
                assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
            }
            try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, "mine-group"))) {
                consumer.subscribe(List.of("mine-1"));
                await().atMost(Duration.ofSeconds(60)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
                consumer.commitSync();
            }
            try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, "other-group"))) {
                consumer.subscribe(List.of("mine-1"));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(GroupAuthorizationException.class);
            }
            // a group listing shows only describable groups
            assertThat(admin.listConsumerGroups().all().get()).allMatch(g -> g.groupId().equals("mine-group"));
            assertThat(admin.describeConsumerGroups(List.of("mine-group"), new org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions()
                    .includeAuthorizedOperations(true)).all().get().get("mine-group").authorizedOperations())
                    .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);

            // DESCRIBE_CONFIGS on the cluster lets quotas be described, not altered
            zk.setData().forPath("/kafka-acl/Cluster/kafka-cluster", ("{\"version\":1,\"acls\":["
                    + "{\"principal\":\"User:ANONYMOUS\",\"permissionType\":\"Allow\",\"operation\":\"Describe\",\"host\":\"*\"},"
                    + "{\"principal\":\"User:ANONYMOUS\",\"permissionType\":\"Allow\",\"operation\":\"DescribeConfigs\",\"host\":\"*\"}]}")
                    .getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.all()).entities().get()).isEmpty());
            assertThatThrownBy(() -> admin.alterClientQuotas(List.of(quota)).all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);

            // removing the topic ACL in ZooKeeper closes the topic again
            zk.delete().forPath("/kafka-acl-extended/prefixed/Topic/mine-");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get()).isEmpty());
        }
    }

    private static String acl(String operation) {
        return "{\"version\":1,\"acls\":[{\"principal\":\"User:ANONYMOUS\",\"permissionType\":\"Allow\",\"operation\":\""
                + operation + "\",\"host\":\"*\"}]}";
    }

    private static void write(CuratorFramework zk, String path, String json) throws Exception {
        zk.create().creatingParentsIfNeeded().forPath(path, json.getBytes(StandardCharsets.UTF_8));
    }
}
