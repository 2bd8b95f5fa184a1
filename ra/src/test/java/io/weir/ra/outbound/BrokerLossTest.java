package io.weir.ra.outbound;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import io.weir.ra.WeirRaQueue;
import io.weir.ra.testing.PoolingConnectionManager;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pooled managed connection whose brokers stop answering reports CONNECTION_ERROR_OCCURRED and is dropped. */
class BrokerLossTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aPooledConnectionWhoseBrokersStopAnsweringIsDroppedAndANewOneServes() throws Exception {
        Queue q = new WeirRaQueue("loss-" + UUID.randomUUID().toString().substring(0, 8));
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             PoolingConnectionManager cm = new PoolingConnectionManager()) {
            WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
            mcf.setBootstrapServers(cluster.bootstrapServers());
            mcf.setConnectionParameters("brokerCheckIntervalMs=200;default.api.timeout.ms=10000;request.timeout.ms=5000");
            WeirRaConnectionFactory cf = (WeirRaConnectionFactory) mcf.createConnectionFactory(cm);
            try (JMSContext ctx = cf.createContext()) {
                ctx.createProducer().send(q, "before");
            }
            assertThat(cm.idle()).isEqualTo(1);

            cluster.stopBroker(0);
            await().atMost(WAIT).until(() -> cm.errors() == 1);
            assertThat(cm.idle()).isZero();

            cluster.restartBroker(0);
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                try (JMSContext ctx = cf.createContext()) {
                    ctx.createProducer().send(q, "after");
                }
                return true;
            });
            assertThat(cm.created()).isGreaterThanOrEqualTo(2);
            try (JMSContext ctx = new WeirConnectionFactory(cluster.bootstrapServers()).createContext()) {
                var consumer = ctx.createConsumer(q);
                assertThat(consumer.receiveBody(String.class, WAIT.toMillis())).isEqualTo("before");
                assertThat(consumer.receiveBody(String.class, WAIT.toMillis())).isEqualTo("after");
            }
        }
    }
}
