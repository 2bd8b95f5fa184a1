package io.weir.broker.auth;

import static org.apache.kafka.common.acl.AclOperation.*;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The authorizer's decisions, as a table of ACLs, a request and the expected answer. */
class AclAuthorizerTest {
    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");
    private static final String HOST = "10.0.0.1";

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal, String host,
                                  AclOperation op, AclPermissionType perm) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, perm));
    }

    private static AclBinding allow(ResourceType type, String name, String principal, AclOperation op) {
        return acl(type, name, LITERAL, principal, "*", op, ALLOW);
    }

    private static AclBinding deny(ResourceType type, String name, String principal, AclOperation op) {
        return acl(type, name, LITERAL, principal, "*", op, DENY);
    }

    /** acls, allowEveryoneIfNoAclFound, principal, host, operation, type, name, expected. */
    static Stream<Arguments> cases() {
        return Stream.of(
                // no ACL at all: allow.everyone.if.no.acl.found decides
                Arguments.of("no ACL, closed", List.of(), false, ALICE, HOST, READ, TOPIC, "t", false),
                Arguments.of("no ACL, open", List.of(), true, ALICE, HOST, READ, TOPIC, "t", true),
                Arguments.of("an ACL on another topic does not close this one", List.of(allow(TOPIC, "other", "User:bob", READ)),
                        true, ALICE, HOST, READ, TOPIC, "t", true),
                Arguments.of("an ACL for someone else closes the topic", List.of(allow(TOPIC, "t", "User:bob", READ)),
                        true, ALICE, HOST, READ, TOPIC, "t", false),
                // literal, wildcard and prefixed patterns
                Arguments.of("literal allow", List.of(allow(TOPIC, "t", "User:alice", READ)), false, ALICE, HOST, READ, TOPIC, "t", true),
                Arguments.of("literal is exact", List.of(allow(TOPIC, "t", "User:alice", READ)), false, ALICE, HOST, READ, TOPIC, "t2", false),
                Arguments.of("wildcard resource", List.of(allow(TOPIC, "*", "User:alice", READ)), false, ALICE, HOST, READ, TOPIC, "any", true),
                Arguments.of("prefixed matches", List.of(acl(TOPIC, "pay", PREFIXED, "User:alice", "*", WRITE, ALLOW)), false,
                        ALICE, HOST, WRITE, TOPIC, "payments", true),
                Arguments.of("prefixed is a prefix only", List.of(acl(TOPIC, "pay", PREFIXED, "User:alice", "*", WRITE, ALLOW)), false,
                        ALICE, HOST, WRITE, TOPIC, "repay", false),
                Arguments.of("a literal * name under PREFIXED is a plain prefix", List.of(acl(TOPIC, "*", PREFIXED, "User:alice", "*",
                        READ, ALLOW)), false, ALICE, HOST, READ, TOPIC, "t", false),
                Arguments.of("wildcard principal", List.of(allow(TOPIC, "t", "User:*", READ)), false, BOB, HOST, READ, TOPIC, "t", true),
                // hosts
                Arguments.of("host matches", List.of(acl(TOPIC, "t", LITERAL, "User:alice", HOST, READ, ALLOW)), false,
                        ALICE, HOST, READ, TOPIC, "t", true),
                Arguments.of("other host", List.of(acl(TOPIC, "t", LITERAL, "User:alice", "10.9.9.9", READ, ALLOW)), false,
                        ALICE, HOST, READ, TOPIC, "t", false),
                // implied operations
                Arguments.of("READ implies DESCRIBE", List.of(allow(TOPIC, "t", "User:alice", READ)), false, ALICE, HOST, DESCRIBE, TOPIC, "t", true),
                Arguments.of("WRITE implies DESCRIBE", List.of(allow(TOPIC, "t", "User:alice", WRITE)), false, ALICE, HOST, DESCRIBE, TOPIC, "t", true),
                Arguments.of("DELETE implies DESCRIBE", List.of(allow(TOPIC, "t", "User:alice", DELETE)), false, ALICE, HOST, DESCRIBE, TOPIC, "t", true),
                Arguments.of("ALTER implies DESCRIBE", List.of(allow(TOPIC, "t", "User:alice", ALTER)), false, ALICE, HOST, DESCRIBE, TOPIC, "t", true),
                Arguments.of("READ does not imply WRITE", List.of(allow(TOPIC, "t", "User:alice", READ)), false, ALICE, HOST, WRITE, TOPIC, "t", false),
                Arguments.of("DESCRIBE does not imply READ", List.of(allow(TOPIC, "t", "User:alice", DESCRIBE)), false, ALICE, HOST, READ, TOPIC, "t", false),
                Arguments.of("ALTER_CONFIGS implies DESCRIBE_CONFIGS", List.of(allow(TOPIC, "t", "User:alice", ALTER_CONFIGS)), false,
                        ALICE, HOST, DESCRIBE_CONFIGS, TOPIC, "t", true),
                Arguments.of("DESCRIBE_CONFIGS does not imply ALTER_CONFIGS", List.of(allow(TOPIC, "t", "User:alice", DESCRIBE_CONFIGS)),
                        false, ALICE, HOST, ALTER_CONFIGS, TOPIC, "t", false),
                Arguments.of("ALL implies everything", List.of(allow(CLUSTER, "kafka-cluster", "User:alice", ALL)), false,
                        ALICE, HOST, CLUSTER_ACTION, CLUSTER, "kafka-cluster", true),
                // deny wins
                Arguments.of("deny beats allow", List.of(allow(TOPIC, "t", "User:alice", READ), deny(TOPIC, "t", "User:alice", READ)),
                        true, ALICE, HOST, READ, TOPIC, "t", false),
                Arguments.of("prefixed deny beats literal allow", List.of(allow(TOPIC, "payments", "User:alice", WRITE),
                        acl(TOPIC, "pay", PREFIXED, "User:alice", "*", WRITE, DENY)), false, ALICE, HOST, WRITE, TOPIC, "payments", false),
                Arguments.of("wildcard-principal deny beats allow", List.of(allow(GROUP, "g", "User:alice", READ),
                        deny(GROUP, "g", "User:*", READ)), false, ALICE, HOST, READ, GROUP, "g", false),
                Arguments.of("deny ALL denies every operation", List.of(allow(TOPIC, "t", "User:alice", READ), deny(TOPIC, "*", "User:alice", ALL)),
                        false, ALICE, HOST, READ, TOPIC, "t", false),
                Arguments.of("a deny of READ leaves DESCRIBE", List.of(allow(TOPIC, "t", "User:alice", DESCRIBE), deny(TOPIC, "t", "User:alice", READ)),
                        false, ALICE, HOST, DESCRIBE, TOPIC, "t", true),
                Arguments.of("deny on another host does not apply", List.of(allow(TOPIC, "t", "User:alice", READ),
                        acl(TOPIC, "t", LITERAL, "User:alice", "10.9.9.9", READ, DENY)), false, ALICE, HOST, READ, TOPIC, "t", true),
                // resource types are separate
                Arguments.of("a topic ACL says nothing of a group", List.of(allow(TOPIC, "g", "User:alice", READ)), false,
                        ALICE, HOST, READ, GROUP, "g", false),
                Arguments.of("transactional id", List.of(allow(TRANSACTIONAL_ID, "tx", "User:alice", WRITE)), false,
                        ALICE, HOST, WRITE, TRANSACTIONAL_ID, "tx", true),
                // super users pass everything, even a deny
                Arguments.of("super user", List.of(deny(TOPIC, "t", "User:*", ALL)), false, ADMIN, HOST, WRITE, TOPIC, "t", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, List<AclBinding> acls, boolean allowEveryone, KafkaPrincipal principal, String host,
                 AclOperation op, ResourceType type, String resource, boolean expected) {
        AclAuthorizer authorizer = new AclAuthorizer(new AuthorizerSettings(true, Set.of(ADMIN), allowEveryone));
        authorizer.update(new AclSnapshot(acls));
        assertThat(authorizer.authorize(principal, host, op, type, resource)).isEqualTo(expected);
    }

    @Test
    void disabledAllowsEverything() {
        AclAuthorizer authorizer = AclAuthorizer.disabled();
        authorizer.update(new AclSnapshot(List.of(deny(TOPIC, "*", "User:*", ALL))));
        assertThat(authorizer.enabled()).isFalse();
        assertThat(authorizer.authorize(ALICE, HOST, WRITE, TOPIC, "t")).isTrue();
    }

    @Test
    void aWriteOnSomeTopicAllowsIdempotence() {
        AclAuthorizer authorizer = new AclAuthorizer(new AuthorizerSettings(true, Set.of(), false));
        authorizer.update(new AclSnapshot(List.of(acl(TOPIC, "pay", PREFIXED, "User:alice", "*", WRITE, ALLOW))));
        assertThat(authorizer.authorizeAny(ALICE, HOST, WRITE, TOPIC)).isTrue();
        assertThat(authorizer.authorizeAny(BOB, HOST, WRITE, TOPIC)).isFalse();
        authorizer.update(new AclSnapshot(List.of(acl(TOPIC, "pay", PREFIXED, "User:alice", "*", WRITE, ALLOW),
                deny(TOPIC, "*", "User:alice", WRITE))));
        assertThat(authorizer.authorizeAny(ALICE, HOST, WRITE, TOPIC)).isFalse();
        authorizer.update(new AclSnapshot(List.of(allow(TOPIC, "t", "User:alice", WRITE), deny(TOPIC, "t", "User:alice", WRITE))));
        assertThat(authorizer.authorizeAny(ALICE, HOST, WRITE, TOPIC)).as("the only allow is shadowed by a deny").isFalse();
    }

    @Test
    void noAclOfTheTypeFollowsAllowEveryone() {
        AclAuthorizer open = new AclAuthorizer(new AuthorizerSettings(true, Set.of(), true));
        assertThat(open.authorizeAny(ALICE, HOST, WRITE, TOPIC)).isTrue();
        AclAuthorizer closed = new AclAuthorizer(new AuthorizerSettings(true, Set.of(), false));
        assertThat(closed.authorizeAny(ALICE, HOST, WRITE, TOPIC)).isFalse();
    }

    @Test
    void settingsUseKafkasNames() {
        assertThat(AuthorizerSettings.parse(Map.of()).enabled()).isFalse();
        for (String cls : List.of("kafka.security.authorizer.AclAuthorizer", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "io.weir.broker.auth.AclAuthorizer")) {
            AuthorizerSettings s = AuthorizerSettings.parse(Map.of("authorizer.class.name", cls,
                    "super.users", "User:admin; User:broker", "allow.everyone.if.no.acl.found", "true"));
            assertThat(s.enabled()).isTrue();
            assertThat(s.superUsers()).containsExactlyInAnyOrder(ADMIN, new KafkaPrincipal("User", "broker"));
            assertThat(s.allowEveryoneIfNoAclFound()).isTrue();
        }
        assertThat(AuthorizerSettings.parse(Map.of("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer"))
                .allowEveryoneIfNoAclFound()).isFalse();
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> AuthorizerSettings.parse(Map.of("authorizer.class.name", "com.example.MyAuthorizer")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("authorizer.class.name");
        assertThatThrownBy(() -> AuthorizerSettings.parse(Map.of("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer",
                "super.users", "admin"))).isInstanceOf(ConfigException.class).hasMessageContaining("super.users");
        assertThatThrownBy(() -> AuthorizerSettings.parse(Map.of("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer",
                "allow.everyone.if.no.acl.found", "yes"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("allow.everyone.if.no.acl.found");
    }
}
