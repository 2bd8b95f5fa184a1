package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Transacted sessions on the embedded Weir broker's transactions (the same suite as against Kafka 4.4). */
class WeirTransactionIT extends TransactionSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }
}
