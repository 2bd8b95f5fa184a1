package io.weir.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller election against a real (embedded) ZooKeeper, with what a {@code kill -9} leaves
 * behind on the server until the session times out.
 */
@Timeout(60)
class ControllerElectionTest {
    private static final int SESSION_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    private EmbeddedZooKeeper server;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeEach
    void start() {
        server = new EmbeddedZooKeeper(dir, 0, 2_000);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
        server.close();
    }

    private ZkStore store() {
        ZkStore zk = new ZkStore(server.connectString(), SESSION_TIMEOUT_MS, 10_000);
        zk.start(10_000);
        toClose.push(zk);
        return zk;
    }

    private ControllerElection join(ZkStore zk, int brokerId) {
        ControllerElection election = new ControllerElection(zk, brokerId, () -> { }, () -> { });
        election.start();
        toClose.push(election);
        return election;
    }

    private static List<String> entries(ZkStore zk) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String child : zk.curator().getChildren().forPath(ZkStore.CONTROLLER_LATCH)) {
            ids.add(new String(zk.curator().getData().forPath(ZkStore.CONTROLLER_LATCH + "/" + child), StandardCharsets.UTF_8));
        }
        return ids;
    }

    /**
     * What a killed run of broker {@code brokerId} leaves on the server until its session times out: a
     * session with its election entry (named as {@link org.apache.curator.framework.recipes.leader.LeaderLatch}
     * names it), and nobody acting on it.
     */
    private void killedRun(int brokerId) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper session = new ZooKeeper(server.connectString(), SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        toClose.push(session::close);
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        session.create(ZkStore.CONTROLLER_LATCH + "/_c_" + UUID.randomUUID() + "-latch-",
                String.valueOf(brokerId).getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    }

    /**
     * Broker 3 was killed and restarts within its session timeout; its killed run's entry is queued
     * between the controller's (broker 1) and broker 2's. When the controller goes, broker 2 must take
     * over at once, not after the dead entry's session expires.
     */
    @Test
    void aRestartedBrokerRemovesTheEntryOfItsKilledRunSoThatTheElectionMovesOnAtOnce() throws Exception {
        ZkStore first = store();
        ControllerElection controller = join(first, 1);
        await().atMost(Duration.ofSeconds(10)).until(controller::hasLeadership);
        killedRun(3);
        ZkStore second = store();
        ControllerElection standby = join(second, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(second).size() == 3);
        assertThat(entries(second)).containsExactlyInAnyOrder("1", "3", "2");

        ControllerElection again = join(store(), 3);
        // the latch creates its entry in the background
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(entries(second))
                .as("election entries after broker 3 restarted").containsExactlyInAnyOrder("1", "2", "3"));

        controller.close();
        await().atMost(Duration.ofSeconds(5)).until(standby::hasLeadership);
        assertThat(again.hasLeadership()).isFalse();
    }

    @Test
    void aBrokerKeepsTheEntriesOfOtherBrokers() throws Exception {
        ZkStore first = store();
        ControllerElection controller = join(first, 1);
        await().atMost(Duration.ofSeconds(10)).until(controller::hasLeadership);
        ZkStore second = store();
        join(second, 2);
        join(store(), 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(second).size() == 3);
        assertThat(entries(second)).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(controller.hasLeadership()).isTrue();
    }
}
