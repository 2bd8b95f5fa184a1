package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transacted session relaying from one queue to another on the provider's default queue mode (share groups on
 * Weir): every message arrives, none is lost, the relay never stalls, nothing is duplicated. The share acknowledgements
 * join the session's transaction (SessionTransactionEngine); the kill test is
 * WeirTransactionIT#aShareQueueRelayIsExactlyOnceAcrossClientKills.
 */
class ShareTransactedRelayIT {

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
    void aTransactedRelayOnShareQueuesMovesEveryMessage() throws Exception {
        int count = 100;
        String in = "relay-in-" + System.nanoTime() % 100000;
        String out = "relay-out-" + System.nanoTime() % 100000;
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        try (Connection seed = f.createConnection(); Connection relay = f.createConnection(); Connection drain = f.createConnection()) {
            Session ss = seed.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer sp = ss.createProducer(ss.createQueue(in));
            for (int i = 0; i < count; i++) {
                sp.send(ss.createTextMessage("m" + i));
            }
            ss.commit();

            Session rs = relay.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer rc = rs.createConsumer(rs.createQueue(in));
            MessageProducer rp = rs.createProducer(rs.createQueue(out));
            relay.start();
            for (int i = 1; i <= count; i++) {
                Message m = rc.receive(15_000);
                assertThat(m).as("message %d of %d relayed within 15 s", i, count).isNotNull();
                rp.send(m);
                if (i % 100 == 0) {
                    rs.commit();
                }
            }

            Session ds = drain.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer dc = ds.createConsumer(ds.createQueue(out));
            drain.start();
            Set<String> got = new HashSet<>();
            for (int i = 0; i < count; i++) {
                Message m = dc.receive(15_000);
                assertThat(m).as("output message %d", i).isNotNull();
                assertThat(got.add(((TextMessage) m).getText())).as("no duplicate").isTrue();
            }
            assertThat(dc.receive(500)).isNull();
        }
    }
}
