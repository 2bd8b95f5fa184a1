package io.weir.jms.perf;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the provider adds to the broker round trip under it, run by hand (not a test: it asserts nothing and its
 * figures depend on the machine). On a loaded machine absolute latencies wander from run to run, so each JMS
 * operation is timed interleaved, in small alternating blocks, with the bare {@code kafka-clients} call it
 * costs, against the same broker in the same JVM; the difference of the medians is the provider's own cost:
 * <ul>
 *   <li>{@code Message.acknowledge()} (CLIENT_ACKNOWLEDGE, one message per acknowledge) against a bare
 *       {@code commitSync} of one offset;</li>
 *   <li>a synchronous PERSISTENT {@code send} against a bare acks=all {@code send().get()};</li>
 *   <li>a NON_PERSISTENT send to a receive that waits for it, against the same one-way trip of bare
 *       kafka-clients (acks=1 send, a consumer blocked in poll).</li>
 * </ul>
 * <pre>
 * java -cp ... io.weir.jms.perf.RoundTripOverhead [bootstrap|embedded] [rounds]
 * </pre>
 */
public final class RoundTripOverhead {

    private static final int BLOCK = 50;

    private RoundTripOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = TimingRuns.intArg(args, 1, 2_000);
        TimingRuns.onBroker(args, bootstrap -> run(bootstrap, rounds));
    }

    static void run(String bootstrap, int rounds) throws Exception {
        String run = TimingRuns.runId();
        byte[] body = new byte[1024];
        String raw = "raw-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(raw, 1, (short) 1))).all().get();
        }
        WeirConnectionFactory factory = new WeirConnectionFactory(bootstrap);
        try (Connection c = factory.createConnection();
             KafkaProducer<byte[], byte[]> all = new KafkaProducer<>(producerProps(bootstrap, "all"));
             KafkaProducer<byte[], byte[]> one = new KafkaProducer<>(producerProps(bootstrap, "1"));
             KafkaConsumer<byte[], byte[]> committer = new KafkaConsumer<>(consumerProps(bootstrap, "g-" + run));
             KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(consumerProps(bootstrap, null))) {
            c.start();
            committer.subscribe(List.of(raw));
            while (committer.assignment().isEmpty()) {
                committer.poll(Duration.ofMillis(100));
            }
            TopicPartition tp = new TopicPartition(raw, 0);
            reader.assign(List.of(tp));
            reader.seekToEnd(List.of(tp));
            reader.position(tp);

            Session ss = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = ss.createQueue("ack-" + run);
            MessageProducer persistent = ss.createProducer(q);
            persistent.setDeliveryMode(DeliveryMode.PERSISTENT);
            Session cs = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer acker = cs.createConsumer(q);

            Queue oneWay = ss.createQueue("np-" + run);
            MessageProducer fast = ss.createProducer(oneWay);
            fast.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            Session rs = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer receiver = rs.createConsumer(oneWay);

            long[][] t = new long[6][rounds];
            int warm = rounds / 5;
            for (int i = -warm; i < rounds; i += BLOCK) {
                for (int k = i; k < i + BLOCK && k < rounds; k++) {
                    long t0 = System.nanoTime();
                    all.send(new ProducerRecord<>(raw, body)).get();
                    long t1 = System.nanoTime();
                    BytesMessage m = ss.createBytesMessage();
                    m.writeBytes(body);
                    long t2 = System.nanoTime();
                    persistent.send(m);
                    long t3 = System.nanoTime();
                    if (k >= 0) {
                        t[0][k] = t1 - t0;
                        t[1][k] = t3 - t2;
                    }
                }
                for (int k = i; k < i + BLOCK && k < rounds; k++) {
                    long t0 = System.nanoTime();
                    committer.commitSync(Map.of(tp, new OffsetAndMetadata(k + warm + 1)));
                    long t1 = System.nanoTime();
                    Message got = acker.receive(30_000);
                    if (got == null) {
                        throw new IllegalStateException("nothing to acknowledge");
                    }
                    long t2 = System.nanoTime();
                    got.acknowledge();
                    long t3 = System.nanoTime();
                    if (k >= 0) {
                        t[2][k] = t1 - t0;
                        t[3][k] = t3 - t2;
                    }
                }
                for (int k = i; k < i + BLOCK && k < rounds; k++) {
                    reader.poll(Duration.ZERO); // a fetch now waits on the broker
                    long t0 = System.nanoTime();
                    one.send(new ProducerRecord<>(raw, body));
                    while (reader.poll(Duration.ofSeconds(5)).isEmpty()) {
                        // until it arrives
                    }
                    long t1 = System.nanoTime();
                    BytesMessage m = ss.createBytesMessage();
                    m.writeBytes(body);
                    long t2 = System.nanoTime();
                    fast.send(m);
                    if (receiver.receive(30_000) == null) {
                        throw new IllegalStateException("non-persistent message lost");
                    }
                    long t3 = System.nanoTime();
                    if (k >= 0) {
                        t[4][k] = t1 - t0;
                        t[5][k] = t3 - t2;
                    }
                }
            }
            line("sync send: kafka acks=all send().get()", t[0], "JMS PERSISTENT send()", t[1]);
            line("ack: kafka commitSync(1 offset)", t[2], "JMS acknowledge()", t[3]);
            line("one-way: kafka acks=1 send -> poll", t[4], "JMS NON_PERSISTENT send -> receive", t[5]);
        }
    }

    private static void line(String rawName, long[] rawT, String jmsName, long[] jmsT) {
        double r = median(rawT);
        double j = median(jmsT);
        System.out.printf(Locale.ROOT, "%-40s p50 %.3f ms p90 %.3f | %-36s p50 %.3f ms p90 %.3f | provider adds %.3f ms (p50)%n",
                rawName, r, pct(rawT, 0.9), jmsName, j, pct(jmsT, 0.9), j - r);
    }

    private static double median(long[] nanos) {
        return pct(nanos, 0.5);
    }

    private static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.max(0, Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1))] / 1e6;
    }

    private static Properties producerProps(String bootstrap, String acks) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", acks);
        p.put("linger.ms", "0");
        p.put("enable.idempotence", "all".equals(acks) ? "true" : "false");
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return p;
    }

    private static Properties consumerProps(String bootstrap, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        if (group != null) {
            p.put("group.id", group);
        }
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "latest");
        p.put("fetch.max.wait.ms", "200");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }
}
