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
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close} once.
 */
public final class ControllerElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerElection.class);

    private final LeaderLatch latch;

    public ControllerElection(ZkStore zk, int brokerId, Runnable elected, Runnable deposed) {
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
            latch.start();
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
