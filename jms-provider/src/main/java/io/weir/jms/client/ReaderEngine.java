package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.CompletableFuture;

/**
 * How the JMS facade reads a destination from the log: the seam between a {@code WeirMessageConsumer} (which
 * decides per record what JMS says: expired, delayed, selected) and the Kafka client that holds the records.
 * Two implementations: {@link ConsumerEngine} (a classic consumer-group member, or a group-less reader) and
 * {@link ShareQueueReader} (share-group members: a queue read message by message by any number of processes).
 *
 * <p>Threading: {@link #take} is called by one consumer thread at a time (receive or the session's listener
 * thread); the acknowledgement calls ({@link #consumed}, {@link #commit}, {@link #rewind}) come from the
 * session's thread of control; {@link #interruptTakers} and {@link #close} from any thread. Implementations
 * keep their Kafka client on threads of their own.
 */
public interface ReaderEngine extends AutoCloseable {

    /** What a consumer makes of a buffered record (see {@link #take}). */
    enum Choice {
        /** Hand it to this consumer. */
        TAKE,
        /** Consumed without delivery (expired, filtered out of a subscription, local to a no-local subscriber). */
        CONSUMED,
        /** Kept back: the chooser parked it with {@link #park}. */
        PARKED,
        /** Not for this consumer: leave it for another consumer of the queue. */
        SKIP
    }

    /** Decides, under the engine's lock, what to do with a record. */
    @FunctionalInterface
    interface Chooser {
        Choice choose(ConsumerRecord<byte[], byte[]> record);
    }

    /** Starts reading and waits (bounded) until the reader is in place (position fixed, member known). */
    void start(long readyTimeoutMs) throws Exception;

    /**
     * The next record {@code chooser} takes; waits up to {@code timeoutMs} (negative: for ever, 0: not at all).
     * Null on timeout, close or {@link #interruptTakers()}.
     */
    ConsumerRecord<byte[], byte[]> take(long timeoutMs, Chooser chooser) throws InterruptedException;

    /** Keeps {@code r} back until {@code dueAt} (a delayed message); later records are not held up. */
    void park(ConsumerRecord<byte[], byte[]> r, long dueAt);

    /** When the earliest parked record is due, or Long.MAX_VALUE. */
    long nextDueAt();

    /** How often this record has been handed out (1 on first delivery); call once per delivery. */
    int recordDelivery(ConsumerRecord<byte[], byte[]> r);

    /** Records {@code r} as consumed (acknowledged, expired or filtered out); {@link #commit} makes it durable. */
    void consumed(ConsumerRecord<byte[], byte[]> r);

    /** Makes what was consumed durable at the broker; {@code sync} waits for the broker's answer. */
    CompletableFuture<Void> commit(boolean sync);

    /**
     * {@link #consumed} for each of {@code records}, then {@link #commit}: a {@code sync} commit completes once the
     * broker answered for these records (an engine whose own threads may send acknowledgements meanwhile makes the two
     * steps one, so that none of these leaves with a send the commit does not wait for).
     */
    default CompletableFuture<Void> consumedAndCommit(java.util.List<ConsumerRecord<byte[], byte[]>> records, boolean sync) {
        records.forEach(this::consumed);
        return commit(sync);
    }

    /** What was delivered and not consumed is delivered again (recover, rollback). */
    CompletableFuture<Void> rewind();

    /**
     * {@code delivered}, records this engine handed to one session and that it did not consume, are delivered
     * again (that session's recover or rollback); what the engine handed to other sessions stays theirs. An engine
     * that serves one consumer only may rewind everything, as {@link #rewind()} does (the default).
     */
    default CompletableFuture<Void> rewind(java.util.Collection<ConsumerRecord<byte[], byte[]>> delivered) {
        return rewind();
    }

    /**
     * Gives one delivered, unconsumed record back to the queue at once (a message listener threw), so the broker
     * counts the attempt; false when this engine redelivers locally instead.
     */
    default boolean giveBack(ConsumerRecord<byte[], byte[]> r) {
        return false;
    }

    /** Makes every waiting {@link #take} return null now (consumer closed, connection stopped). */
    void interruptTakers();

    boolean isClosed();

    @Override
    void close();
}
