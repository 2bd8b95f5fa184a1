package io.weir.jms.client;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker closes connections idle longer than its {@code connections.max.idle.ms}; a non-persistent send written to
 * such a connection unanswered would be lost without an error. {@link DirectSends} gives up pooled connections idle
 * longer than the client's {@code connections.max.idle.ms} (shorter than the broker's, as kafka-clients' default is),
 * and waits for the answer of a non-persistent send on a connection idle for a second: sends after a pause, persistent
 * or not, all arrive.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DirectSendsIdleIT {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).brokerProperty("connections.max.idle.ms", "1500").build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The client gives up its idle connections before the broker closes them. */
    @Test
    void sendsAfterAPauseLongerThanTheClientsIdleLimitArrive() throws Exception {
        sendAcrossPauses("1000", "direct-idle-client");
    }

    /**
     * The broker closes connections the client still holds (as a restart would): a non-persistent send after a pause
     * waits for its answer, finds the connection closed and is written again on a new one.
     */
    @Test
    void sendsOnConnectionsTheBrokerClosedArrive() throws Exception {
        sendAcrossPauses("600000", "direct-idle-broker");
    }

    private static void sendAcrossPauses(String clientIdleMs, String queue) throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        f.setKafkaProperty("connections.max.idle.ms", clientIdleMs);
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(queue);
            MessageProducer p = s.createProducer(q);
            MessageConsumer consumer = s.createConsumer(q);
            c.start();
            for (int round = 0; round < 3; round++) {
                p.setDeliveryMode(round % 2 == 0 ? DeliveryMode.NON_PERSISTENT : DeliveryMode.PERSISTENT);
                p.send(s.createTextMessage("r" + round));
                Message m = consumer.receive(15_000);
                assertThat(m).as("the send of round %d", round).isNotNull();
                assertThat(((TextMessage) m).getText()).isEqualTo("r" + round);
                Thread.sleep(2_500); // the broker closes the connections this send used
            }
            p.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            p.send(s.createTextMessage("last"));
            Message m = consumer.receive(15_000);
            assertThat(m).as("a non-persistent send after the pause").isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo("last");
        }
    }
}
