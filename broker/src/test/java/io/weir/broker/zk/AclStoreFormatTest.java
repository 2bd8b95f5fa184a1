package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACL znodes in Kafka's ZooKeeper-mode layout and JSON. */
class AclStoreFormatTest {

    @Test
    void pathsFollowKafka() {
        assertThat(AclStore.path(new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL)))
                .isEqualTo("/kafka-acl/Topic/orders");
        assertThat(AclStore.path(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "tx", PatternType.PREFIXED)))
                .isEqualTo("/kafka-acl-extended/prefixed/TransactionalId/tx");
        assertThat(AclStore.path(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL)))
                .isEqualTo("/kafka-acl/Cluster/kafka-cluster");
        assertThat(AclStore.path(new ResourcePattern(ResourceType.DELEGATION_TOKEN, "*", PatternType.LITERAL)))
                .isEqualTo("/kafka-acl/DelegationToken/*");
    }

    @Test
    void namesWithSlashesRoundTrip() {
        ResourcePattern group = new ResourcePattern(ResourceType.GROUP, "team/a%b", PatternType.LITERAL);
        String path = AclStore.path(group);
        assertThat(path).isEqualTo("/kafka-acl/Group/team%2Fa%25b");
        assertThat(AclStore.patternOf(path, AclStore.LITERAL_ROOT, PatternType.LITERAL)).contains(group);
    }

    @Test
    void strayZnodesAreNotPatterns() {
        assertThat(AclStore.patternOf("/kafka-acl/Topic", AclStore.LITERAL_ROOT, PatternType.LITERAL)).isEqualTo(Optional.empty());
        assertThat(AclStore.patternOf("/kafka-acl/Nonsense/x", AclStore.LITERAL_ROOT, PatternType.LITERAL)).isEmpty();
    }

    @Test
    void entriesUseKafkasJson() {
        List<AccessControlEntry> entries = List.of(
                new AccessControlEntry("User:alice", "*", AclOperation.DESCRIBE_CONFIGS, AclPermissionType.ALLOW),
                new AccessControlEntry("User:bob", "10.0.0.1", AclOperation.IDEMPOTENT_WRITE, AclPermissionType.DENY));
        String json = new String(AclStore.encode(entries), StandardCharsets.UTF_8);
        assertThat(json).contains("\"version\":1")
                .contains("{\"principal\":\"User:alice\",\"permissionType\":\"Allow\",\"operation\":\"DescribeConfigs\",\"host\":\"*\"}")
                .contains("\"permissionType\":\"Deny\",\"operation\":\"IdempotentWrite\",\"host\":\"10.0.0.1\"");
        assertThat(AclStore.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(entries);
    }

    @Test
    void aclsWrittenByKafkaAreRead() {
        byte[] kafka = ("{\"version\":1,\"acls\":[{\"principal\":\"User:alice\",\"permissionType\":\"Allow\","
                + "\"operation\":\"ClusterAction\",\"host\":\"*\"}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(AclStore.decode(kafka)).containsExactly(
                new AccessControlEntry("User:alice", "*", AclOperation.CLUSTER_ACTION, AclPermissionType.ALLOW));
    }

    @Test
    void malformedAclsAreRefusedWithTheirText() {
        assertThatThrownBy(() -> AclStore.decode("{\"version\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ZkException.class).hasMessageContaining("acls");
        assertThatThrownBy(() -> AclStore.decode(("{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Maybe\","
                + "\"operation\":\"Read\",\"host\":\"*\"}]}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ZkException.class).hasMessageContaining("Maybe");
    }
}
