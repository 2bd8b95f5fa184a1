package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JMS suite with queues on share groups against an embedded Weir broker. */
class WeirShareJmsIT extends ShareQueueSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = shareCluster().build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /**
     * One broker with the Kafka peer's share settings: a short acquisition lock, so that a killed consumer's messages
     * return soon, and the same delivery limit.
     */
    private static EmbeddedWeirCluster.Builder shareCluster() {
        return EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("group.share.record.lock.duration.ms", Integer.toString(KafkaPeer.SHARE_LOCK_MS))
                .brokerProperty("group.share.delivery.count.limit", Integer.toString(KafkaPeer.SHARE_DELIVERY_LIMIT));
    }

    @Override
    DisposableBroker startDisposableBroker() {
        EmbeddedWeirCluster c = shareCluster().build().start();
        return new DisposableBroker() {
            @Override
            public String bootstrapServers() {
                return c.bootstrapServers();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    /**
     * Weir's broker releases a closed share session's unacknowledged records uncounted (SharePartitionStateTest). Through
     * the provider a closed consumer's fetched, never-delivered message used to come back counted once more; since the
     * broker acquires for the provider's groups one batch per member at a time (weir.share.single.batch), no member
     * holds a batch its client fetched ahead and released, counted, as it closed: the likely cause (not proven), and
     * the exact counts are checked on Weir again.
     */
    @Override
    boolean assignsEveryPartition() {
        return true;
    }

    @Override
    boolean closedSessionReleasesUncounted() {
        return true;
    }

    /** Weir filters share fetches by the consumer's selector (the suite's selectors fit the broker's subset). */
    @Override
    boolean unselectedMessagesStayUncounted() {
        return true;
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }
}
