package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.KafkaDistribution;
import io.weir.broker.testing.KafkaDistribution.Run;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's {@code kafka-acls.sh} ({@code org.apache.kafka.tools.AclCommand}), unmodified and in its own
 * JVM, adds, lists and removes ACLs on a Weir broker, including the {@code --producer} and
 * {@code --consumer} conveniences and prefixed patterns.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AclCommandIT {

    @Test
    void kafkaAclsAddsListsAndRemoves() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer")
                .brokerProperty("allow.everyone.if.no.acl.found", "true").build().start()) {
            String bootstrap = cluster.bootstrapServers();
            Run added = acls(bootstrap, "--add", "--allow-principal", "User:alice", "--operation", "Read", "--topic", "orders");
            assertThat(added.output()).contains("Adding ACLs for resource", "orders", "User:alice");
            Run producer = acls(bootstrap, "--add", "--allow-principal", "User:bob", "--producer", "--topic", "pay-",
                    "--resource-pattern-type", "prefixed");
            assertThat(producer.exitCode()).as(producer.output()).isZero();
            Run consumer = acls(bootstrap, "--add", "--allow-principal", "User:carol", "--consumer", "--topic", "orders",
                    "--group", "*");
            assertThat(consumer.exitCode()).as(consumer.output()).isZero();
            consumer = acls(bootstrap, "--add", "--deny-principal", "User:eve", "--operation", "All", "--topic", "orders");
            assertThat(consumer.exitCode()).as(consumer.output()).isZero();

            Run listed = acls(bootstrap, "--list");
            assertThat(listed.output()).contains("name=orders", "patternType=LITERAL", "principal=User:alice", "operation=READ",
                    "name=pay-", "patternType=PREFIXED", "principal=User:bob", "operation=WRITE", "operation=CREATE",
                    "principal=User:eve", "permissionType=DENY", "principal=User:carol", "resourceType=GROUP, name=*");
            Run forTopic = acls(bootstrap, "--list", "--topic", "orders");
            assertThat(forTopic.output()).contains("User:alice", "User:eve", "User:carol").doesNotContain("User:bob");

            Run removed = acls(bootstrap, "--remove", "--force", "--allow-principal", "User:alice", "--operation", "Read",
                    "--topic", "orders");
            assertThat(removed.exitCode()).as(removed.output()).isZero();
            assertThat(acls(bootstrap, "--list", "--topic", "orders").output()).doesNotContain("User:alice").contains("User:eve");
            // a bad option value is refused by the tool, a bad binding by the broker
            Run bad = acls(bootstrap, "--add", "--allow-principal", "alice", "--operation", "Read", "--topic", "orders");
            assertThat(bad.exitCode()).isNotZero();
        }
    }

    private static Run acls(String bootstrap, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap));
        all.addAll(List.of(args));
        return KafkaDistribution.runTool(Duration.ofSeconds(90), "org.apache.kafka.tools.AclCommand", all.toArray(String[]::new));
    }
}
