package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second consumer of a queue in the same context, the first still open: what the first received and
 * auto-acknowledged is gone, the second gets the next message (share groups, the provider's default on Weir).
 *
 * <p>Reproduces an open defect, intermittently: the first consumer's acknowledgement is sometimes lost when the
 * second consumer's member joins the share group, and the acknowledged message is delivered again once its lock
 * runs out (30 s). Until it is fixed it runs only with {@code -Dweir.it.shareAckLoss=true} (README, share-mode
 * limits). The first consumer also holds what it prefetched for the lock duration (the 30 s this test waits).
 */
class ShareSecondConsumerIT {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    @EnabledIfSystemProperty(named = "weir.it.shareAckLoss", matches = "true")
    void aSecondConsumerGetsTheNextMessageNotTheAcknowledgedOne() {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        try (JMSContext ctx = f.createContext(); JMSContext other = f.createContext()) {
            Queue q = ctx.createQueue("second-consumer-" + System.nanoTime() % 100000);
            ctx.createProducer().send(q, "order-1");
            long t0 = System.nanoTime();
            assertThat(ctx.createConsumer(q).receiveBody(String.class, 30_000)).isEqualTo("order-1");
            other.createProducer().send(q, "order-2");
            assertThat(ctx.createConsumer(q).receiveBody(String.class, 60_000)).isEqualTo("order-2");
            System.out.printf("second consumer got the next message %.0f ms after the first receive began%n",
                    (System.nanoTime() - t0) / 1e6);
        }
    }
}
