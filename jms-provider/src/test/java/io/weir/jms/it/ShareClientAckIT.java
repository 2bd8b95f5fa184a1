package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One share-mode consumer under CLIENT_ACKNOWLEDGE that acknowledges only every 700th message receives a queue of
 * 2,000 to the end: holding more unacknowledged messages than one large batch (500) never stops its fetching, whether
 * it opened small lanes first or not (it once stalled at 530: every lane held undecided records and no more could
 * open).
 */
class ShareClientAckIT {

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
    void aConsumerHoldingMoreThanABatchUnacknowledgedReceivesTheWholeQueue() throws Exception {
        int messages = 2000;
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        try (Connection pc = f.createConnection(); Connection cc = f.createConnection()) {
            Session ps = pc.createSession(true, Session.SESSION_TRANSACTED);
            Queue q = ps.createQueue("client-ack-" + System.nanoTime() % 100000);
            MessageProducer producer = ps.createProducer(q);
            byte[] body = new byte[1024];
            for (int n = 1; n <= messages; n++) {
                BytesMessage m = ps.createBytesMessage();
                m.writeBytes(body);
                producer.send(m);
                if (n % 500 == 0) {
                    ps.commit();
                }
            }
            Session cs = cc.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = cs.createConsumer(q);
            cc.start();
            int received = 0;
            for (int n = 1; n <= messages; n++) {
                Message m = consumer.receive(20_000);
                if (m == null) {
                    break;
                }
                received++;
                if (n % 700 == 0 || n == messages) {
                    m.acknowledge();
                }
            }
            assertThat(received).isEqualTo(messages);
            assertThat(consumer.receive(200)).isNull();
        }
    }
}
