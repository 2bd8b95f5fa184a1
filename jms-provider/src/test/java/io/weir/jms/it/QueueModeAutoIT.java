package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code queueMode=auto}, the default: queues are read through share groups on a broker that serves them (Weir)
 * and through consumer groups on one that does not (Apache Kafka 4.4 formatted with {@code share.version=0}).
 * Observed from outside, through the groups the brokers list.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QueueModeAutoIT {

    @Test
    void weirServesShareGroupsSoQueuesUseThem() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start()) {
            roundTrip(cluster.bootstrapServers(), "auto-weir", true);
        }
    }

    @Test
    void aKafkaWithoutShareGroupsGetsConsumerGroups() throws Exception {
        try (KafkaPeer kafka = KafkaPeer.start(false)) {
            roundTrip(kafka.bootstrapServers(), "auto-kafka", false);
        }
    }

    private static void roundTrip(String bootstrap, String queue, boolean share) throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap);
        assertThat(f.getQueueMode()).isEqualTo(QueueMode.AUTO);
        try (Connection c = f.createConnection(); Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage("hello"));
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            assertThat(((TextMessage) consumer.receive(30_000)).getText()).isEqualTo("hello");
            if (share) {
                var group = admin.describeShareGroups(List.of("jms-queue." + queue)).describedGroups().get("jms-queue." + queue)
                        .get(30, TimeUnit.SECONDS);
                assertThat(group.members()).hasSize(1);
            } else {
                var group = admin.describeConsumerGroups(List.of(queue)).describedGroups().get(queue).get(30, TimeUnit.SECONDS);
                assertThat(group.members()).hasSize(1);
            }
        }
    }
}
