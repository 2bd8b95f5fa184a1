package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShareMemberWireSuite} against an embedded Weir broker (which archives transaction markers instead of handing
 * them out), and a share-mode queue read over SASL/SCRAM: the member's own connections authenticate as the JMS
 * connection's user.
 */
class WeirShareMemberIT extends ShareMemberWireSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-256=[name=bob,password=bob-secret]")
                .build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }

    @Override
    boolean appliesQueueDefaults() {
        return true;
    }

    @Test
    void scramConsumersShareAQueue(TestInfo info) throws Exception {
        String queue = queueName(info);
        WeirConnectionFactory f = new WeirConnectionFactory("127.0.0.1:" + cluster.broker(0).boundPort("SASL_PLAINTEXT"));
        f.setKafkaProperty("security.protocol", "SASL_PLAINTEXT");
        f.setKafkaProperty("sasl.mechanism", "SCRAM-SHA-256");
        f.setQueueMode(QueueMode.SHARE);
        int total = 20;
        try (Connection a = f.createConnection("bob", "bob-secret"); Connection b = f.createConnection("bob", "bob-secret");
             Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            Session sa = a.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Session sb = b.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue q = sa.createQueue(queue);
            MessageConsumer ca = sa.createConsumer(q);
            MessageConsumer cb = sb.createConsumer(q);
            a.start();
            b.start();
            String group = "jms-queue." + queue;
            ShareGroupDescription d = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
            assertThat(d.members()).as("both consumers are members of the queue's share group").hasSize(2);
            MessageProducer p = sa.createProducer(q);
            for (int i = 0; i < total; i++) {
                p.send(sa.createTextMessage("m" + i));
            }
            Set<String> got = new HashSet<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (got.size() < total && System.currentTimeMillis() < deadline) {
                for (MessageConsumer c : List.of(ca, cb)) {
                    Message m = c.receive(200);
                    if (m != null) {
                        assertThat(got.add(((TextMessage) m).getText())).as("delivered once").isTrue();
                        m.acknowledge();
                    }
                }
            }
            assertThat(got).hasSize(total);
        }
    }
}
