package io.weir.jms.client;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.FaultProxy;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Calls that wait for the broker's answer, with the answer lost or the broker unreachable. The broker advertises a
 * {@link FaultProxy} in front of it, so every connection of the client goes through the proxy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LostAnswersIT {

    private static FaultProxy proxy;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        for (int attempt = 1; ; attempt++) {
            int port = io.weir.broker.testing.FreePorts.one();
            proxy = FaultProxy.start("127.0.0.1", port);
            try {
                cluster = EmbeddedWeirCluster.builder().brokers(1)
                        .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:" + port)
                        .brokerProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port())
                        .build().start();
                return;
            } catch (RuntimeException e) {
                proxy.close(); // the port was taken meanwhile: try another
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /**
     * A persistent send written by the sending thread ({@link DirectSends}) whose answer is lost after the broker appended
     * it: the connection breaks while the sender waits, the send is written again with the same producer id and sequence
     * on a new connection, the broker recognises the duplicate, and the queue holds the message once, in its place.
     */
    @Test
    void aPersistentSendWhoseAnswerWasLostIsWrittenAgainAndKeptOnce() throws Exception {
        String queue = "direct-lost-answer";
        WeirConnectionFactory f = new WeirConnectionFactory("127.0.0.1:" + proxy.port());
        f.setBrokerCheckIntervalMs(60_000); // the connection's own broker check must not notice the lost answers
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(queue);
            MessageProducer p = s.createProducer(q);
            p.setDeliveryMode(DeliveryMode.PERSISTENT);
            p.send(s.createTextMessage("before")); // the producer id and a pooled connection to the leader
            TopicPartition tp = new TopicPartition(queue, 0);
            assertThat(logEndOffset(tp)).isEqualTo(1);

            proxy.dropAnswers();
            Future<?> sending = sender.submit(() -> {
                p.send(s.createTextMessage("answer lost"));
                return null;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> logEndOffset(tp) == 2); // appended, its answer dropped
            Thread.sleep(200);
            assertThat(sending).as("the sender still waits for the answer").isNotDone();
            proxy.reset(); // the connection the answer was lost on breaks
            proxy.heal();
            sending.get(60, TimeUnit.SECONDS);

            p.send(s.createTextMessage("after"));
        } finally {
            sender.shutdownNow();
        }

        assertThat(values(new TopicPartition(queue, 0))).containsExactly("before", "answer lost", "after");
    }

    /**
     * With {@code blockOnAcknowledge}, a share-mode queue's {@code acknowledge()} returns once the broker answered for
     * the acknowledgement: while the broker cannot be reached it waits, and when the connection breaks it fails, and the
     * message comes again. (The member's thread, woken by the acknowledgement of the last record of its batch, used
     * to be able to carry it off in a fetch before the commit asked to wait for it: the call then returned at once.)
     */
    @Test
    void aBlockingAcknowledgeWaitsForTheBrokerAndFailsWhenItCannotBeReached() throws Exception {
        String queue = "share-ack-unreachable";
        WeirConnectionFactory f = new WeirConnectionFactory("127.0.0.1:" + proxy.port());
        f.setBrokerCheckIntervalMs(60_000); // the connection's own broker check must not notice the outage
        f.setQueueMode(io.weir.jms.QueueMode.SHARE);
        f.setBlockOnAcknowledge(true);
        ExecutorService acknowledger = Executors.newSingleThreadExecutor();
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.CLIENT_ACKNOWLEDGE);
            Queue q = s.createQueue(queue);
            MessageProducer p = s.createProducer(q);
            p.send(s.createTextMessage("m0"));
            MessageConsumer consumer = s.createConsumer(q);
            c.start();
            Message m = consumer.receive(30_000);
            assertThat(m).isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo("m0");

            proxy.blackhole();
            Future<?> acknowledging = acknowledger.submit(() -> {
                m.acknowledge();
                return null;
            });
            Thread.sleep(1_000);
            if (acknowledging.isDone()) {
                assertThatThrownBy(acknowledging::get).as("acknowledge() returned while the broker was unreachable")
                        .hasCauseInstanceOf(JMSException.class);
            }
            proxy.reset(); // the member's connection breaks
            proxy.heal();
            // well within the session's own 30 s wait for an answer: the break, not a timeout, fails it
            assertThatThrownBy(() -> acknowledging.get(20, TimeUnit.SECONDS)).as("the acknowledgement never reached the broker")
                    .hasCauseInstanceOf(JMSException.class);

            Message again = consumer.receive(60_000);
            assertThat(again).as("the message whose acknowledgement failed comes again").isNotNull();
            assertThat(((TextMessage) again).getText()).isEqualTo("m0");
            again.acknowledge();
            assertThat(consumer.receive(500)).isNull();
        } finally {
            acknowledger.shutdownNow();
            proxy.heal();
        }
    }

    private static long logEndOffset(TopicPartition tp) {
        return cluster.broker(0).replicaManager().partition(tp).map(p -> p.log().logEndOffset()).orElse(-1L);
    }

    /** The partition's records read by a plain kafka-clients consumer, their JMS text bodies. */
    private static List<String> values(TopicPartition tp) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName(), "isolation.level", "read_committed"))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
