package io.weir.broker.perf;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A timing harness for the broker's request paths as an unmodified {@code kafka-clients} sees them, run by
 * hand (not a test: it asserts nothing and its figures depend on the machine). One operation at a time, it
 * times a synchronous acks=all and acks=1 produce, a synchronous {@code commitSync} of one offset (one
 * OffsetCommit round trip), and the end-to-end latency of an acks=1 record to a consumer blocked in
 * {@code poll} (a long-polling fetch completed by the append).
 *
 * <pre>
 * java -cp ... io.weir.broker.perf.BrokerRoundTrips [bootstrap|embedded] [n]
 * </pre>
 * With {@code embedded} (the default) it starts a one-broker {@link EmbeddedWeirCluster} on loopback;
 * {@code -Droundtrips.watchedOnly=true} runs only the acks=all sends to a partition a consumer waits on and to one
 * nobody reads, interleaved.
 */
public final class BrokerRoundTrips {

    private BrokerRoundTrips() {
    }

    public static void main(String[] args) throws Exception {
        String where = args.length > 0 ? args[0] : "embedded";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        EmbeddedWeirCluster cluster = null;
        String bootstrap = where;
        if ("embedded".equals(where)) {
            cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
            bootstrap = cluster.bootstrapServers();
        }
        try {
            run(bootstrap, n);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    public static void run(String bootstrap, int n) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        String topic = "rt-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        if (Boolean.getBoolean("roundtrips.watchedOnly")) {
            sendsWatched(bootstrap, topic, run, n);
            return;
        }
        byte[] body = new byte[1024];
        for (String acks : List.of("all", "1", "all", "1")) {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(bootstrap, acks))) {
                long[] each = new long[n];
                for (int i = -n / 5; i < n; i++) {
                    long t0 = System.nanoTime();
                    p.send(new ProducerRecord<>(topic, body)).get();
                    if (i >= 0) {
                        each[i] = System.nanoTime() - t0;
                    }
                }
                System.out.printf(Locale.ROOT, "produce acks=%s send().get() %s%n", acks, stats(each));
            }
        }
        sendsWatched(bootstrap, topic, run, n);
        commits(bootstrap, topic, run, n);
        endToEnd(bootstrap, topic, run, n);
    }

    /** acks=all sends to a partition a consumer reads (a long-polling fetch waits on every append), interleaved with unwatched ones. */
    private static void sendsWatched(String bootstrap, String topic, String run, int n) throws Exception {
        String quiet = topic + "-q";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(quiet, 1, (short) 1))).all().get();
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(bootstrap, "w-" + run))) {
                c.assign(List.of(new TopicPartition(topic, 0)));
                c.seekToEnd(List.of(new TopicPartition(topic, 0)));
                while (!stop.get()) {
                    c.poll(Duration.ofMillis(100));
                }
            }
        });
        reader.start();
        Thread.sleep(1000);
        byte[] body = new byte[1024];
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(bootstrap, "all"))) {
            long[] watched = new long[n];
            long[] unwatched = new long[n];
            for (int i = -n / 5; i < n; i++) {
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>(topic, body)).get();
                long t1 = System.nanoTime();
                p.send(new ProducerRecord<>(quiet, body)).get();
                long t2 = System.nanoTime();
                if (i >= 0) {
                    watched[i] = t1 - t0;
                    unwatched[i] = t2 - t1;
                }
            }
            System.out.printf(Locale.ROOT, "produce acks=all, a consumer waits on the partition %s%n", stats(watched));
            System.out.printf(Locale.ROOT, "produce acks=all, nobody reads the partition      %s%n", stats(unwatched));
        } finally {
            stop.set(true);
            reader.join();
        }
    }

    private static void commits(String bootstrap, String topic, String run, int n) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(bootstrap, "g-" + run))) {
            c.subscribe(List.of(topic));
            while (c.assignment().isEmpty()) {
                c.poll(Duration.ofMillis(100));
            }
            TopicPartition tp = new TopicPartition(topic, 0);
            long[] each = new long[n];
            for (int i = -n / 5; i < n; i++) {
                long t0 = System.nanoTime();
                c.commitSync(Map.of(tp, new OffsetAndMetadata(Math.max(0, i))));
                if (i >= 0) {
                    each[i] = System.nanoTime() - t0;
                }
            }
            System.out.printf(Locale.ROOT, "commitSync (one OffsetCommit) %s%n", stats(each));
        }
    }

    private static void endToEnd(String bootstrap, String topic, String run, int n) throws Exception {
        int rounds = Math.max(100, n / 4);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(bootstrap, "e-" + run));
             KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(bootstrap, "1"))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToEnd(List.of(tp));
            c.position(tp);
            long[] each = new long[rounds];
            for (int i = -rounds / 5; i < rounds; i++) {
                c.poll(Duration.ZERO); // a fetch is now waiting on the broker
                Thread.sleep(2);
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>(topic, new byte[1024]));
                ConsumerRecords<byte[], byte[]> got;
                do {
                    got = c.poll(Duration.ofSeconds(5));
                } while (got.isEmpty());
                if (i >= 0) {
                    each[i] = System.nanoTime() - t0;
                }
            }
            System.out.printf(Locale.ROOT, "acks=1 send -> consumer poll returns it %s%n", stats(each));
        }
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
        p.put("group.id", group);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "latest");
        p.put("fetch.max.wait.ms", "500");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }

    static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format(Locale.ROOT, "n=%d mean %.3f ms, p50 %.3f, p90 %.3f, p99 %.3f, max %.3f",
                s.length, mean, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), s.length == 0 ? 0 : s[s.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
