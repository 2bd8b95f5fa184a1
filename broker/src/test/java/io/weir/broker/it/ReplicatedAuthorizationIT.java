package io.weir.broker.it;

import static io.weir.broker.it.AclClients.admin;
import static io.weir.broker.it.AclClients.allow;
import static io.weir.broker.it.AclClients.deny;
import static io.weir.broker.it.AclClients.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three brokers with the authorizer on and {@code allow.everyone.if.no.acl.found=true}: replication
 * (follower fetches need CLUSTER_ACTION, open while the cluster resource has no ACL) keeps every
 * replica in sync; an ACL created through one broker is enforced by every partition leader; and once
 * the cluster resource has ACLs, the brokers' principal needs CLUSTER_ACTION (granted here) to keep
 * replicating, as in Kafka.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicatedAuthorizationIT {

    @Test
    void replicationContinuesAndEveryBrokerEnforcesNewAcls() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3)
                .brokerProperty("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer")
                .brokerProperty("allow.everyone.if.no.acl.found", "true").build().start();
             Admin admin = admin(cluster.bootstrapServers())) {
            String bootstrap = cluster.bootstrapServers();
            admin.createTopics(List.of(new NewTopic("rep", 3, (short) 3).configs(Map.of("min.insync.replicas", "3")))).all().get();
            produceToEveryPartition(bootstrap, "rep");
            awaitFullIsr(admin, "rep");

            TopicDescription rep = admin.describeTopics(List.of("rep")).allTopicNames().get().get("rep");
            assertThat(rep.partitions().stream().map(p -> p.leader().id()).distinct()).as("a leader on every broker").hasSize(3);
            // DESCRIBE stays allowed: the refusal comes from each partition leader's Produce
            admin.createAcls(List.of(deny(ResourceType.TOPIC, "rep", AclOperation.WRITE),
                    allow(ResourceType.TOPIC, "rep", AclOperation.DESCRIBE))).all().get();
            try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of())) {
                for (int p = 0; p < 3; p++) { // the leaders on every broker refuse
                    int partition = p;
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("rep", partition, "k", "v")).get())
                                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class));
                }
            }

            // the cluster resource gets ACLs: the brokers (User:ANONYMOUS without SASL) need CLUSTER_ACTION
            admin.createAcls(List.of(
                    AclClients.acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:alice", AclOperation.ALTER,
                            AclPermissionType.ALLOW),
                    allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.CLUSTER_ACTION),
                    allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.CREATE),
                    allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE),
                    allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE))).all().get();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    admin.createTopics(List.of(new NewTopic("rep2", 3, (short) 3)
                            .configs(Map.of("min.insync.replicas", "3")))).all().get());
            produceToEveryPartition(bootstrap, "rep2");
            awaitFullIsr(admin, "rep2");
        }
    }

    private static void produceToEveryPartition(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i)).get();
            }
        }
    }

    private static void awaitFullIsr(Admin admin, String topic) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(d.partitions()).allSatisfy(p -> assertThat(p.isr()).hasSize(3));
        });
    }
}
