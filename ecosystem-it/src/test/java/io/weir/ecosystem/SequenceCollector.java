package io.weir.ecosystem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every partition of a {@link SequenceSourceConnector} topic from the beginning with
 * {@code isolation.level=read_committed} on a thread of its own, keeping the sequence numbers per partition
 * in the order they arrived. Thread-safe: the reader thread appends, tests read snapshots.
 */
final class SequenceCollector implements AutoCloseable {
    private final List<List<Long>> sequences = new ArrayList<>();
    private final AtomicLongArray positions;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile Throwable failure;

    SequenceCollector(String bootstrapServers, String topic, int partitions) {
        positions = new AtomicLongArray(partitions);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        tps.forEach(tp -> sequences.add(new ArrayList<>()));
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread = new Thread(() -> run(tps), "sequence-collector-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(List<TopicPartition> tps) {
        try {
            while (!closed.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    List<Long> list = sequences.get(r.partition());
                    synchronized (list) {
                        list.add(Long.parseLong(r.value()));
                    }
                }
                for (TopicPartition tp : tps) {
                    positions.set(tp.partition(), consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                failure = e;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** The sequence numbers read so far from {@code partition}, in arrival order. */
    List<Long> sequence(int partition) {
        checkRunning();
        List<Long> list = sequences.get(partition);
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    int count(int partition) {
        return sequence(partition).size();
    }

    /** The consumer's position in {@code partition}: at the last stable offset once everything is read. */
    long position(int partition) {
        checkRunning();
        return positions.get(partition);
    }

    private void checkRunning() {
        if (failure != null) {
            throw new IllegalStateException("the collector's consumer failed", failure);
        }
    }

    @Override
    public void close() {
        closed.set(true);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
