package io.weir.broker.it;

import static io.weir.broker.it.AclClients.acl;
import static io.weir.broker.it.AclClients.admin;
import static io.weir.broker.it.AclClients.consumer;
import static io.weir.broker.it.AclClients.deny;
import static io.weir.broker.it.AclClients.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker with the ACL authorizer on and {@code allow.everyone.if.no.acl.found=true} (resources
 * without ACLs stay open, so each test closes only its own topics, groups and transactional ids):
 * Admin manages ACLs, and producers, consumers and Admin calls are denied or allowed per operation
 * with Kafka's errors. The principal is {@code User:ANONYMOUS} (PLAINTEXT); other principals are
 * covered by the authorizer's unit tests.
 */
class AuthorizationIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer")
                .brokerProperty("allow.everyone.if.no.acl.found", "true").build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void adminCreatesDescribesAndDeletesAcls() throws Exception {
        AclBinding topicRead = acl(ResourceType.TOPIC, "acl-admin-t", PatternType.LITERAL, "User:alice", AclOperation.READ,
                AclPermissionType.ALLOW);
        AclBinding groupsDenied = acl(ResourceType.GROUP, "acl-admin-", PatternType.PREFIXED, "User:bob", AclOperation.ALL,
                AclPermissionType.DENY);
        AclBinding txnWrite = acl(ResourceType.TRANSACTIONAL_ID, "acl-admin-tx", PatternType.LITERAL, "User:alice",
                AclOperation.WRITE, AclPermissionType.ALLOW);
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createAcls(List.of(topicRead, groupsDenied, txnWrite)).all().get();
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get()).contains(topicRead, groupsDenied, txnWrite);
            // MATCH finds every pattern that applies to a resource: the prefixed one for this group
            AclBindingFilter forGroup = new AclBindingFilter(new ResourcePatternFilter(ResourceType.GROUP, "acl-admin-g1",
                    PatternType.MATCH), AccessControlEntryFilter.ANY);
            assertThat(admin.describeAcls(forGroup).values().get()).containsExactly(groupsDenied);

            assertThat(admin.deleteAcls(List.of(groupsDenied.toFilter())).all().get()).containsExactly(groupsDenied);
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get()).contains(topicRead, txnWrite)
                    .doesNotContain(groupsDenied);
            AclBindingFilter alices = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:alice", null, AclOperation.ANY, AclPermissionType.ANY));
            assertThat(admin.deleteAcls(List.of(alices)).all().get()).containsExactlyInAnyOrder(topicRead, txnWrite);
            assertThat(admin.describeAcls(alices).values().get()).isEmpty();

            AclBinding badCluster = acl(ResourceType.CLUSTER, "not-the-cluster", PatternType.LITERAL, "User:alice",
                    AclOperation.ALTER, AclPermissionType.ALLOW);
            assertThatThrownBy(() -> admin.createAcls(List.of(badCluster)).all().get())
                    .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("kafka-cluster");
            AclBinding badPrincipal = acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "alice", AclOperation.READ,
                    AclPermissionType.ALLOW);
            assertThatThrownBy(() -> admin.createAcls(List.of(badPrincipal)).all().get())
                    .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("Type:name");
        }
    }

    @Test
    void malformedAclRequestsGetPreciseErrors() throws Exception {
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.bootstrapServers())) {
            var creations = new org.apache.kafka.common.message.CreateAclsRequestData();
            // an unknown resource type code, ANY as an operation, an empty host, and one good binding last
            for (byte[] codes : new byte[][] {{99, 3, 3}, {2, 1, 3}, {2, 3, 3}}) {
                creations.creations().add(new org.apache.kafka.common.message.CreateAclsRequestData.AclCreation()
                        .setResourceType(codes[0]).setResourceName("raw-acl").setResourcePatternType((byte) 3)
                        .setPrincipal("User:raw").setHost(codes[1] == 1 ? "*" : "").setOperation(codes[1]).setPermissionType(codes[2]));
            }
            creations.creations().add(new org.apache.kafka.common.message.CreateAclsRequestData.AclCreation()
                    .setResourceType((byte) 2).setResourceName("raw-acl").setResourcePatternType((byte) 3)
                    .setPrincipal("User:raw").setHost("*").setOperation((byte) 3).setPermissionType((byte) 3));
            var created = (org.apache.kafka.common.requests.CreateAclsResponse) client.send(
                    org.apache.kafka.common.protocol.ApiKeys.CREATE_ACLS, (short) 3, creations);
            assertThat(created.results()).extracting(r -> org.apache.kafka.common.protocol.Errors.forCode(r.errorCode()))
                    .containsExactly(org.apache.kafka.common.protocol.Errors.INVALID_REQUEST,
                            org.apache.kafka.common.protocol.Errors.INVALID_REQUEST,
                            org.apache.kafka.common.protocol.Errors.INVALID_REQUEST,
                            org.apache.kafka.common.protocol.Errors.NONE);
            assertThat(created.results().get(0).errorMessage()).contains("UNKNOWN");
            assertThat(created.results().get(1).errorMessage()).contains("ANY");
            assertThat(created.results().get(2).errorMessage()).contains("Host");
        }
        try (Admin admin = admin(cluster.bootstrapServers())) {
            AclBindingFilter raw = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:raw", null, AclOperation.ANY, AclPermissionType.ANY));
            assertThat(admin.deleteAcls(List.of(raw)).all().get()).hasSize(1);
        }
    }

    @Test
    void produceAndConsumeAreDecidedPerTopic() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("pc-open", 1, (short) 1), new NewTopic("pc-shut", 1, (short) 1))).all().get();
            // DESCRIBE stays allowed, so the refusals come from Produce and Fetch themselves (not from Metadata)
            admin.createAcls(List.of(deny(ResourceType.TOPIC, "pc-shut", AclOperation.WRITE),
                    deny(ResourceType.TOPIC, "pc-shut", AclOperation.READ),
                    AclClients.allow(ResourceType.TOPIC, "pc-shut", AclOperation.DESCRIBE))).all().get();
        }
        try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 50))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                // one batch for both topics: the open one is written, the closed one refused
                Future<RecordMetadata> open = producer.send(new ProducerRecord<>("pc-open", "k", "v"));
                Future<RecordMetadata> shut = producer.send(new ProducerRecord<>("pc-shut", "k", "v"));
                assertThatThrownBy(shut::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
                assertThat(open.get().offset()).isGreaterThanOrEqualTo(0);
            });
        }
        try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(new TopicPartition("pc-shut", 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class)
                    .satisfies(e -> assertThat(((TopicAuthorizationException) e).unauthorizedTopics()).contains("pc-shut"));
        }
        try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(new TopicPartition("pc-open", 0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
        }
        // the deny removed, the topic opens again
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.deleteAcls(List.of(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, "pc-shut", PatternType.LITERAL),
                    AccessControlEntryFilter.ANY))).all().get();
        }
        try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(), Map.of())) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> producer.send(new ProducerRecord<>("pc-shut", "k", "v")).get().offset() >= 0);
        }
    }

    @Test
    void readDeniedDuringAnIncrementalFetchSessionStopsTheConsumer() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("fs-acl", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(), Map.of());
             KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(), Map.of())) {
            producer.send(new ProducerRecord<>("fs-acl", "k", "before")).get();
            consumer.assign(List.of(new TopicPartition("fs-acl", 0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
            for (int i = 0; i < 3; i++) {
                assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty(); // the fetch naming the new position goes out
            }
            try (Admin admin = admin(cluster.bootstrapServers())) {
                admin.createAcls(List.of(deny(ResourceType.TOPIC, "fs-acl", AclOperation.READ),
                        AclClients.allow(ResourceType.TOPIC, "fs-acl", AclOperation.DESCRIBE))).all().get();
            }
            // nothing new to read, so the consumer's incremental fetches never name the partition again: only the
            // broker's check of its session's partitions can refuse it
            List<String> readAfterDeny = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(
                    () -> consumer.poll(Duration.ofMillis(200)).forEach(r -> readAfterDeny.add(r.value())))
                    .isInstanceOf(TopicAuthorizationException.class));
            assertThat(readAfterDeny).isEmpty();
        }
    }

    @Test
    void topicsOfOthersAreHiddenAndTheirConfigsClosed() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("md-bobs", 1, (short) 1), new NewTopic("md-mine", 1, (short) 1))).all().get();
            admin.createAcls(List.of(acl(ResourceType.TOPIC, "md-bobs", PatternType.LITERAL, "User:bob", AclOperation.ALL,
                            AclPermissionType.ALLOW))).all().get();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get()).contains("md-mine").doesNotContain("md-bobs"));
            assertThatThrownBy(() -> admin.describeTopics(List.of("md-bobs")).allTopicNames().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);


            // configs: ACLs on the topic exist (for bob), none for this principal
            ConfigResource bobs = new ConfigResource(ConfigResource.Type.TOPIC, "md-bobs");
            assertThatThrownBy(() -> admin.describeConfigs(List.of(bobs)).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(bobs, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            ConfigResource mine = new ConfigResource(ConfigResource.Type.TOPIC, "md-mine");
            admin.incrementalAlterConfigs(Map.of(mine, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "600000"),
                    AlterConfigOp.OpType.SET)))).all().get();
            assertThatThrownBy(() -> admin.deleteTopics(List.of("md-bobs")).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            admin.deleteTopics(List.of("md-mine")).all().get();
        }
    }

    @Test
    void groupsAndTransactionalIdsAreChecked() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("gt-topic", 1, (short) 1))).all().get();
            admin.createAcls(List.of(deny(ResourceType.GROUP, "gt-shut", AclOperation.READ),
                    deny(ResourceType.TRANSACTIONAL_ID, "gt-tx-shut", AclOperation.WRITE))).all().get();
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, "gt-shut"))) {
                consumer.subscribe(List.of("gt-topic"));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(GroupAuthorizationException.class);
            }
        });
        try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "gt-tx-shut"))) {
            assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
        try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "gt-tx-open"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("gt-topic", "k", "committed"));
            producer.commitTransaction();
        }
        try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "gt-open", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            consumer.subscribe(List.of("gt-topic"));
            await().atMost(Duration.ofSeconds(60)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
            consumer.commitSync();
        }
        try (Admin admin = admin(cluster.bootstrapServers())) {
            assertThat(admin.listConsumerGroups().all().get()).anyMatch(g -> g.groupId().equals("gt-open"));
            assertThatThrownBy(() -> admin.listConsumerGroupOffsets("gt-shut").partitionsToOffsetAndMetadata().get())
                    .hasCauseInstanceOf(GroupAuthorizationException.class);
            assertThat(admin.listConsumerGroupOffsets("gt-open").partitionsToOffsetAndMetadata().get())
                    .containsKey(new TopicPartition("gt-topic", 0));
        }
    }

    @Test
    void aTransactionalShareAcknowledgementNeedsWriteOnItsTransactionalId() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createAcls(List.of(deny(ResourceType.TRANSACTIONAL_ID, "sa-tx-shut", AclOperation.WRITE))).all().get();
        }
        org.apache.kafka.common.message.ShareAcknowledgeRequestData d = new org.apache.kafka.common.message.ShareAcknowledgeRequestData()
                .setGroupId("sa-group").setMemberId(org.apache.kafka.common.Uuid.randomUuid().toString()).setShareSessionEpoch(1);
        d.unknownTaggedFields().add(new org.apache.kafka.common.protocol.types.RawTaggedField(io.weir.broker.share.TxnAck.TAG,
                new io.weir.broker.share.TxnAck("sa-tx-shut", 1, (short) 0).encode()));
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ((org.apache.kafka.common.requests.ShareAcknowledgeResponse) client.send(
                    org.apache.kafka.common.protocol.ApiKeys.SHARE_ACKNOWLEDGE, (short) 1, d)).data().errorCode()
                    == org.apache.kafka.common.protocol.Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        }
    }
}
