package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Classic queue mode (a consumer group per queue): a message delivered and not acknowledged comes back flagged
 * {@code JMSRedelivered} with a delivery count above one when its partition was lost and came back to the same
 * group member (the count was never committed), and when another member takes the queue over (the count travels in
 * the group's committed-offset metadata, committed within a second even without an acknowledgement).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClassicRedeliveryIT {

    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    private static WeirConnectionFactory classic() {
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        f.setQueueMode(QueueMode.CLASSIC);
        return f;
    }

    private static void send(WeirConnectionFactory f, String queue, String... texts) {
        try (JMSContext ctx = f.createContext()) {
            for (String t : texts) {
                ctx.createProducer().send(ctx.createQueue(queue), t);
            }
        }
    }

    private static String text(Message m) throws Exception {
        return ((TextMessage) m).getText();
    }

    @Test
    void aMessageDeliveredBeforeItsPartitionWasLostComesBackRedelivered() throws Exception {
        String queue = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        String instance = queue + "-member";
        WeirConnectionFactory f = classic();
        send(f, queue, "m0"); // alone, so the next receive waits for the partition to come back
        // a static member, so that an administrator can remove it from the group: its partition is then lost
        f.setKafkaProperty("group.instance.id", instance);
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            Message first = consumer.receive(30_000);
            assertThat(text(first)).isEqualTo("m0");
            assertThat(first.getJMSRedelivered()).isFalse();
            assertThat(first.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);

            admin.removeMembersFromConsumerGroup(queue, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove(instance)))).all().get(30, TimeUnit.SECONDS);

            // the member notices at its next heartbeat, rejoins, gets the partition back and reads it again
            Message again = consumer.receive(30_000);
            assertThat(again).as("m0 again after the partition came back").isNotNull();
            assertThat(text(again)).isEqualTo("m0");
            assertThat(again.getJMSRedelivered()).isTrue();
            assertThat(again.getIntProperty("JMSXDeliveryCount")).isGreaterThanOrEqualTo(2);
            send(f, queue, "m1");
            Message next = consumer.receive(30_000);
            assertThat(text(next)).isEqualTo("m1");
            assertThat(next.getJMSRedelivered()).as("m1 was not delivered before").isFalse();
            next.acknowledge();
        }
    }

    @Test
    void anotherMemberSeesTheDeliveryCountOfAMessageNeverAcknowledged() throws Exception {
        String queue = "handover-" + UUID.randomUUID().toString().substring(0, 8);
        WeirConnectionFactory f = classic();
        send(f, queue, "m0");
        TopicPartition tp = new TopicPartition(queue, 0);
        try (Connection a = f.createConnection()) {
            Session s = a.createSession(Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            a.start();
            Message first = consumer.receive(30_000);
            assertThat(text(first)).isEqualTo("m0");
            assertThat(first.getJMSRedelivered()).isFalse();
            // not acknowledged, yet its delivery reaches the group's commit: a member that takes over after this
            // process died would know it
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(queue).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).get(tp);
                assertThat(committed).isNotNull();
                assertThat(committed.offset()).isZero();
                assertThat(committed.metadata()).contains("d=0:1");
            });
        }
        try (Connection b = f.createConnection()) {
            Session s = b.createSession(Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            b.start();
            Message again = consumer.receive(30_000);
            assertThat(text(again)).isEqualTo("m0");
            assertThat(again.getJMSRedelivered()).isTrue();
            assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
            again.acknowledge();
        }
    }
}
