package io.weir.broker.txn;

import io.weir.broker.zk.ZkStore;

/**
 * Hands out producer ids for idempotent producers. Ids come in blocks reserved in ZooKeeper with a
 * versioned write, so every id is unique across the cluster and across restarts (a restarted broker
 * takes a fresh block; the unused rest of the old one is simply skipped).
 *
 * <p>Thread-safe.
 */
public final class ProducerIdManager {
    public static final int BLOCK_SIZE = 1000;

    private final ZkStore zk;
    private long next;
    private long blockEnd;

    public ProducerIdManager(ZkStore zk) {
        this.zk = zk;
    }

    public synchronized long nextProducerId() {
        if (next >= blockEnd) {
            next = zk.allocateProducerIdBlock(BLOCK_SIZE);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }
}
