package io.weir.jms.client;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.FaultProxy;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
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
import static org.awaitility.Awaitility.await;

/**
 * A persistent send written by the sending thread ({@link DirectSends}) whose answer is lost after the broker appended
 * it: the connection breaks while the sender waits, the send is written again with the same producer id and sequence
 * on a new connection, the broker recognises the duplicate, and the queue holds the message once, in its place. The
 * broker advertises a {@link FaultProxy} in front of it, so every connection of the client goes through the proxy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DirectSendsLostAnswerIT {

    private static FaultProxy proxy;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
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

    private static int freePort() throws IOException {
        return io.weir.broker.testing.FreePorts.one();
    }

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
