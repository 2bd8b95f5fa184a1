package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A transacted session without broker transactions ({@code transactions=local}), for brokers that have none:
 * sends are kept in memory until {@link #commit}, which sends them through the connection's shared acks=all
 * producer, waits for every acknowledgement, then commits the consumed positions synchronously. Not atomic: a
 * crash between the two steps leaves the sends on the log and delivers the consumed messages again
 * (at-least-once); a failed send rolls the transaction back, but sends already written stay.
 * Thread-safe (synchronized).
 */
public final class LocalTransactionEngine implements TransactionEngine {

    /** Where the commit's sends go (the connection's shared durable producer). */
    @FunctionalInterface
    public interface ProducerSource {
        Producer<byte[], byte[]> producer() throws Exception;
    }

    private record Buffered(ProducerRecord<byte[], byte[]> record) {
    }

    private final ProducerSource producers;
    private final long sendTimeoutMs;
    private final List<Buffered> sends = new ArrayList<>();

    public LocalTransactionEngine(ProducerSource producers, long sendTimeoutMs) {
        this.producers = producers;
        this.sendTimeoutMs = sendTimeoutMs;
    }

    /** Buffers the record; the future and {@code callback} complete at once (nothing is sent before commit). */
    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        sends.add(new Buffered(record));
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void commit(Map<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        List<Buffered> batch = new ArrayList<>(sends);
        sends.clear();
        if (!batch.isEmpty()) {
            try {
                Producer<byte[], byte[]> producer = producers.producer();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (Buffered b : batch) {
                    acks.add(producer.send(b.record()));
                }
                for (Future<RecordMetadata> f : acks) {
                    f.get(sendTimeoutMs, TimeUnit.MILLISECONDS);
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new RolledBackException("Sending the transaction's messages failed", e);
            }
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (Map.Entry<ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
            ReaderEngine engine = e.getKey();
            if (engine.isClosed()) {
                e.getValue().forEach(engine::consumed);
            } else {
                commits.add(engine.consumedAndCommit(e.getValue(), true));
            }
        }
        for (CompletableFuture<Void> f : commits) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new CompletionException("Committing the consumed positions failed (the sends are committed)", e);
            }
        }
    }

    @Override
    public synchronized void rollback() {
        sends.clear();
    }

    @Override
    public synchronized void close() {
        sends.clear();
    }
}
