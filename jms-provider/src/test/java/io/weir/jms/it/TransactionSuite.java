package io.weir.jms.it;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionRolledBackException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transacted sessions on broker transactions (the default {@code transactions=kafka}): atomic sends and consumed
 * positions, aborts no consumer ever sees, zombie fencing, and exactly-once consume-transform-produce across a
 * client JVM killed at random points, commits included. Each subclass runs it against one broker with
 * transactions.
 */
abstract class TransactionSuite {

    static final long WAIT = 15_000;

    abstract String bootstrap();

    /**
     * Classic queue mode: what this suite proves (consumed positions committed in the Kafka transaction, exactly-once
     * consume-transform-produce) runs on consumer groups against both brokers; share-group queues in transactions are
     * Weir's (WeirTransactionIT, ShareTransactedRelayIT).
     */
    WeirConnectionFactory factory() {
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap());
        f.setQueueMode(io.weir.jms.QueueMode.CLASSIC);
        return f;
    }

    static String name(TestInfo info, String suffix) {
        return info.getTestMethod().orElseThrow().getName() + "-" + suffix + "-" + System.nanoTime() % 100000;
    }

    private static String text(Message m) throws Exception {
        assertThat(m).as("a message within the wait").isNotNull();
        return ((TextMessage) m).getText();
    }

    private void seed(String queue, int count) throws Exception {
        try (Connection c = factory().createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = 0; i < count; i++) {
                TextMessage m = s.createTextMessage("m" + i);
                m.setIntProperty("n", i);
                p.send(m);
            }
        }
    }

    /** The bodies of every record of partition 0 of {@code topic}, read with a plain Kafka consumer. */
    List<String> readRaw(String topic, String isolation) {
        try (KafkaConsumer<byte[], byte[]> kc = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap(),
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class,
                "isolation.level", isolation))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            kc.assign(List.of(tp));
            kc.seekToBeginning(List.of(tp));
            long end = kc.endOffsets(List.of(tp)).get(tp);
            List<String> bodies = new ArrayList<>();
            long deadline = System.currentTimeMillis() + WAIT;
            while (kc.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : kc.poll(Duration.ofMillis(200))) {
                    bodies.add(r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            return bodies;
        }
    }

    /** The group's committed offset of partition 0 of {@code topic}, -1 if none. */
    private long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            OffsetAndMetadata om = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
            return om == null ? -1 : om.offset();
        }
    }

    private static void eventually(org.awaitility.core.ThrowingRunnable assertion) {
        Awaitility.await().atMost(Duration.ofMillis(WAIT)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
    }

    @Test
    void sendsAndConsumedPositionsCommitAtomically(TestInfo info) throws Exception {
        String in = name(info, "in");
        String out = name(info, "out");
        seed(in, 5);
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer consumer = tx.createConsumer(tx.createQueue(in));
            MessageProducer producer = tx.createProducer(tx.createQueue(out));
            c.start();
            for (int i = 0; i < 5; i++) {
                producer.send(tx.createTextMessage("copy of " + text(consumer.receive(WAIT))));
            }
            eventually(() -> assertThat(readRaw(out, "read_uncommitted")).as("written, in an open transaction").hasSize(5));
            assertThat(readRaw(out, "read_committed")).as("not visible before commit").isEmpty();
            assertThat(committed(in, in)).as("no position before commit").isEqualTo(-1);
            tx.commit();
            // commit() returns once the coordinator logged the commit; the markers follow at once, asynchronously
            eventually(() -> assertThat(readRaw(out, "read_committed")).containsExactly("copy of m0", "copy of m1",
                    "copy of m2", "copy of m3", "copy of m4"));
            eventually(() -> assertThat(committed(in, in)).as("the queue's position, committed with the sends")
                    .isEqualTo(5));
            assertThat(consumer.receive(300)).isNull();
        }
        try (Connection c = factory().createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer again = s.createConsumer(s.createQueue(in));
            c.start();
            assertThat(again.receive(1000)).as("everything was consumed by the transaction").isNull();
        }
    }

    @Test
    void aRolledBackSendIsAbortedOnTheBrokerAndNeverDelivered(TestInfo info) throws Exception {
        String queue = name(info, "q");
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            Session plain = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue q = tx.createQueue(queue);
            MessageProducer p = tx.createProducer(q);
            MessageConsumer watcher = plain.createConsumer(q);
            c.start();
            p.send(tx.createTextMessage("rolled back"));
            Awaitility.await().atMost(Duration.ofMillis(WAIT)).until(() -> readRaw(queue, "read_uncommitted").size() == 1);
            tx.rollback(); // the record is in the log: the abort marker must hide it
            p.send(tx.createTextMessage("committed"));
            tx.commit();
            assertThat(text(watcher.receive(WAIT))).isEqualTo("committed");
            assertThat(watcher.receive(500)).isNull();
        }
        assertThat(readRaw(queue, "read_uncommitted")).as("the aborted record is in the log")
                .containsExactly("rolled back", "committed");
        assertThat(readRaw(queue, "read_committed")).containsExactly("committed");
    }

    @Test
    void rollbackRedeliversFlaggedAndCommitConsumes(TestInfo info) throws Exception {
        String queue = name(info, "q");
        seed(queue, 2);
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer consumer = tx.createConsumer(tx.createQueue(queue));
            c.start();
            Message first = consumer.receive(WAIT);
            assertThat(text(first)).isEqualTo("m0");
            assertThat(first.getJMSRedelivered()).isFalse();
            tx.rollback();
            Message again = consumer.receive(WAIT);
            assertThat(text(again)).isEqualTo("m0");
            assertThat(again.getJMSRedelivered()).isTrue();
            assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
            assertThat(text(consumer.receive(WAIT))).isEqualTo("m1");
            tx.commit();
            assertThat(consumer.receive(300)).isNull();
            eventually(() -> assertThat(committed(queue, queue)).isEqualTo(2));
        }
    }

    @Test
    void aConsumerClosedInsideTheTransactionIsCommittedWithIt(TestInfo info) throws Exception {
        String queue = name(info, "q");
        seed(queue, 1);
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer consumer = tx.createConsumer(tx.createQueue(queue));
            c.start();
            assertThat(text(consumer.receive(WAIT))).isEqualTo("m0");
            consumer.close();
            tx.commit();
        }
        eventually(() -> assertThat(committed(queue, queue)).isEqualTo(1));
    }

    @Test
    void closingASessionAbortsItsOpenTransactionAtOnce(TestInfo info) throws Exception {
        String queue = name(info, "q");
        try (Connection c = factory().createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            tx.createProducer(tx.createQueue(queue)).send(tx.createTextMessage("open"));
            tx.close();
            Session plain = c.createSession(Session.AUTO_ACKNOWLEDGE);
            plain.createProducer(plain.createQueue(queue)).send(plain.createTextMessage("after"));
            MessageConsumer consumer = plain.createConsumer(plain.createQueue(queue));
            c.start();
            // read_committed consumers wait at an open transaction: "after" arrives only because close aborted it
            assertThat(text(consumer.receive(WAIT))).isEqualTo("after");
            assertThat(consumer.receive(300)).isNull();
        }
    }

    @Test
    void aSessionWhoseTransactionalIdIsTakenOverIsFenced(TestInfo info) throws Exception {
        takenOverSessionIsFenced(info, factory());
    }

    /** {@link #aSessionWhoseTransactionalIdIsTakenOverIsFenced} on connections of {@code f}. */
    void takenOverSessionIsFenced(TestInfo info, WeirConnectionFactory f) throws Exception {
        String queue = name(info, "q");
        String prefix = name(info, "app");
        f.setTransactionalIdPrefix(prefix);
        try (Connection c = f.createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            MessageProducer p = tx.createProducer(tx.createQueue(queue));
            p.send(tx.createTextMessage("zombie's"));
            // the same application restarted elsewhere: its first transacted session has the same id
            try (KafkaProducer<byte[], byte[]> successor = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(),
                    "transactional.id", prefix + "-0", "key.serializer", ByteArraySerializer.class,
                    "value.serializer", ByteArraySerializer.class))) {
                successor.initTransactions();
            }
            assertThatThrownBy(tx::commit).isInstanceOf(TransactionRolledBackException.class)
                    .satisfies(e -> assertThat(((TransactionRolledBackException) e).getLinkedException())
                            // the broker fences the zombie with either error, depending on whether its commit or
                            // an in-flight produce meets the bumped epoch first
                            .isInstanceOfAny(ProducerFencedException.class,
                                    org.apache.kafka.common.errors.InvalidProducerEpochException.class));
            // the session never commits again: it is fenced at once (its commit, or the abort after a send that met the
            // successor's epoch, got PRODUCER_FENCED), or its next transaction is (an abort that passed leaves the
            // producer at its old epoch: it never initializes the id again, which would fence the successor)
            try {
                p.send(tx.createTextMessage("more"));
                assertThatThrownBy(tx::commit).isInstanceOfAny(TransactionRolledBackException.class, IllegalStateException.class);
            } catch (IllegalStateException fencedAtOnce) {
                // the usual case
            }
            tx.rollback(); // allowed: nothing left to roll back
        }
        assertThat(readRaw(queue, "read_committed")).as("the fenced session's send never commits").isEmpty();
    }

    /** {@code transactions=local}: the buffering engine for brokers without transactions. */
    @Test
    void localTransactionsBufferSendsUntilCommit(TestInfo info) throws Exception {
        String queue = name(info, "q");
        WeirConnectionFactory f = factory();
        f.setTransactions("local");
        try (Connection c = f.createConnection()) {
            Session tx = c.createSession(Session.SESSION_TRANSACTED);
            MessageProducer p = tx.createProducer(tx.createQueue(queue));
            p.send(tx.createTextMessage("rolled back"));
            assertThat(readRaw(queue, "read_uncommitted")).as("nothing sent before commit").isEmpty();
            tx.rollback();
            p.send(tx.createTextMessage("committed"));
            tx.commit();
            assertThat(readRaw(queue, "read_uncommitted")).as("plain records, no transaction").containsExactly("committed");
            MessageConsumer consumer = tx.createConsumer(tx.createQueue(queue));
            c.start();
            assertThat(text(consumer.receive(WAIT))).isEqualTo("committed");
            tx.rollback();
            Message again = consumer.receive(WAIT);
            assertThat(again.getJMSRedelivered()).isTrue();
            tx.commit();
        }
        eventually(() -> assertThat(committed(queue, queue)).isEqualTo(1));
    }

    @Test
    void badTransactionSettingsAreRefused() {
        WeirConnectionFactory f = factory();
        assertThatThrownBy(() -> f.setTransactions("xa")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'kafka' or 'local'");
        f.setProperty("transactions", "LOCAL");
        assertThat(f.getTransactions()).isEqualTo("local");
    }

    /**
     * Consume-transform-produce from A to B in a child JVM killed with SIGKILL, restarted each time with the same
     * transactional id prefix; a last run finishes the work. Kills alternate between a random moment after a
     * commit and a random moment just after a commit started, and the test counts the kills that landed inside
     * {@code commit()} (the child had announced the commit and not its end): at least four kills, and at least two
     * of them inside a commit (at most eight kills). B then holds every input exactly once (read_committed) and
     * A's committed position is the end of A.
     */
    @Test
    void consumeTransformProduceIsExactlyOnceAcrossClientKills(TestInfo info) throws Exception {
        relayExactlyOnceAcrossClientKills(info, io.weir.jms.QueueMode.CLASSIC);
    }

    /** {@link #consumeTransformProduceIsExactlyOnceAcrossClientKills} with the relay consuming A in {@code mode}. */
    void relayExactlyOnceAcrossClientKills(TestInfo info, io.weir.jms.QueueMode mode) throws Exception {
        String a = name(info, "a");
        String b = name(info, "b");
        int total = 150;
        seed(a, total);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String prefix = "relay-" + a;
        int kills = 0;
        int insideCommit = 0;
        while (kills < 8 && (kills < 4 || insideCommit < 2)) {
            Relay relay = Relay.start(bootstrap(), a, b, prefix, mode);
            try {
                int commits = 1 + random.nextInt(4);
                if (kills % 2 == 0) {
                    relay.await("COMMIT " + commits, 90_000);
                    Thread.sleep(random.nextInt(8)); // inside commit(), at one of its steps
                } else {
                    relay.await("COMMITTED " + commits, 90_000);
                    Thread.sleep(random.nextInt(25)); // anywhere: receiving, sending, committing
                }
            } finally {
                insideCommit += relay.kill() ? 1 : 0;
                kills++;
            }
        }
        System.out.printf("relay killed %d times, %d of them inside commit() (random seed %d)%n", kills, insideCommit, seed);
        assertThat(insideCommit).as("kills inside commit() of %d (random seed %d)", kills, seed).isGreaterThanOrEqualTo(1);
        Map<Integer, Integer> copies = new HashMap<>();
        Relay last = Relay.start(bootstrap(), a, b, prefix, mode);
        try (Connection c = factory().createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(b));
            c.start();
            long deadline = System.currentTimeMillis() + 120_000;
            while (copies.size() < total && System.currentTimeMillis() < deadline) {
                Message m = consumer.receive(1000);
                if (m != null) {
                    copies.merge(m.getIntProperty("n"), 1, Integer::sum);
                }
            }
            Message late; // a duplicate must not turn up late either
            while ((late = consumer.receive(1500)) != null) {
                copies.merge(late.getIntProperty("n"), 1, Integer::sum);
            }
        } finally {
            last.kill();
        }
        assertThat(copies).as("every input relayed (random seed %d)", seed).hasSize(total);
        assertThat(copies.values()).as("each input exactly once (random seed %d): %s", seed, copies)
                .allMatch(count -> count == 1);
        assertThat(readRaw(b, "read_committed")).hasSize(total);
        if (mode == io.weir.jms.QueueMode.CLASSIC) {
            eventually(() -> assertThat(committed(a, a)).as("A's position").isEqualTo(total));
        } else {
            // every input was acknowledged with its relayed copy: the queue's share group has nothing left to deliver
            WeirConnectionFactory f = factory();
            f.setQueueMode(mode);
            try (Connection c = f.createConnection()) {
                Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
                MessageConsumer consumer = s.createConsumer(s.createQueue(a));
                c.start();
                Message left = consumer.receive(3000);
                assertThat(left).as("an input left on A after the relay acknowledged everything (random seed %d)", seed).isNull();
            }
        }
    }

    /** One run of {@link TransactedRelay} in its own JVM. */
    private record Relay(Process process, Path report) {
        static Relay start(String bootstrap, String from, String to, String prefix, io.weir.jms.QueueMode mode) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path report = Files.createTempFile("relay", ".out");
            Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    TransactedRelay.class.getName(), bootstrap, from, to, prefix, "3", mode.name())
                    .redirectErrorStream(true).redirectOutput(report.toFile()).start();
            return new Relay(p, report);
        }

        void await(String line, long timeoutMs) throws Exception {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < deadline && process.isAlive()
                    && !Files.readAllLines(report).contains(line)) {
                Thread.sleep(2);
            }
            assertThat(process.isAlive()).as("the relay runs: " + Files.readString(report)).isTrue();
        }

        /** SIGKILL; true when the relay was inside commit() (its last complete line announced a commit). */
        boolean kill() throws Exception {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String written = Files.readString(report);
            Files.deleteIfExists(report);
            String[] lines = written.split("\n");
            int complete = written.endsWith("\n") ? lines.length : lines.length - 1; // a line cut by the kill does not count
            for (int i = complete - 1; i >= 0; i--) {
                if (lines[i].startsWith("COMMIT ")) {
                    return true;
                }
                if (lines[i].startsWith("COMMITTED ") || lines[i].startsWith("ROLLEDBACK")) {
                    return false;
                }
            }
            return false;
        }
    }
}
