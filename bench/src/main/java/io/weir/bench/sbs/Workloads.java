package io.weir.bench.sbs;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The client workloads; the very same code runs against both brokers. */
final class Workloads {
    static final String TOPIC = "sbs";
    static final String WARMUP_TOPIC = "sbs-warmup";
    private static final double MB = 1_000_000.0;

    private Workloads() {
    }

    /** What one run measured: named figures in display order, or the error that ended it. */
    record RunResult(Map<String, Double> metrics, String error, List<String> notes) {
        static RunResult failed(String error) {
            return new RunResult(Map.of(), error, List.of());
        }
    }

    /** A workload: the same client code against whichever broker it is given. */
    interface Workload {
        String name();

        RunResult run(Target broker) throws Exception;
    }

    /** Lower-is-better metrics (latencies); everything else is a rate. */
    static boolean lowerIsBetter(String metric) {
        return metric.contains(" ms");
    }

    // ------------------------------------------------------------------ throughput

    /** Producer at full speed for a duration (or record count), then a consumer reading it all back. */
    record Throughput(int size, String acks, int partitions, double seconds, long records, double warmupSeconds)
            implements Workload {
        @Override
        public String name() {
            return size + " B acks=" + acks + " " + partitions + "p";
        }

        @Override
        public RunResult run(Target broker) throws Exception {
            long ph0 = System.nanoTime();
            List<TopicPartition> warmTps = warmupSeconds > 0 ? createTopic(broker, WARMUP_TOPIC, partitions) : List.of();
            List<TopicPartition> tps = createTopic(broker, TOPIC, partitions);
            long ph1 = System.nanoTime();
            Map<String, Double> m = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();

            byte[] value = new byte[size];
            new Random(42).nextBytes(value);
            Histogram ack = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
            AtomicLong acked = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicReference<Exception> firstError = new AtomicReference<>();
            long sent = 0;
            long start;
            long elapsed;
            long warmProduceNanos;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(broker, acks))) {
                if (!warmTps.isEmpty()) {
                    // untimed: the broker's and the client's JIT, connections and page cache get going
                    long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                    while (System.nanoTime() < warmEnd && firstError.get() == null) {
                        producer.send(new ProducerRecord<>(WARMUP_TOPIC, value), (md, ex) -> {
                            if (ex != null) {
                                firstError.compareAndSet(null, ex);
                            }
                        });
                    }
                    producer.flush();
                    if (firstError.get() != null) {
                        return RunResult.failed("warm-up produce: " + firstError.get());
                    }
                }
                producer.partitionsFor(TOPIC); // metadata outside the timed section
                start = System.nanoTime();
                warmProduceNanos = start - ph1;
                long end = start + (long) (seconds * 1e9);
                while (records > 0 ? sent < records : System.nanoTime() < end) {
                    final long t = System.nanoTime();
                    producer.send(new ProducerRecord<>(TOPIC, value), (md, ex) -> {
                        if (ex == null) {
                            acked.incrementAndGet();
                            ack.recordValue(Math.min(ack.getHighestTrackableValue(), (System.nanoTime() - t) / 1000));
                        } else {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, ex);
                        }
                    });
                    sent++;
                    if (firstError.get() != null) {
                        break;
                    }
                }
                producer.flush();
                elapsed = System.nanoTime() - start;
            }
            if (firstError.get() != null) {
                return RunResult.failed("produce: " + failed.get() + " of " + sent + " sends failed, first: " + firstError.get());
            }
            double secs = elapsed / 1e9;
            m.put("produce rec/s", acked.get() / secs);
            m.put("produce MB/s", acked.get() * (double) size / secs / MB);
            notes.add(String.format(java.util.Locale.ROOT, "produce ack latency (queueing at full speed) p50 %.0f ms, p99 %.0f ms",
                    ack.getValueAtPercentile(50) / 1000.0, ack.getValueAtPercentile(99) / 1000.0));

            long ph2 = System.nanoTime();
            long endOffsets = endOffsets(broker, tps);
            if (endOffsets != acked.get()) {
                notes.add("log end offsets sum to " + endOffsets + " but " + acked.get() + " sends were acknowledged");
            }

            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(broker))) {
                if (!warmTps.isEmpty()) {
                    long warmCount = endOffsets(broker, warmTps);
                    consumer.assign(warmTps);
                    consumer.seekToBeginning(warmTps);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    for (long c = 0; c < warmCount; c += consumer.poll(Duration.ofMillis(200)).count()) {
                        if (System.nanoTime() > deadline) {
                            return RunResult.failed("warm-up consume: not done in 60 s (" + c + " of " + warmCount + ")");
                        }
                    }
                }
                long ph3 = System.nanoTime();
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                long count = 0;
                long bytes = 0;
                long t0 = System.nanoTime();
                long lastProgress = t0;
                while (count < endOffsets) {
                    ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(200));
                    if (recs.isEmpty()) {
                        if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                            return RunResult.failed("consume: stalled at " + count + " of " + endOffsets + " records for 30 s");
                        }
                        continue;
                    }
                    lastProgress = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : recs) {
                        bytes += r.value().length;
                    }
                    count += recs.count();
                }
                double csecs = (System.nanoTime() - t0) / 1e9;
                m.put("consume rec/s", count / csecs);
                m.put("consume MB/s", bytes / csecs / MB);
                if (count != endOffsets) {
                    notes.add("consumer read " + count + " records, log end offsets sum to " + endOffsets);
                }
                notes.add(String.format(java.util.Locale.ROOT,
                        "phases: topics %.1f s, warm-up produce %.1f s, produce+close %.1f s, warm-up consume %.1f s, consume %.1f s",
                        (ph1 - ph0) / 1e9, warmProduceNanos / 1e9, (ph2 - ph1 - warmProduceNanos) / 1e9, (ph3 - ph2) / 1e9,
                        (System.nanoTime() - ph3) / 1e9));
            }
            return new RunResult(m, null, notes);
        }
    }

    // ------------------------------------------------------------------ latency

    /**
     * A fixed send rate; every value starts with its intended send time (System.nanoTime of the harness
     * JVM), and the consumer, in the same JVM, records now minus that time. A producer that falls
     * behind schedule therefore shows up as latency instead of being hidden (no coordinated omission).
     */
    record Latency(int rate, int size, String acks, int partitions, double seconds, double warmupSeconds) implements Workload {
        @Override
        public String name() {
            return "e2e " + rate + "/s " + size + " B acks=" + acks + " " + partitions + "p";
        }

        @Override
        public RunResult run(Target broker) throws Exception {
            List<TopicPartition> tps = createTopic(broker, TOPIC, partitions);
            Histogram e2e = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
            AtomicLong received = new AtomicLong();
            AtomicReference<Throwable> consumerError = new AtomicReference<>();
            AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
            AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            List<long[]> slow = new ArrayList<>(); // partition, offset, sent (ns after measuring began), latency µs

            Thread consumerThread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(broker))) {
                    consumer.assign(tps);
                    consumer.seekToBeginning(tps);
                    for (TopicPartition tp : tps) {
                        consumer.position(tp);
                    }
                    ready.countDown();
                    long deadline = Long.MAX_VALUE;
                    while (received.get() < expected.get()) {
                        ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(100));
                        long now = System.nanoTime();
                        for (ConsumerRecord<byte[], byte[]> r : recs) {
                            long sentAt = ByteBuffer.wrap(r.value()).getLong(0);
                            if (sentAt >= measureFrom.get()) {
                                long micros = Math.max(0, (now - sentAt) / 1000);
                                e2e.recordValue(Math.min(e2e.getHighestTrackableValue(), micros));
                                if (micros >= 100_000) {
                                    slow.add(new long[] {r.partition(), r.offset(), sentAt - measureFrom.get(), micros});
                                }
                            }
                        }
                        received.addAndGet(recs.count());
                        if (expected.get() != Long.MAX_VALUE && deadline == Long.MAX_VALUE) {
                            deadline = now + TimeUnit.SECONDS.toNanos(30);
                        }
                        if (now > deadline) {
                            throw new TimeoutException("received " + received.get() + " of " + expected.get()
                                    + " records 30 s after the producer finished");
                        }
                    }
                } catch (Throwable t) {
                    consumerError.set(t);
                    ready.countDown();
                }
            }, "sbs-latency-consumer");
            consumerThread.start();
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new TimeoutException("latency consumer did not get its start position in 60 s");
            }

            Histogram ack = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
            AtomicLong acked = new AtomicLong();
            AtomicReference<Exception> firstError = new AtomicReference<>();
            long period = Math.round(1e9 / rate);
            long sent = 0;
            long start;
            long maxBehind = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(broker, acks))) {
                producer.partitionsFor(TOPIC);
                byte[] value = new byte[size];
                new Random(7).nextBytes(value);
                ByteBuffer stamp = ByteBuffer.wrap(value);
                start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                measureFrom.set(start + (long) (warmupSeconds * 1e9));
                long end = measureFrom.get() + (long) (seconds * 1e9);
                for (long i = 0; ; i++) {
                    long intended = start + i * period;
                    if (intended >= end || firstError.get() != null) {
                        break;
                    }
                    long now;
                    while ((now = System.nanoTime()) < intended) {
                        long wait = intended - now;
                        if (wait > 60_000) {
                            LockSupport.parkNanos(wait - 50_000);
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                    maxBehind = Math.max(maxBehind, now - intended);
                    stamp.putLong(0, intended); // send() copies the value into its batch before returning
                    final long t = intended;
                    producer.send(new ProducerRecord<>(TOPIC, value), (md, ex) -> {
                        if (ex == null) {
                            acked.incrementAndGet();
                            ack.recordValue(Math.min(ack.getHighestTrackableValue(), (System.nanoTime() - t) / 1000));
                        } else {
                            firstError.compareAndSet(null, ex);
                        }
                    });
                    sent++;
                }
                producer.flush();
            }
            expected.set(firstError.get() == null ? acked.get() : received.get());
            consumerThread.join(TimeUnit.SECONDS.toMillis(60));
            if (firstError.get() != null) {
                return RunResult.failed("produce: " + firstError.get());
            }
            if (consumerError.get() != null) {
                return RunResult.failed("consume: " + consumerError.get());
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("e2e p50 ms", e2e.getValueAtPercentile(50) / 1000.0);
            m.put("e2e p99 ms", e2e.getValueAtPercentile(99) / 1000.0);
            m.put("e2e p99.9 ms", e2e.getValueAtPercentile(99.9) / 1000.0);
            m.put("e2e max ms", e2e.getMaxValue() / 1000.0);
            m.put("produce ack p50 ms", ack.getValueAtPercentile(50) / 1000.0);
            m.put("produce ack p99 ms", ack.getValueAtPercentile(99) / 1000.0);
            m.put("sent rec/s", acked.get() / (seconds + warmupSeconds));
            List<String> notes = new ArrayList<>();
            if (maxBehind > TimeUnit.MILLISECONDS.toNanos(50)) {
                notes.add(String.format("the sender fell up to %.0f ms behind its schedule", maxBehind / 1e6));
            }
            notes.add(e2e.getTotalCount() + " latencies recorded of " + received.get() + " received");
            if (!slow.isEmpty()) {
                notes.add(slowEpisodes(slow));
            }
            return new RunResult(m, null, notes);
        }
    }

    /** Records that took 100 ms or more, grouped into runs of consecutive offsets. */
    static String slowEpisodes(List<long[]> slow) {
        StringBuilder sb = new StringBuilder(slow.size() + " records took >= 100 ms:");
        int shown = 0;
        int i = 0;
        while (i < slow.size()) {
            int j = i;
            long max = slow.get(i)[3];
            while (j + 1 < slow.size() && slow.get(j + 1)[0] == slow.get(i)[0] && slow.get(j + 1)[1] == slow.get(j)[1] + 1) {
                j++;
                max = Math.max(max, slow.get(j)[3]);
            }
            if (shown++ < 5) {
                sb.append(String.format(java.util.Locale.ROOT, " [p%d offsets %d..%d sent at +%.2f s, up to %.0f ms]",
                        slow.get(i)[0], slow.get(i)[1], slow.get(j)[1], slow.get(i)[2] / 1e9, max / 1000.0));
            }
            i = j + 1;
        }
        if (shown > 5) {
            sb.append(" and ").append(shown - 5).append(" more episodes");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ consumer groups

    /**
     * Consumer groups: {@code records} of {@code size} bytes are produced (untimed) to {@code partitions}
     * partitions; then {@code members} consumers of one group subscribe and read everything (consume rate,
     * committing synchronously after each poll as a queue consumer would), and one more member joins
     * (rebalance time: from its subscribe until the partitions are spread over all members again). The
     * group's first join waits {@code group.initial.rebalance.delay.ms} on both brokers (their defaults).
     */
    record Groups(int size, int partitions, int members, long records) implements Workload {
        @Override
        public String name() {
            return "group " + members + "+1 members " + partitions + "p " + size + " B";
        }

        @Override
        public RunResult run(Target broker) throws Exception {
            String topic = "sbs-group";
            List<TopicPartition> tps = createTopic(broker, topic, partitions);
            byte[] value = new byte[size];
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(broker, "1"))) {
                for (long i = 0; i < records; i++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, (int) (i % partitions), null, value));
                }
                producer.flush();
            }
            Map<String, Object> props = consumerProps(broker);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "sbs-group-" + System.nanoTime());
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
            List<org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
            try {
                for (int i = 0; i < members; i++) {
                    org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props);
                    c.subscribe(List.of(topic));
                    consumers.add(c);
                }
                long start = System.nanoTime();
                long consumed = 0;
                long deadline = start + TimeUnit.SECONDS.toNanos(120);
                long firstRecordAt = 0;
                while (consumed < records) {
                    if (System.nanoTime() > deadline) {
                        return RunResult.failed("group consume: " + consumed + " of " + records + " in 120 s");
                    }
                    for (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c : consumers) {
                        int n = c.poll(java.time.Duration.ofMillis(20)).count();
                        if (n > 0) {
                            if (firstRecordAt == 0) {
                                firstRecordAt = System.nanoTime();
                            }
                            consumed += n;
                            c.commitSync();
                        }
                    }
                }
                double consumeSeconds = (System.nanoTime() - firstRecordAt) / 1e9;
                double firstJoinMs = (firstRecordAt - start) / 1e6;

                org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> joiner = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props);
                consumers.add(joiner);
                long joinStart = System.nanoTime();
                joiner.subscribe(List.of(topic));
                long joinDeadline = joinStart + TimeUnit.SECONDS.toNanos(120);
                while (true) {
                    java.util.Set<TopicPartition> union = new java.util.HashSet<>();
                    boolean everyone = true;
                    for (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c : consumers) {
                        c.poll(java.time.Duration.ofMillis(10));
                        everyone &= !c.assignment().isEmpty();
                        union.addAll(c.assignment());
                    }
                    if (everyone && union.size() == tps.size()) {
                        break;
                    }
                    if (System.nanoTime() > joinDeadline) {
                        return RunResult.failed("rebalance after a join did not finish in 120 s");
                    }
                }
                double rebalanceMs = (System.nanoTime() - joinStart) / 1e6;
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("group consume rec/s", consumed / consumeSeconds);
                m.put("group consume MB/s", consumed * (double) size / MB / consumeSeconds);
                m.put("first join ms", firstJoinMs);
                m.put("rebalance ms", rebalanceMs);
                return new RunResult(m, null, List.of());
            } finally {
                consumers.forEach(org.apache.kafka.clients.consumer.KafkaConsumer::close);
            }
        }
    }

    // ------------------------------------------------------------------ transactions

    /**
     * Kafka transactions, the same client code on both brokers. First a transactional producer (idempotent,
     * acks=all) writes {@code records} records of {@code size} bytes to one partition in transactions of
     * {@code perTransaction} records, committing each ({@code txn produce rec/s}, {@code commits/s}); then a
     * consume-transform-produce loop, the exactly-once pattern: a read_committed consumer of a group reads that
     * topic, and a second transactional producer writes every record to an output topic and commits the
     * consumer's offsets in the same transaction, one transaction per poll ({@code ctp rec/s}, from the first
     * record read to the last transaction committed). The output is checked: exactly {@code records} committed
     * records.
     */
    record Transactions(int size, int perTransaction, long records) implements Workload {
        @Override
        public String name() {
            return "transactions of " + perTransaction + " x " + size + " B";
        }

        @Override
        public RunResult run(Target broker) throws Exception {
            String in = "sbs-txn-in";
            String out = "sbs-txn-out";
            createTopic(broker, in, 1);
            List<TopicPartition> outTps = createTopic(broker, out, 1);
            byte[] value = new byte[size];
            new Random(7).nextBytes(value);
            Map<String, Object> pp = producerProps(broker, "all");
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sbs-txn-" + System.nanoTime());
            long produceStart;
            long produceNanos;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
                producer.initTransactions();
                produceStart = System.nanoTime();
                long sent = 0;
                while (sent < records) {
                    producer.beginTransaction();
                    for (int i = 0; i < perTransaction && sent < records; i++, sent++) {
                        producer.send(new ProducerRecord<>(in, 0, null, value));
                    }
                    producer.commitTransaction();
                }
                produceNanos = System.nanoTime() - produceStart;
            }
            double transactions = Math.ceil(records / (double) perTransaction);

            Map<String, Object> cp = consumerProps(broker);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "sbs-ctp-" + System.nanoTime());
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, perTransaction);
            Map<String, Object> tp = producerProps(broker, "all");
            tp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sbs-ctp-" + System.nanoTime());
            long copied = 0;
            long firstAt = 0;
            long lastAt = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(tp)) {
                producer.initTransactions();
                consumer.subscribe(List.of(in));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (copied < records) {
                    if (System.nanoTime() > deadline) {
                        return RunResult.failed("consume-transform-produce: " + copied + " of " + records + " in 180 s");
                    }
                    ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    if (batch.isEmpty()) {
                        continue;
                    }
                    if (firstAt == 0) {
                        firstAt = System.nanoTime();
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        producer.send(new ProducerRecord<>(out, 0, r.key(), r.value()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()),
                                new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    copied += batch.count();
                    lastAt = System.nanoTime();
                }
            }
            long committed = countCommitted(broker, outTps, records);
            if (committed != records) {
                return RunResult.failed("consume-transform-produce committed " + committed + " records, expected " + records);
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("txn produce rec/s", records / (produceNanos / 1e9));
            m.put("commits/s", transactions / (produceNanos / 1e9));
            m.put("ctp rec/s", copied / ((lastAt - firstAt) / 1e9));
            return new RunResult(m, null, List.of());
        }

        /** The records a read_committed reader sees in {@code tps}, reading until {@code expected} or 30 s. */
        private static long countCommitted(Target target, List<TopicPartition> tps, long expected) {
            Map<String, Object> p = consumerProps(target);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            long n = 0;
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                c.assign(tps);
                c.seekToBeginning(tps);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (n < expected && System.nanoTime() < deadline) {
                    n += c.poll(Duration.ofMillis(200)).count();
                }
                // anything beyond the expected count would be a duplicate: look once more
                n += c.poll(Duration.ofMillis(500)).count();
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ share groups

    /**
     * Share groups (KIP-932) with unmodified {@code KafkaShareConsumer}s: {@code records} records of {@code size} bytes
     * are written to a one-partition topic (untimed), then {@code consumers} share consumers of a fresh share group
     * (threads of this JVM, {@code share.auto.offset.reset=earliest} set on the group with Admin, explicit
     * acknowledgement, every record ACCEPTed, {@code commitAsync} after each poll) read it all. {@code share rec/s}:
     * records acknowledged from the first poll to the last record's acknowledgement. A warm-up group first reads a
     * tenth of the count on another topic (untimed). Checked: every offset is delivered at least once; the duplicates
     * a lock expiry can cause are counted and named in the notes.
     */
    record ShareGroups(int size, int consumers, long records) implements Workload {
        @Override
        public String name() {
            return "share group " + consumers + " consumer" + (consumers == 1 ? "" : "s") + " " + size + " B";
        }

        @Override
        public RunResult run(Target broker) throws Exception {
            String topic = "sbs-share";
            String warm = "sbs-share-warmup";
            createTopic(broker, topic, 1);
            createTopic(broker, warm, 1);
            byte[] value = new byte[size];
            new Random(11).nextBytes(value);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(broker, "all"))) {
                for (long i = 0; i < records / 10; i++) {
                    producer.send(new ProducerRecord<>(warm, 0, null, value));
                }
                for (long i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, value));
                }
                producer.flush();
            }
            String suffix = Long.toString(System.nanoTime());
            RunResult warmUp = consume(broker, warm, "sbs-share-warm-" + suffix, records / 10);
            if (warmUp.error() != null) {
                return RunResult.failed("warm-up: " + warmUp.error());
            }
            return consume(broker, topic, "sbs-share-" + suffix, records);
        }

        private RunResult consume(Target broker, String topic, String group, long expected) throws Exception {
            try (Admin admin = admin(broker)) {
                admin.incrementalAlterConfigs(Map.of(
                        new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP, group),
                        List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                new org.apache.kafka.clients.admin.ConfigEntry("share.auto.offset.reset", "earliest"),
                                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }
            java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicLong duplicates = new AtomicLong();
            AtomicLong firstAt = new AtomicLong();
            AtomicLong lastAt = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                Map<String, Object> p = new HashMap<>(broker.clientConfigs());
                p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
                p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
                p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sbs-share-" + i);
                p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
                p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
                p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
                Thread t = new Thread(() -> {
                    try (org.apache.kafka.clients.consumer.KafkaShareConsumer<byte[], byte[]> c =
                                 new org.apache.kafka.clients.consumer.KafkaShareConsumer<>(p)) {
                        c.subscribe(List.of(topic));
                        while (!done.get()) {
                            ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(100));
                            if (recs.isEmpty()) {
                                continue;
                            }
                            firstAt.compareAndSet(0, System.nanoTime());
                            for (ConsumerRecord<byte[], byte[]> r : recs) {
                                c.acknowledge(r, org.apache.kafka.clients.consumer.AcknowledgeType.ACCEPT);
                                if (!seen.add(r.offset())) {
                                    duplicates.incrementAndGet();
                                }
                            }
                            c.commitAsync();
                            if (seen.size() >= expected) {
                                lastAt.compareAndSet(0, System.nanoTime());
                                done.set(true);
                            }
                        }
                        c.commitSync(Duration.ofSeconds(10));
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                        done.set(true);
                    }
                }, "sbs-share-" + i);
                t.start();
                threads.add(t);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!done.get() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            done.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            if (failure.get() != null) {
                return RunResult.failed("share consumer: " + failure.get());
            }
            if (seen.size() < expected) {
                return RunResult.failed("share consumers read " + seen.size() + " of " + expected + " records in 180 s");
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("share rec/s", expected / ((lastAt.get() - firstAt.get()) / 1e9));
            List<String> notes = duplicates.get() == 0 ? List.of()
                    : List.of(duplicates.get() + " records delivered more than once (a lock expired before their acknowledgement)");
            return new RunResult(m, null, notes);
        }
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Object> producerProps(Target target, String acks) {
        Map<String, Object> p = new HashMap<>(target.clientConfigs());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "sbs-producer");
        return p;
    }

    static Map<String, Object> consumerProps(Target target) {
        Map<String, Object> p = new HashMap<>(target.clientConfigs());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sbs-consumer");
        return p;
    }

    static Admin admin(Target target) {
        Map<String, Object> c = new HashMap<>(target.clientConfigs());
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(c);
    }

    /**
     * Creates the topic (with the target's replication factor and topic configs) and returns once every
     * partition answers ListOffsets: its log is open on the leader, so the first produce is not refused
     * while the partition is still being set up. With replicas, it first waits until every partition has a
     * leader and all its replicas in the ISR, so that acks=all does not start against a shrunken ISR.
     */
    static List<TopicPartition> createTopic(Target target, String topic, int partitions) throws Exception {
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        try (Admin admin = admin(target)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, target.replicationFactor()).configs(target.topicConfigs())))
                    .all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            if (target.replicationFactor() > 1) {
                awaitFullIsr(admin, topic, partitions, target.replicationFactor(), deadline);
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            while (true) {
                try {
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    return tps;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("topic " + topic + " not readable 60 s after creation: " + e);
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static void awaitFullIsr(Admin admin, String topic, int partitions, int rf, long deadline) throws Exception {
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                List<String> short_ = new ArrayList<>();
                for (TopicPartitionInfo p : d.partitions()) {
                    if (p.leader() == null || p.isr().size() < rf || p.replicas().size() < rf) {
                        short_.add("p" + p.partition() + " leader " + (p.leader() == null ? "none" : p.leader().id())
                                + " replicas " + ids(p.replicas()) + " isr " + ids(p.isr()));
                    }
                }
                if (d.partitions().size() == partitions && short_.isEmpty()) {
                    return;
                }
                last = d.partitions().size() + " of " + partitions + " partitions described; not fully replicated: " + short_;
            } catch (ExecutionException | TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new TimeoutException("topic " + topic + " (replication factor " + rf + ") not fully in sync 60 s after creation: " + last);
    }

    private static List<Integer> ids(List<org.apache.kafka.common.Node> nodes) {
        return nodes.stream().map(org.apache.kafka.common.Node::id).toList();
    }

    static long endOffsets(Target target, List<TopicPartition> tps) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        try (Admin admin = admin(target)) {
            long sum = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
                sum += info.offset();
            }
            return sum;
        }
    }
}
