package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A broker's registration against a real (embedded) ZooKeeper, after a kill -9 and a quick restart. */
@Timeout(60)
class BrokerRegistrationTest {
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

    @Test
    void aBrokerRestartedWithinItsSessionTimeoutReplacesTheRegistrationOfItsKilledRun() throws Exception {
        try (ZkStore setup = new ZkStore(server.connectString(), 30_000, 10_000)) {
            setup.start(10_000); // creates /brokers/ids
        }
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper killedRun = new ZooKeeper(server.connectString(), 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
            killedRun.create(ZkStore.BROKER_IDS + "/3", "{\"version\":1,\"host\":\"127.0.0.1\",\"port\":9094,\"rack\":null}"
                    .getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            try (ZkStore restarted = new ZkStore(server.connectString(), 30_000, 10_000)) {
                restarted.start(10_000);
                restarted.registerBroker(new BrokerRegistration(3, "127.0.0.1", 9095, null));
                long session = restarted.curator().getZookeeperClient().getZooKeeper().getSessionId();
                Stat stat = restarted.curator().checkExists().forPath(ZkStore.BROKER_IDS + "/3");
                assertThat(stat.getEphemeralOwner()).as("owned by the new run's session").isEqualTo(session);
                assertThat(restarted.brokers()).extracting(BrokerRegistration::port).containsExactly(9095);

                killedRun.close(); // the killed run's session ends: the registration stays
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> restarted.curator().checkExists().forPath(ZkStore.BROKER_IDS + "/3") != null);
                assertThat(restarted.brokers()).extracting(BrokerRegistration::id).containsExactly(3);
            }
        } finally {
            killedRun.close();
        }
    }
}
