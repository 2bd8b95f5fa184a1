package io.weir.broker.zk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects the controller among the brokers with a Curator {@link LeaderLatch} on
 * {@code /weir/controller_latch}. The callbacks run on Curator's threads and must hand off to the
 * controller's event thread. Losing the ZooKeeper connection loses the leadership (Curator's
 * default), so a partitioned controller stops acting; its writes are fenced by the controller epoch
 * in any case.
 *
 * <p>A broker that was killed leaves its entry in the latch until its session times out. When it
 * restarts within that time it removes that entry before joining again: queued ahead of the other
 * standbys, the dead entry would otherwise win the election when the controller dies, and the
 * cluster would have no controller until the dead session expired.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close} once.
 */
public final class ControllerElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerElection.class);

    private final CuratorFramework curator;
    private final String participantId;
    private final LeaderLatch latch;

    public ControllerElection(ZkStore zk, int brokerId, Runnable elected, Runnable deposed) {
        this.curator = zk.curator();
        this.participantId = String.valueOf(brokerId);
        this.latch = new LeaderLatch(curator, ZkStore.CONTROLLER_LATCH, participantId);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                elected.run();
            }

            @Override
            public void notLeader() {
                deposed.run();
            }
        });
    }

    public void start() {
        try {
            removeEntriesOfEarlierRuns();
            latch.start();
        } catch (ZkException e) {
            throw e;
        } catch (Exception e) {
            throw new ZkException("Cannot join the controller election: " + e, e);
        }
    }

    /**
     * Deletes the latch entries that carry this broker's id but belong to another ZooKeeper session:
     * those of an earlier run of this broker (broker ids are unique in a cluster). Should that run
     * still be alive after all (a long pause), it is fenced by the next controller epoch.
     */
    private void removeEntriesOfEarlierRuns() throws Exception {
        long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
        List<String> children;
        try {
            children = curator.getChildren().forPath(ZkStore.CONTROLLER_LATCH);
        } catch (KeeperException.NoNodeException e) {
            return; // nobody has joined yet
        }
        for (String child : children) {
            String path = ZkStore.CONTROLLER_LATCH + "/" + child;
            Stat stat = new Stat();
            try {
                byte[] data = curator.getData().storingStatIn(stat).forPath(path);
                if (participantId.equals(new String(data, StandardCharsets.UTF_8)) && stat.getEphemeralOwner() != session) {
                    curator.delete().withVersion(stat.getVersion()).forPath(path);
                    log.warn("Removed the controller election entry {} of an earlier run of broker {} (session 0x{})", child,
                            participantId, Long.toHexString(stat.getEphemeralOwner()));
                }
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                // gone meanwhile (its session expired)
            }
        }
    }

    public boolean hasLeadership() {
        return latch.hasLeadership();
    }

    @Override
    public void close() {
        try {
            latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
        } catch (IOException | IllegalStateException e) {
            log.debug("Controller latch already closed", e);
        }
    }
}
