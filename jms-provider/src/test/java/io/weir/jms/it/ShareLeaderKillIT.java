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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two share-mode consumers of a replicated queue (one partition, and three) on three Weir brokers; the queue's leader is killed
 * while they hold acknowledged and unacknowledged messages. The members whose share sessions were on the dead leader
 * give their records up and start again on the new leader: every record of the queue is acknowledged at the broker in
 * the end, every message was delivered, and none whose acknowledgement returned ({@code blockOnAcknowledge=true}: the
 * broker recorded it) is delivered again.
 */
class ShareLeaderKillIT {

    private static final int TOTAL = 40;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
    }

    /** The brokers killed by earlier cases, restarted before the next. */
    private static final List<Integer> killed = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void restartKilled() throws Exception {
        for (int id : killed) {
            cluster.restartBroker(id);
        }
        killed.clear();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3));
        }
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @ParameterizedTest(name = "{0} partition(s)")
    @ValueSource(ints = {1, 3})
    void aKilledLeadersRecordsComeBackThroughTheNewLeaderAndNothingAcknowledgedIsDeliveredAgain(int partitions) throws Exception {
        String queue = "leader-kill-" + partitions + "-" + System.nanoTime() % 100_000;
        WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
        f.setTopicPartitions(partitions);
        f.setQueueMode(QueueMode.SHARE);
        f.setTopicReplicationFactor((short) 3);
        // acknowledge() returns once the broker recorded the acknowledgement (by default it returns once it is sent,
        // and one lost with the leader is delivered again: at-least-once, README)
        f.setBlockOnAcknowledge(true);
        Set<String> acknowledged = new HashSet<>(); // acknowledge() returned for them (all a session delivered)
        Set<String> seen = new HashSet<>();
        List<String> deliveredAgain = new ArrayList<>();
        try (Connection a = f.createConnection(); Connection b = f.createConnection();
             Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            Session sa = a.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Session sb = b.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue q = sa.createQueue(queue);
            List<MessageConsumer> consumers = List.of(sa.createConsumer(q), sb.createConsumer(q));
            Map<MessageConsumer, List<String>> unacknowledged = Map.of(consumers.get(0), new ArrayList<>(),
                    consumers.get(1), new ArrayList<>());
            a.start();
            b.start();
            MessageProducer p = sa.createProducer(q);
            for (int i = 0; i < TOTAL; i++) {
                p.send(sa.createTextMessage("m" + i));
            }
            // before the kill: about a third acknowledged, then one message each held unacknowledged
            long deadline = System.currentTimeMillis() + 60_000;
            while (acknowledged.size() < TOTAL / 3 && System.currentTimeMillis() < deadline) {
                for (MessageConsumer c : consumers) {
                    receive(c, unacknowledged.get(c), acknowledged, seen, deliveredAgain, true);
                }
            }
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(TOTAL / 3);
            for (MessageConsumer c : consumers) {
                receive(c, unacknowledged.get(c), acknowledged, seen, deliveredAgain, false);
            }
            int leader = admin.describeTopics(List.of(queue)).allTopicNames().get(30, TimeUnit.SECONDS).get(queue)
                    .partitions().get(0).leader().id();
            cluster.killBroker(leader);
            killed.add(leader);

            // a CLIENT_ACKNOWLEDGE acknowledge() covers what its session delivered before; one that fails may still have
            // been applied on some partitions: the end is when the broker has every record of the queue done
            String group = "jms-queue." + queue;
            List<org.apache.kafka.common.TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new org.apache.kafka.common.TopicPartition(queue, i));
            }
            deadline = System.currentTimeMillis() + 120_000;
            while (!allDone(admin, group, tps) && System.currentTimeMillis() < deadline) {
                for (MessageConsumer c : consumers) {
                    receive(c, unacknowledged.get(c), acknowledged, seen, deliveredAgain, true);
                }
            }
            assertThat(allDone(admin, group, tps)).as("every record of the queue acknowledged at the broker").isTrue();
        }
        assertThat(deliveredAgain).as("messages delivered again after their acknowledgement returned").isEmpty();
        Set<String> all = new HashSet<>();
        for (int i = 0; i < TOTAL; i++) {
            all.add("m" + i);
        }
        assertThat(seen).isEqualTo(all);
    }

    /**
     * A queue one of whose partitions is offline (its only replica's broker is down): a consumer created then receives
     * the messages of the other partitions; its member leaves the leaderless partition out of its fetches instead of
     * giving up (before, every member it opened broke on its first fetch and it received nothing). Once the broker is
     * back, the partition's messages come too.
     */
    @org.junit.jupiter.api.Test
    void aConsumerOfAQueueWithAnOfflinePartitionReceivesTheOthersAndThatOneOnceItIsBack() throws Exception {
        String queue = "offline-partition-" + System.nanoTime() % 100_000;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
             org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> kp = new org.apache.kafka.clients.producer.KafkaProducer<>(
                     Map.of("bootstrap.servers", cluster.bootstrapServers(),
                             "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                             "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(queue, 3, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
            for (int p = 0; p < 3; p++) {
                // the first send may find the new partition's leader not elected yet: the producer retries
                kp.send(new org.apache.kafka.clients.producer.ProducerRecord<>(queue, p, null, ("p" + p).getBytes()))
                        .get(60, TimeUnit.SECONDS);
            }
            List<org.apache.kafka.common.TopicPartitionInfo> placed = admin.describeTopics(List.of(queue)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(queue).partitions();
            int down = placed.get(0).leader().id();
            Set<String> others = new HashSet<>();
            placed.stream().filter(i -> i.leader().id() != down).forEach(i -> others.add("p" + i.partition()));
            assertThat(others).as("partitions on other brokers than partition 0's").isNotEmpty();
            cluster.killBroker(down);
            killed.add(down);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    admin.describeTopics(List.of(queue)).allTopicNames().get(30, TimeUnit.SECONDS).get(queue)
                            .partitions().get(0).leader() == null);

            WeirConnectionFactory f = new WeirConnectionFactory(cluster.bootstrapServers());
            f.setQueueMode(QueueMode.SHARE);
            Set<String> got = new HashSet<>();
            try (Connection c = f.createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
                c.start();
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < others.size() && System.currentTimeMillis() < deadline) {
                    Message m = consumer.receive(500);
                    if (m != null) {
                        got.add(new String(m.getBody(byte[].class)));
                    }
                }
                assertThat(got).as("the partitions that have a leader").isEqualTo(others);

                cluster.restartBroker(down);
                killed.clear();
                Set<String> all = new HashSet<>(got);
                deadline = System.currentTimeMillis() + 60_000;
                while (all.size() < 3 && System.currentTimeMillis() < deadline) {
                    Message m = consumer.receive(500);
                    if (m != null) {
                        all.add(new String(m.getBody(byte[].class)));
                    }
                }
                assertThat(all).as("the offline partitions' messages once their broker is back").containsExactlyInAnyOrder("p0", "p1", "p2");
            }
        }
    }

    private static void receive(MessageConsumer c, List<String> unacknowledged, Set<String> acknowledged, Set<String> seen,
                                List<String> deliveredAgain, boolean acknowledge) throws Exception {
        Message m = c.receive(acknowledge ? 200 : 2_000);
        if (m == null) {
            return;
        }
        String text = ((TextMessage) m).getText();
        seen.add(text);
        if (acknowledged.contains(text)) {
            deliveredAgain.add(text);
            return;
        }
        unacknowledged.add(text);
        if (!acknowledge) {
            return;
        }
        try {
            m.acknowledge();
            acknowledged.addAll(unacknowledged);
        } catch (JMSException e) {
            // not recorded everywhere: what was not comes back
        }
        unacknowledged.clear();
    }

    private static boolean allDone(Admin admin, String group, List<org.apache.kafka.common.TopicPartition> tps) throws Exception {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        tps.forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        var starts = admin.listShareGroupOffsets(Map.of(group, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()))
                .partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS);
        for (var tp : tps) {
            var start = starts.get(tp);
            if (start == null || start.startOffset() < ends.get(tp).offset()) {
                return false;
            }
        }
        return true;
    }
}
