package io.weir.jms;

import io.weir.broker.server.EmbeddedWeirCluster;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider core end to end against one Weir broker: queue, topic, client acknowledge and recover. */
class CoreSmokeIT {

    static EmbeddedWeirCluster cluster;
    static WeirConnectionFactory factory;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        factory = new WeirConnectionFactory(cluster.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void queueSendReceive() throws Exception {
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue("smoke-q");
            MessageProducer p = s.createProducer(q);
            for (int i = 0; i < 5; i++) {
                p.send(s.createTextMessage("m" + i));
            }
            MessageConsumer consumer = s.createConsumer(q);
            c.start();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Message m = consumer.receive(10_000);
                assertThat(m).isNotNull();
                got.add(((TextMessage) m).getText());
            }
            assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(consumer.receive(300)).isNull();
        }
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("smoke-q"));
            c.start();
            assertThat(consumer.receive(1000)).as("acknowledged messages are not delivered again").isNull();
        }
    }

    @Test
    void topicNonDurableStartsAtEnd() throws Exception {
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Topic t = s.createTopic("smoke-t");
            MessageProducer p = s.createProducer(t);
            p.send(s.createTextMessage("before"));
            MessageConsumer a = s.createConsumer(t);
            MessageConsumer b = s.createConsumer(t);
            c.start();
            p.send(s.createTextMessage("after"), DeliveryMode.NON_PERSISTENT, 4, 0);
            assertThat(((TextMessage) a.receive(10_000)).getText()).isEqualTo("after");
            assertThat(((TextMessage) b.receive(10_000)).getText()).isEqualTo("after");
        }
    }

    @Test
    void clientAcknowledgeAndRecover() throws Exception {
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            Queue q = s.createQueue("smoke-client");
            MessageProducer p = s.createProducer(q);
            p.send(s.createTextMessage("x"));
            p.send(s.createTextMessage("y"));
            MessageConsumer consumer = s.createConsumer(q);
            c.start();
            Message x = consumer.receive(10_000);
            assertThat(x.getJMSRedelivered()).isFalse();
            s.recover();
            Message x2 = consumer.receive(10_000);
            assertThat(((TextMessage) x2).getText()).isEqualTo("x");
            assertThat(x2.getJMSRedelivered()).isTrue();
            assertThat(x2.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
            x2.acknowledge();
            consumer.close();
            MessageConsumer again = s.createConsumer(q);
            Message y = again.receive(10_000);
            assertThat(((TextMessage) y).getText()).isEqualTo("y");
            y.acknowledge();
        }
    }
}
