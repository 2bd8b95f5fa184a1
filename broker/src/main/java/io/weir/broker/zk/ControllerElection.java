package io.weir.broker.zk;

import java.io.IOException;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
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

    private final ZkStore zk;
    private final int brokerId;
    private final LeaderLatch latch;

    public ControllerElection(ZkStore zk, int brokerId, Runnable elected, Runnable deposed) {
        this.zk = zk;
        this.brokerId = brokerId;
        this.latch = new LeaderLatch(zk.curator(), ZkStore.CONTROLLER_LATCH, String.valueOf(brokerId));
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
            zk.removeElectionEntriesOfEarlierRuns(brokerId);
            latch.start();
        } catch (ZkException e) {
            throw e;
        } catch (Exception e) {
            throw new ZkException("Cannot join the controller election: " + e, e);
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
