package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Transacted sessions on the embedded Weir broker's transactions (the same suite as against Kafka 4.4). */
class WeirTransactionIT extends TransactionSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        // the share-queue relay test kills its consumer up to eight times: every kill counts a delivery of what it held,
        // which must not reach the broker's limit (then the records would be archived, not relayed)
        cluster = EmbeddedWeirCluster.builder().brokers(1).brokerProperty("group.share.delivery.count.limit", "100").build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }

    /**
     * The relay of {@link #consumeTransformProduceIsExactlyOnceAcrossClientKills} consuming A through its share group
     * (the provider's default queue mode): Weir takes the share acknowledgements inside the session's Kafka transaction
     * (SessionTransactionEngine), so the queue's messages and the relayed copies commit together, exactly-once.
     */
    @org.junit.jupiter.api.Test
    void aShareQueueRelayIsExactlyOnceAcrossClientKills(org.junit.jupiter.api.TestInfo info) throws Exception {
        relayExactlyOnceAcrossClientKills(info, io.weir.jms.QueueMode.SHARE);
    }
}
