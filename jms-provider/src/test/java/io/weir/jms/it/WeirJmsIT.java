package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JMS suite against an embedded Weir broker. */
class WeirJmsIT extends JmsSuite {

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
    DisposableBroker startDisposableBroker() {
        EmbeddedWeirCluster c = EmbeddedWeirCluster.builder().brokers(1).build().start();
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

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }
}
