package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two share-mode consumers of a replicated one-partition queue on three Weir brokers; the queue's leader is killed
 * while they hold acknowledged and unacknowledged messages. The members whose share sessions were on the dead leader
 * give their records up and start again on the new leader: every message is acknowledged in the end, and none whose
 * acknowledgement returned ({@code blockOnAcknowledge=true}: the broker recorded it) is delivered again.
 */
class ShareLeaderKillIT {

    private static final int TOTAL = 40;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aKilledLeadersRecordsComeBackThroughTheNewLeaderAndNothingAcknowledgedIsDeliveredAgain() throws Exception {
        String queue = "leader-kill-" + System.nanoTime() % 100_000;
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        f.setQueueMode(QueueMode.SHARE);
        f.setTopicReplicationFactor((short) 3);
        // acknowledge() returns once the broker recorded the acknowledgement (by default it returns once it is sent,
        // and one lost with the leader is delivered again: at-least-once, README)
        f.setBlockOnAcknowledge(true);
        Set<String> acknowledged = new HashSet<>();
        List<String> deliveredAgain = new ArrayList<>();
        try (Connection a = f.createConnection(); Connection b = f.createConnection();
             Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            Session sa = a.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Session sb = b.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue q = sa.createQueue(queue);
            List<MessageConsumer> consumers = List.of(sa.createConsumer(q), sb.createConsumer(q));
            a.start();
            b.start();
            MessageProducer p = sa.createProducer(q);
            for (int i = 0; i < TOTAL; i++) {
                p.send(sa.createTextMessage("m" + i));
            }
            // before the kill: about a third acknowledged, one message each held unacknowledged
            long deadline = System.currentTimeMillis() + 60_000;
            while (acknowledged.size() < TOTAL / 3 && System.currentTimeMillis() < deadline) {
                for (MessageConsumer c : consumers) {
                    Message m = c.receive(200);
                    if (m != null) {
                        assertThat(acknowledged.add(((TextMessage) m).getText())).isTrue();
                        m.acknowledge();
                    }
                }
            }
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(TOTAL / 3);
            for (MessageConsumer c : consumers) {
                c.receive(2_000); // held, never acknowledged: it must come back
            }
            int leader = admin.describeTopics(List.of(queue)).allTopicNames().get(30, TimeUnit.SECONDS).get(queue)
                    .partitions().get(0).leader().id();
            cluster.killBroker(leader);

            deadline = System.currentTimeMillis() + 120_000;
            while (acknowledged.size() < TOTAL && System.currentTimeMillis() < deadline) {
                for (MessageConsumer c : consumers) {
                    Message m = c.receive(200);
                    if (m == null) {
                        continue;
                    }
                    String text = ((TextMessage) m).getText();
                    if (acknowledged.contains(text)) {
                        deliveredAgain.add(text);
                        continue;
                    }
                    try {
                        m.acknowledge();
                        acknowledged.add(text);
                    } catch (JMSException e) {
                        // the acknowledgement did not reach the records' leader: the message comes back
                    }
                }
            }
        }
        assertThat(deliveredAgain).as("acknowledged messages delivered again").isEmpty();
        Set<String> all = new HashSet<>();
        for (int i = 0; i < TOTAL; i++) {
            all.add("m" + i);
        }
        assertThat(acknowledged).isEqualTo(all);
    }
}
