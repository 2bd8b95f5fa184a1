package io.weir.jms.it;

import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.client.DeadLetterRecord;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JMS suite with queues on share groups ({@code queueMode=share}), and what only share groups give: a
 * one-partition queue shared message by message by consumers in several processes, broker-side delivery counts
 * and the dead-letter queue.
 */
abstract class ShareQueueSuite extends JmsSuite {

    @Override
    QueueMode queueMode() {
        return QueueMode.SHARE;
    }

    private ConsumerJvm child(String queue, int ackMode, int ackEvery, String selector, long pauseMs) throws Exception {
        return child(queue, ackMode, ackEvery, selector, pauseMs, 5);
    }

    private ConsumerJvm child(String queue, int ackMode, int ackEvery, String selector, long pauseMs, int maxDeliveryAttempts)
            throws Exception {
        return ConsumerJvm.start(bootstrap(), queue, Integer.toString(ackMode), Integer.toString(ackEvery),
                QueueMode.SHARE.name(), selector == null ? "-" : selector, Long.toString(pauseMs),
                Integer.toString(maxDeliveryAttempts));
    }

    private static void awaitReady(List<ConsumerJvm> children) throws Exception {
        ConsumerJvm.awaitReady(children);
    }

    private void send(String queue, int total, String colourProperty) throws Exception {
        try (Connection c = factory().createConnection()) {
            Session s = c.createSession(Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = 0; i < total; i++) {
                Message m = s.createTextMessage("m" + i);
                m.setIntProperty("n", i);
                if (colourProperty != null) {
                    m.setStringProperty(colourProperty, i % 2 == 0 ? "red" : "blue");
                }
                p.send(m);
            }
            s.commit();
        }
    }

    /**
     * How long the test below allows a killed consumer's messages to take to reach a survivor: Weir (and Kafka 4.4)
     * end a share session when its connection closes and release what its member held at once; the bound is generous
     * (a loaded machine), never a timing check, and well under the acquisition lock the test sets (30 s).
     */
    /**
     * Whether the broker assigns every member of a queue's share group every partition (Weir's {@code
     * weir.share.assignment=all}, its default for the provider's groups). Apache Kafka 4.4 spreads them: each of four
     * members of a four-partition queue gets one, so a message waits for the member of its partition, busy or not.
     */
    boolean assignsEveryPartition() {
        return false;
    }

    long killedConsumerReleaseBoundMs() {
        return 10_000;
    }

    /**
     * A consumer JVM holding acquired messages (its listener is stuck on the first, the rest of its fetch wait
     * undelivered) is killed with SIGKILL: a consumer in another process gets every one of them, the held one
     * flagged redelivered, long before their acquisition lock (30 s here) would expire. Prints the delay from the
     * kill to the last message.
     */
    @Test
    void aKilledConsumersAcquiredMessagesReachTheSurvivorsAtOnce(TestInfo info) throws Exception {
        String queue = name(info, "q");
        int total = 8;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap()))) {
            var group = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP,
                    "jms-queue." + queue);
            admin.incrementalAlterConfigs(Map.of(group, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("share.record.lock.duration.ms", "30000"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        ConsumerJvm holder = child(queue, Session.CLIENT_ACKNOWLEDGE, 1000, null, 600_000);
        try (Connection c = factory().createConnection()) {
            awaitReady(List.of(holder));
            send(queue, total, null);
            long deadline = System.currentTimeMillis() + 60_000;
            while (holder.lines().stream().noneMatch(l -> l.startsWith("GOT "))) {
                assertThat(System.currentTimeMillis()).as("the holder got a message within 60 s: " + holder.errorOutput())
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            int held = Integer.parseInt(holder.lines().stream().filter(l -> l.startsWith("GOT ")).findFirst().orElseThrow()
                    .substring(4));
            Session s = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer survivor = s.createConsumer(s.createQueue(queue));
            c.start();
            // the survivor is a member from createConsumer on; wait until the broker also assigned it the partition
            // (assignments travel with heartbeats), so that the delay measured is the release, not the assignment
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", bootstrap()))) {
                String group = "jms-queue." + queue;
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
                    var d = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
                    return d.members().size() == 2 && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });
            }
            Set<Integer> got = new HashSet<>();
            Message m;
            while ((m = survivor.receive(1000)) != null) { // what the holder did not acquire, if anything
                got.add(m.getIntProperty("n"));
                m.acknowledge();
            }
            assertThat(got).as("the holder's message is held").doesNotContain(held);
            long killedAt = System.nanoTime();
            holder.process().destroyForcibly(); // SIGKILL
            boolean redelivered = false;
            while (got.size() < total) {
                m = survivor.receive(Math.max(1, killedConsumerReleaseBoundMs() - (System.nanoTime() - killedAt) / 1_000_000));
                assertThat(m).as("the killed consumer's messages within " + killedConsumerReleaseBoundMs() + " ms; got " + got)
                        .isNotNull();
                int n = m.getIntProperty("n");
                got.add(n);
                if (n == held) {
                    redelivered = m.getJMSRedelivered();
                }
                m.acknowledge();
            }
            long delayMs = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.println(getClass().getSimpleName() + ": the messages a SIGKILLed consumer held reached a survivor "
                    + delayMs + " ms after the kill");
            assertThat(got).hasSize(total);
            assertThat(redelivered).as("the message the killed consumer was given is redelivered").isTrue();
        } finally {
            holder.kill();
        }
    }

    /**
     * Four transacted sessions of one connection, each consuming a four-partition queue with a prefetch of one
     * ({@code WeirSession.setConsumerPrefetch}), and four messages, one per partition, produced once every member is
     * assigned: each session receives one and holds it uncommitted, so no session's fetch took a second message while
     * another session waits (what a resource adapter's delivery sessions with {@code maxSession} need: a fetch across
     * partitions would otherwise acquire a record from each). Then all commit, and nothing comes again. It needs a
     * broker that gives every member of a queue's group every partition ({@link #assignsEveryPartition}).
     */
    @Test
    void sessionsWithAPrefetchOfOneEachHoldOneMessageOfAMultiPartitionQueue(TestInfo info) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(assignsEveryPartition(),
                "the broker spreads a share group's partitions over its members");
        String queue = name(info, "q");
        int n = 4;
        WeirConnectionFactory f = factory();
        f.setTopicPartitions(n);
        try (Connection c = f.createConnection()) {
            List<Session> sessions = new ArrayList<>();
            List<MessageConsumer> consumers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Session s = c.createSession(Session.SESSION_TRANSACTED);
                ((io.weir.jms.WeirSession) s).setConsumerPrefetch(1);
                sessions.add(s);
                consumers.add(s.createConsumer(s.createQueue(queue)));
            }
            c.start();
            String group = "jms-queue." + queue;
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", bootstrap()))) {
                java.util.concurrent.atomic.AtomicReference<Object> seen = new java.util.concurrent.atomic.AtomicReference<>();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .conditionEvaluationListener(e -> {
                            if (!e.isSatisfied() && e.getRemainingTimeInMS() < 1000) {
                                System.out.println("share group " + group + " as last described: " + seen.get());
                            }
                        }).until(() -> {
                    var d = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
                    seen.set(d);
                    return d.members().size() == n && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });
            }
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> kp = new org.apache.kafka.clients.producer.KafkaProducer<>(
                    Map.of("bootstrap.servers", bootstrap(),
                            "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                            "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
                for (int p = 0; p < n; p++) {
                    kp.send(new org.apache.kafka.clients.producer.ProducerRecord<>(queue, p, null, new byte[] {(byte) p})).get();
                }
            }
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < n; i++) {
                jakarta.jms.BytesMessage m = (jakarta.jms.BytesMessage) consumers.get(i).receive(WAIT);
                assertThat(m).as("session " + i + " gets a message while the others hold theirs; got " + got).isNotNull();
                assertThat(got.add((int) m.readByte())).as("delivered once").isTrue();
            }
            for (Session s : sessions) {
                s.commit();
            }
            for (MessageConsumer consumer : consumers) {
                assertThat(consumer.receive(200)).as("nothing comes again").isNull();
            }
            assertThat(got).containsExactlyInAnyOrder(0, 1, 2, 3);
        }
    }

    /**
     * Four consumer JVMs on a one-partition queue under CLIENT_ACKNOWLEDGE: each gets a fair share (at least a twelfth;
     * an even split is a quarter, and the consumer group of the classic mapping gives one process everything), and
     * together they acknowledge every message exactly once.
     */
    @Test
    void fourConsumerProcessesShareAOnePartitionQueueFairlyAndExactlyOnce(TestInfo info) throws Exception {
        String queue = name(info, "q");
        int total = 240;
        try (Connection c = factory().createConnection()) {
            c.createSession().createConsumer(c.createSession().createQueue(queue)).close(); // queue and group exist
        }
        List<ConsumerJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                children.add(child(queue, Session.CLIENT_ACKNOWLEDGE, 1, null, 50));
                awaitReady(children); // one at a time: four JVMs starting at once can starve a loaded machine
            }
            send(queue, total, null);
            Map<Integer, Integer> ackedBy = new HashMap<>();
            List<Integer> ackedTwice = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline) {
                ackedBy.clear();
                ackedTwice.clear();
                for (int i = 0; i < children.size(); i++) {
                    for (String line : children.get(i).lines()) {
                        if (line.startsWith("ACKED")) {
                            for (String n : line.substring(5).trim().split(" ")) {
                                if (ackedBy.put(Integer.parseInt(n), i) != null) {
                                    ackedTwice.add(Integer.parseInt(n));
                                }
                            }
                        }
                    }
                }
                if (ackedBy.size() >= total) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(ackedBy.keySet()).as("every message acknowledged").hasSize(total);
            assertThat(ackedTwice).as("messages acknowledged by two consumers").isEmpty();
            int[] share = new int[children.size()];
            ackedBy.values().forEach(i -> share[i]++);
            System.out.println(getClass().getSimpleName() + ": four consumer processes acknowledged " + java.util.Arrays.toString(share));
            StringBuilder errors = new StringBuilder();
            for (int i = 0; i < children.size(); i++) {
                String e = children.get(i).errorOutput();
                long got = children.get(i).lines().stream().filter(l -> l.startsWith("GOT ")).count();
                errors.append("\nconsumer ").append(i).append(children.get(i).process().isAlive() ? " (alive, " : " (exited, ")
                        .append(got).append(" delivered)")
                        .append(": ").append(e, 0, Math.min(e.length(), 3000));
            }
            for (int i = 0; i < share.length; i++) {
                assertThat(share[i]).as("consumer " + i + "'s share of " + total + " (all: " + java.util.Arrays.toString(share)
                                + ")" + errors)
                        .isGreaterThanOrEqualTo(total / 12);
            }
        } finally {
            for (ConsumerJvm ch : children) {
                ch.kill();
            }
        }
    }

    /** Consumers with different selectors in two JVMs each get their own messages, and only those. */
    @Test
    void selectorConsumersInTwoProcessesEachGetTheirOwn(TestInfo info) throws Exception {
        String queue = name(info, "q");
        int total = 20;
        List<ConsumerJvm> children = new ArrayList<>();
        try {
            // each hand-back of a message the other consumer selects counts a delivery on a broker that does not
            // filter the share fetch (Apache Kafka): allow the broker's largest limit (group.share.delivery.count.limit)
            int attempts = unselectedMessagesStayUncounted() ? 5 : KafkaPeer.SHARE_DELIVERY_LIMIT;
            children.add(child(queue, Session.AUTO_ACKNOWLEDGE, 1, "colour = 'red'", 0, attempts));
            children.add(child(queue, Session.AUTO_ACKNOWLEDGE, 1, "colour = 'blue'", 0, attempts));
            awaitReady(children);
            send(queue, total, "colour");
            List<Set<Integer>> got = List.of(new HashSet<>(), new HashSet<>());
            long deadline = System.currentTimeMillis() + 60_000;
            while (got.get(0).size() + got.get(1).size() < total && System.currentTimeMillis() < deadline) {
                for (int i = 0; i < 2; i++) {
                    for (String line : children.get(i).lines()) {
                        if (line.startsWith("GOT ")) {
                            got.get(i).add(Integer.parseInt(line.substring(4)));
                        }
                    }
                }
                Thread.sleep(100);
            }
            assertThat(got.get(0)).as("the red consumer's").hasSize(total / 2).allMatch(n -> n % 2 == 0);
            assertThat(got.get(1)).as("the blue consumer's").hasSize(total / 2).allMatch(n -> n % 2 == 1);
        } finally {
            for (ConsumerJvm ch : children) {
                ch.kill();
            }
        }
    }

    /**
     * A message rolled back {@code maxDeliveryAttempts} times is moved to the dead-letter queue, with where it came
     * from; {@code JMSXDeliveryCount} is the broker's count.
     */
    @Test
    void aPoisonMessageReachesTheDeadLetterQueueAfterTheLimit(TestInfo info) throws Exception {
        String queue = name(info, "q");
        String dlq = name(info, "dlq");
        WeirConnectionFactory f = factory();
        f.setMaxDeliveryAttempts(3);
        f.setDeadLetterQueue(dlq);
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.SESSION_TRANSACTED);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage("poison"));
            s.commit();
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            for (int attempt = 1; attempt <= 3; attempt++) {
                Message m = consumer.receive(WAIT);
                assertThat(m).as("delivery " + attempt).isNotNull();
                assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(attempt);
                assertThat(m.getJMSRedelivered()).isEqualTo(attempt > 1);
                s.rollback();
            }
            assertThat(consumer.receive(1000)).as("not delivered a fourth time").isNull();
            Session ds = c.createSession(Session.AUTO_ACKNOWLEDGE);
            TextMessage dead = (TextMessage) ds.createConsumer(ds.createQueue(dlq)).receive(WAIT);
            assertThat(dead).as("in the dead-letter queue").isNotNull();
            assertThat(dead.getText()).isEqualTo("poison");
            assertThat(dead.getStringProperty(DeadLetterRecord.ORIGINAL_QUEUE)).isEqualTo(queue);
            assertThat(dead.getStringProperty(DeadLetterRecord.DELIVERY_COUNT)).isEqualTo("3");
        }
    }

    /**
     * Gives the queue's share group a 30 s acquisition lock (the suites' brokers use a short one), so that records a
     * consumer holds stay its own through a slow test.
     */
    private void longLock(String queue) throws Exception {
        groupLock(queue, 30_000);
    }

    /** Sets the acquisition lock of the queue's share group ({@code share.record.lock.duration.ms}, a group config). */
    private void groupLock(String queue, int lockMs) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap()))) {
            var group = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP,
                    "jms-queue." + queue);
            admin.incrementalAlterConfigs(Map.of(group, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("share.record.lock.duration.ms", Integer.toString(lockMs)),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Whether a share session closed in order releases what its member never acknowledged without counting a delivery:
     * Weir's broker does (broker/SHARE-GROUPS.md); Apache Kafka 4.4 counts them (seen in KafkaShareJmsIT).
     */
    boolean closedSessionReleasesUncounted() {
        return false;
    }

    /** Sends {@code n} text messages {@code m0..m(n-1)} to {@code queue} in one committed transaction. */
    private void sendTexts(WeirConnectionFactory f, String queue, int n) throws Exception {
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = 0; i < n; i++) {
                p.send(s.createTextMessage("m" + i));
            }
            s.commit();
        }
    }

    private static String text(Message m) throws Exception {
        return m == null ? null : ((TextMessage) m).getText();
    }

    /**
     * A session that rolls back again and again only counts deliveries for the message it received: the messages its
     * consumer fetched with it and never delivered stay acquired, uncounted, and arrive afterwards in order, first
     * delivery, while the one it kept rolling back reaches the dead-letter queue at the limit, alone.
     */
    @Test
    void aSessionRollingBackDoesNotPushUndeliveredMessagesToTheDeadLetterQueue(TestInfo info) throws Exception {
        String queue = name(info, "q");
        String dlq = name(info, "dlq");
        WeirConnectionFactory f = factory();
        f.setMaxDeliveryAttempts(4);
        f.setDeadLetterQueue(dlq);
        longLock(queue);
        sendTexts(f, queue, 5);
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            for (int attempt = 1; attempt <= 4; attempt++) {
                Message m = consumer.receive(WAIT);
                assertThat(text(m)).as("delivery " + attempt).isEqualTo("m0");
                assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(attempt);
                assertThat(m.getJMSRedelivered()).isEqualTo(attempt > 1);
                s.rollback();
            }
            for (int i = 1; i < 5; i++) {
                Message m = consumer.receive(WAIT);
                assertThat(text(m)).isEqualTo("m" + i);
                assertThat(m.getIntProperty("JMSXDeliveryCount")).as("m" + i + " was never delivered before").isEqualTo(1);
                assertThat(m.getJMSRedelivered()).isFalse();
            }
            s.commit();
            assertThat(consumer.receive(500)).isNull();
            Session ds = c.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer dead = ds.createConsumer(ds.createQueue(dlq));
            assertThat(text(dead.receive(WAIT))).isEqualTo("m0");
            assertThat(dead.receive(1000)).as("only the message rolled back to the limit is dead").isNull();
        }
    }

    /**
     * recover() delivers again what the session was given, in the order it was given, before what follows, with the
     * delivery count of each; then a consumer that closes after a rollback gives back what it delivered counted and
     * what it only fetched uncounted, to the next consumer.
     */
    @Test
    void recoverKeepsTheOrderAndTheDeliveryCountsAndACloseCountsOnlyWhatWasDelivered(TestInfo info) throws Exception {
        String queue = name(info, "q");
        WeirConnectionFactory f = factory();
        longLock(queue);
        sendTexts(f, queue, 6);
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            for (int i = 0; i < 3; i++) {
                assertThat(text(consumer.receive(WAIT))).isEqualTo("m" + i);
            }
            s.recover();
            s.recover(); // nothing delivered since: changes nothing
            List<String> again = new ArrayList<>();
            Message last = null;
            for (int i = 0; i < 4; i++) {
                last = consumer.receive(WAIT);
                assertThat(last).as("message " + i + " after recover").isNotNull();
                again.add(text(last) + "#" + last.getIntProperty("JMSXDeliveryCount") + (last.getJMSRedelivered() ? "r" : ""));
            }
            assertThat(again).containsExactly("m0#2r", "m1#2r", "m2#2r", "m3#1");
            last.acknowledge(); // m0..m3
            Session t = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer tc = t.createConsumer(t.createQueue(queue));
            consumer.close(); // gives back what it fetched and did not deliver (m4, m5), uncounted
            Message m4 = tc.receive(WAIT);
            assertThat(text(m4)).isEqualTo("m4");
            int extra = closedSessionReleasesUncounted() ? 0 : 1; // Kafka 4.4 may count it (one member or the other fetched it)
            assertThat(m4.getIntProperty("JMSXDeliveryCount")).isBetween(1, 1 + extra);
            t.rollback();
            tc.close(); // m4 was delivered: counted; m5, fetched and never delivered, is not
            MessageConsumer next = t.createConsumer(t.createQueue(queue));
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Message m = next.receive(WAIT);
                assertThat(m).as("message " + i + " after the close").isNotNull();
                rest.add(text(m) + "#" + m.getIntProperty("JMSXDeliveryCount"));
            }
            if (closedSessionReleasesUncounted()) {
                assertThat(rest).containsExactly("m4#2", "m5#1");
            } else {
                assertThat(rest).hasSize(2);
                assertThat(rest.get(0)).startsWith("m4#");
                assertThat(rest.get(1)).startsWith("m5#");
            }
            t.commit();
            assertThat(next.receive(500)).isNull();
        }
    }

    /** The acquisition lock of the lock-renewal tests' queues: short, so that holding a message three locks is quick. */
    private static final int SHORT_LOCK_MS = 3000;

    /** Asks {@code other} for messages, a receive of half a second at a time, for {@code ms}: it must get none. */
    private static void getsNothingFor(MessageConsumer other, long ms) throws Exception {
        long until = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < until) {
            Message m = other.receive(500);
            assertThat(m).as("a message held by a consumer reached another consumer of the queue: " + text(m)).isNull();
        }
    }

    /**
     * A message held by one consumer for three acquisition locks, unacknowledged, while a consumer of the queue on
     * another connection asks for messages: the holder's member renews the lock (RENEW), so the other gets nothing,
     * the late acknowledgement (or commit) succeeds and the message is not delivered again.
     */
    private void holdsAMessageLongerThanTheLock(TestInfo info, int mode) throws Exception {
        String queue = name(info, "q");
        groupLock(queue, SHORT_LOCK_MS);
        WeirConnectionFactory f = factory();
        sendTexts(f, queue, 1);
        try (Connection holding = f.createConnection(); Connection another = f.createConnection()) {
            Session s = holding.createSession(mode);
            MessageConsumer holder = s.createConsumer(s.createQueue(queue));
            holding.start();
            Message m = holder.receive(WAIT);
            assertThat(text(m)).isEqualTo("m0");
            Session os = another.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer other = os.createConsumer(os.createQueue(queue));
            another.start();
            getsNothingFor(other, 3L * SHORT_LOCK_MS);
            if (mode == Session.SESSION_TRANSACTED) {
                s.commit();
            } else {
                m.acknowledge();
            }
            // an acknowledgement the broker had refused would bring the message back when its lock ran out
            getsNothingFor(other, SHORT_LOCK_MS + 1000L);
            assertThat(holder.receive(500)).as("delivered again to the holder").isNull();
        }
    }

    @Test
    void aClientAcknowledgeConsumerHoldsAMessageLongerThanTheLock(TestInfo info) throws Exception {
        holdsAMessageLongerThanTheLock(info, Session.CLIENT_ACKNOWLEDGE);
    }

    @Test
    void aTransactedConsumerCommitsAMessageHeldLongerThanTheLock(TestInfo info) throws Exception {
        holdsAMessageLongerThanTheLock(info, Session.SESSION_TRANSACTED);
    }

    /**
     * A message held for three acquisition locks and then recovered is delivered again by the same consumer, counted
     * once more; the renewals counted no delivery at the broker: given back by the holder's close, it reaches the
     * next consumer with the broker's count 2 (one acquisition by the holder, whose local redelivery the broker does
     * not know of, then this one).
     */
    @Test
    void aMessageRecoveredAfterSeveralLocksIsDeliveredAgainLocallyAndTheRenewalsCountNoDelivery(TestInfo info)
            throws Exception {
        String queue = name(info, "q");
        groupLock(queue, SHORT_LOCK_MS);
        WeirConnectionFactory f = factory();
        sendTexts(f, queue, 1);
        try (Connection another = f.createConnection()) {
            Session os = another.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer other;
            try (Connection holding = f.createConnection()) {
                Session s = holding.createSession(Session.CLIENT_ACKNOWLEDGE);
                MessageConsumer holder = s.createConsumer(s.createQueue(queue));
                holding.start();
                Message m = holder.receive(WAIT);
                assertThat(text(m)).isEqualTo("m0");
                assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
                other = os.createConsumer(os.createQueue(queue));
                another.start();
                getsNothingFor(other, 3L * SHORT_LOCK_MS);
                s.recover();
                Message again = holder.receive(WAIT);
                assertThat(text(again)).as("delivered again by the consumer that held it").isEqualTo("m0");
                assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
                assertThat(again.getJMSRedelivered()).isTrue();
            } // closing gives the delivered message back (RELEASE)
            Message next = other.receive(WAIT);
            assertThat(text(next)).isEqualTo("m0");
            assertThat(next.getIntProperty("JMSXDeliveryCount")).as("the broker's count: the renewals counted nothing")
                    .isEqualTo(2);
        }
    }
}
