package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs in a real (embedded) ZooKeeper, written by two brokers at once: versioned writes lose no
 * entry, both brokers' watched copies converge, removals are seen, change notifications are written.
 */
@Timeout(60)
class AclStoreTest {
    private static final ResourcePattern TOPIC = new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL);
    private static final ResourcePattern PREFIX = new ResourcePattern(ResourceType.GROUP, "team/", PatternType.PREFIXED);

    @TempDir
    Path dir;

    private EmbeddedZooKeeper server;

    @BeforeEach
    void start() {
        server = new EmbeddedZooKeeper(dir, 0, 2_000);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static AccessControlEntry entry(String user, AclOperation op) {
        return new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW);
    }

    @Test
    void twoBrokersWritingOnePatternLoseNothingAndBothSeeEverything() throws Exception {
        AtomicReference<List<AclBinding>> seenByA = new AtomicReference<>(List.of());
        AtomicReference<List<AclBinding>> seenByB = new AtomicReference<>(List.of());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ZkStore zkA = new ZkStore(server.connectString(), 30_000, 10_000);
             ZkStore zkB = new ZkStore(server.connectString(), 30_000, 10_000)) {
            zkA.start(10_000);
            zkB.start(10_000);
            try (AclStore a = new AclStore(zkA, seenByA::set, System::currentTimeMillis);
                 AclStore b = new AclStore(zkB, seenByB::set, System::currentTimeMillis)) {
                a.start(10_000);
                b.start(10_000);
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    AclStore store = i % 2 == 0 ? a : b;
                    AccessControlEntry e = entry("u" + i, AclOperation.READ);
                    writes.add(CompletableFuture.runAsync(() -> store.add(TOPIC, List.of(e)), pool));
                }
                CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
                b.add(PREFIX, List.of(entry("alice", AclOperation.READ), entry("alice", AclOperation.READ)));

                assertThat(a.read()).hasSize(21).contains(new AclBinding(PREFIX, entry("alice", AclOperation.READ)));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(seenByA.get()).containsExactlyInAnyOrderElementsOf(a.read());
                    assertThat(seenByB.get()).containsExactlyInAnyOrderElementsOf(a.read());
                });

                List<AccessControlEntry> removed = a.remove(TOPIC, e -> e.principal().compareTo("User:u1") >= 0
                        && e.principal().compareTo("User:u2") < 0); // u1, u10..u19
                assertThat(removed).hasSize(11);
                b.remove(PREFIX, e -> true);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(seenByB.get()).hasSize(9).allMatch(x -> x.pattern().equals(TOPIC)));
                assertThat(zkA.curator().checkExists().forPath(AclStore.path(PREFIX))).as("an emptied pattern is deleted").isNull();
                assertThat(zkA.curator().getChildren().forPath(AclStore.LITERAL_CHANGES)).isNotEmpty();
                assertThat(zkA.curator().getChildren().forPath(AclStore.EXTENDED_CHANGES)).isNotEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
