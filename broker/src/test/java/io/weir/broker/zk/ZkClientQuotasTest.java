package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.auth.ScramCredentialStore;
import io.weir.broker.quota.ClientQuotas;
import io.weir.broker.quota.QuotaEntity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client quotas in a real (embedded) ZooKeeper: Kafka's paths and names (URL-encoded, {@code <default>}),
 * a user's znode shared with its SCRAM credentials without either losing the other's keys, and a second
 * broker's watched copy following every change.
 */
@Timeout(60)
class ZkClientQuotasTest {
    @TempDir
    Path dir;

    @Test
    void pathsAreKafkasAndNamesRoundTrip() {
        QuotaEntity odd = new QuotaEntity("CN=a b,O=*", "app/1");
        assertThat(ZkClientQuotas.pathOf(odd)).isEqualTo("/config/users/CN%3Da%20b%2CO%3D%2A/clients/app%2F1");
        assertThat(ZkClientQuotas.entityOf(ZkClientQuotas.pathOf(odd))).isEqualTo(odd);
        assertThat(ZkClientQuotas.pathOf(QuotaEntity.client(QuotaEntity.DEFAULT))).isEqualTo("/config/clients/<default>");
        assertThat(ZkClientQuotas.pathOf(new QuotaEntity(QuotaEntity.DEFAULT, "x"))).isEqualTo("/config/users/<default>/clients/x");
        assertThat(ZkClientQuotas.entityOf("/config/users/alice")).isEqualTo(QuotaEntity.user("alice"));
        assertThat(ZkClientQuotas.entityOf("/config/users/alice/clients")).isNull();
        assertThat(ZkClientQuotas.entityOf("/config/clients")).isNull();
        assertThat(ZkClientQuotas.entityOf("/config/topics/orders")).isNull();
    }

    @Test
    void quotasAndScramCredentialsShareTheUserAndEveryBrokerFollows() throws Exception {
        try (EmbeddedZooKeeper server = new EmbeddedZooKeeper(dir, 0, 2_000)) {
            server.start();
            try (ZkStore zkA = new ZkStore(server.connectString(), 30_000, 10_000);
                 ZkStore zkB = new ZkStore(server.connectString(), 30_000, 10_000)) {
                zkA.start(10_000);
                zkB.start(10_000);
                try (ClientQuotas a = new ClientQuotas(new ZkClientQuotas(zkA));
                     ClientQuotas b = new ClientQuotas(new ZkClientQuotas(zkB));
                     ScramCredentialStore scram = new ScramCredentialStore(new ZkUserCredentials(zkA))) {
                    a.start();
                    b.start();
                    scram.start();
                    scram.upsertPassword("alice", ScramMechanism.SCRAM_SHA_256, "secret", 4096);
                    a.alter(QuotaEntity.user("alice"), Map.of("producer_byte_rate", 1024.0), Set.of());
                    a.alter(new QuotaEntity("alice", "app"), Map.of("consumer_byte_rate", 2048.0), Set.of());
                    a.alter(QuotaEntity.client(QuotaEntity.DEFAULT), Map.of("request_percentage", 25.5), Set.of());
                    scram.upsertPassword("alice", ScramMechanism.SCRAM_SHA_512, "secret", 4096);

                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(b.snapshot().all()).isEqualTo(Map.of(
                            QuotaEntity.user("alice"), Map.of("producer_byte_rate", 1024.0),
                            new QuotaEntity("alice", "app"), Map.of("consumer_byte_rate", 2048.0),
                            QuotaEntity.client(QuotaEntity.DEFAULT), Map.of("request_percentage", 25.5))));
                    assertThat(scram.describe("alice")).containsOnlyKeys(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512);
                    String stored = new String(zkA.curator().getData().forPath("/config/users/alice"), StandardCharsets.UTF_8);
                    assertThat(stored).contains("\"producer_byte_rate\":\"1024\"", "SCRAM-SHA-256", "SCRAM-SHA-512");
                    assertThat(new String(zkA.curator().getData().forPath("/config/clients/<default>"), StandardCharsets.UTF_8))
                            .isEqualTo("{\"version\":1,\"config\":{\"request_percentage\":\"25.5\"}}");

                    b.alter(QuotaEntity.user("alice"), Map.of(), Set.of("producer_byte_rate"));
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(a.snapshot().all()).doesNotContainKey(QuotaEntity.user("alice")));
                    assertThat(scram.credential("alice", ScramMechanism.SCRAM_SHA_256)).isNotNull();
                }
            }
        }
    }
}
