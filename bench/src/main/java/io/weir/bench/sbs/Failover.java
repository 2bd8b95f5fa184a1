package io.weir.bench.sbs;

import io.weir.bench.sbs.Workloads.RunResult;
import io.weir.bench.sbs.Workloads.Workload;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Leader failover under load: an idempotent {@code acks=all} producer sends {@code rate} records/s to one
 * partition (replication factor and min.insync.replicas of the cluster); after {@code warmupSeconds} the
 * JVM of the partition's leader is killed with SIGKILL, and the producer keeps its schedule for
 * {@code afterSeconds} more.
 *
 * <ul>
 *   <li><b>failover ms</b>: from the kill to the first acknowledgement of a record whose {@code send()}
 *       came after the kill (a write the dead leader never saw).</li>
 *   <li><b>max stall ms</b>: the longest time without any acknowledgement, from the kill on.</li>
 *   <li><b>max ack ms</b>: the longest send-to-acknowledgement time of a record sent in the 2 s before
 *       the kill or after it (records caught in flight by the kill).</li>
 * </ul>
 *
 * Then a consumer reads the partition back from the new leader and checks that every acknowledged record
 * is there exactly once and in send order; anything else is named in the run's notes.
 */
record Failover(int rate, int size, double warmupSeconds, double afterSeconds) implements Workload {
    static final String TOPIC = "sbs-failover";

    @Override
    public String name() {
        return "failover " + rate + " rec/s " + size + " B";
    }

    @Override
    public RunResult run(Target target) throws Exception {
        if (!(target instanceof ClusterProcess cluster)) {
            return RunResult.failed("the failover workload needs a cluster (--cluster=3)");
        }
        List<String> notes = new ArrayList<>();
        TopicPartition tp = Workloads.createTopic(target, TOPIC, 1).get(0);

        Map<String, Object> props = Workloads.producerProps(target, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000); // a write not acknowledged in 60 s counts as failed
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sbs-failover-producer");

        int capacity = (int) Math.ceil(rate * (warmupSeconds + afterSeconds + 1)) + 16;
        long[] sendNanos = new long[capacity];
        long[] ackNanos = new long[capacity];
        java.util.Arrays.fill(ackNanos, FailoverStats.NOT_ACKED);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long period = Math.round(1e9 / rate);
        AtomicReference<ClusterProcess.Kill> killRef = new AtomicReference<>();
        AtomicReference<Exception> killError = new AtomicReference<>();
        long sent = 0;
        long end;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.partitionsFor(TOPIC);
            byte[] value = new byte[Math.max(16, size)];
            ByteBuffer stamp = ByteBuffer.wrap(value);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            long killAt = start + (long) (warmupSeconds * 1e9);
            end = killAt + (long) (afterSeconds * 1e9);
            // the kill runs beside the producer, so the send schedule goes on undisturbed through it
            Thread killer = new Thread(() -> {
                try {
                    for (long wait; (wait = killAt - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    killRef.set(cluster.killLeader(TOPIC, 0));
                } catch (Exception e) {
                    killError.set(e);
                }
            }, "sbs-failover-killer");
            killer.start();
            for (int i = 0; i < capacity; i++) {
                long intended = start + i * period;
                if (intended >= end) {
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
                final int seq = i;
                stamp.putLong(0, seq);
                stamp.putLong(8, intended);
                sendNanos[seq] = System.nanoTime(); // the send() call itself: "sent after the kill" is judged by it
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value), (md, ex) -> {
                    if (ex == null) {
                        ackNanos[seq] = System.nanoTime();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, ex);
                        if (errors.size() < 5) {
                            errors.add("record " + seq + ": " + ex);
                        }
                    }
                });
                sent++;
            }
            killer.join(TimeUnit.SECONDS.toMillis(60));
            producer.flush();
        }
        ClusterProcess.Kill kill = killRef.get();
        if (kill == null) {
            return RunResult.failed("the leader could not be killed: " + killError.get());
        }
        notes.add("killed broker " + kill.brokerId() + " (before the kill: " + kill.before() + ")");

        FailoverStats stats = FailoverStats.of(sendNanos, ackNanos, (int) sent, kill.nanos(), end);
        if (failed.get() > 0) {
            notes.add(failed.get() + " of " + sent + " sends failed: " + String.join("; ", errors));
        }
        if (stats.failoverNanos() < 0) {
            return new RunResult(Map.of(), "no write sent after the kill was acknowledged within " + afterSeconds + " s (+ flush); "
                    + stats.acked() + " of " + sent + " acknowledged"
                    + (firstError.get() == null ? "" : ", first error: " + firstError.get()), notes);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("failover ms", stats.failoverNanos() / 1e6);
        m.put("max stall ms", stats.stallNanos() / 1e6);
        m.put("max ack ms", stats.maxAckNanos() / 1e6);
        notes.add(verify(target, tp, ackNanos, (int) sent));
        return new RunResult(m, null, notes);
    }

    /** Reads the partition back and checks every acknowledged record is there once, in send order. */
    private static String verify(Target target, TopicPartition tp, long[] ackNanos, int sent) throws Exception {
        long endOffset = Workloads.endOffsets(target, List.of(tp));
        long[] seqs = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(endOffset, 0))];
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Workloads.consumerProps(target))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(tp) < endOffset) {
                if (System.nanoTime() > deadline) {
                    return "VERIFY FAILED: read " + read + " records, position " + consumer.position(tp) + " of " + endOffset + " after 60 s";
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (read < seqs.length) {
                        seqs[read++] = ByteBuffer.wrap(r.value()).getLong(0);
                    }
                }
            }
        }
        return FailoverStats.verify(seqs, read, ackNanos, sent) + " (log end offset " + endOffset + ")";
    }
}
