package io.weir.jms.client;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a {@link Consumer} on its owning thread so that work handed to that thread by others (a synchronous
 * commit, a rewind, close) does not wait out the poll: {@link #wake()} interrupts a running
 * {@link Consumer#poll} with {@link Consumer#wakeup()}, and the owner runs the work at once. Without it a
 * {@code Message.acknowledge()} waited, on average, half a poll timeout plus the broker round trip.
 *
 * <p>{@code wakeup()} is sticky: called while no blocking call runs, it makes the <em>next</em> blocking call
 * throw {@link WakeupException}, which could be the {@code commitSync} of the very command that asked for the
 * wake-up, or a {@code committed()} inside a rebalance listener. So a wake-up is sent only while the owner is
 * inside {@link #poll} (at most one per poll), and one that came too late to interrupt it (the poll had
 * already returned) is disarmed before {@link #poll} returns, by a {@code poll(0)}, which throws a pending
 * wake-up before it fetches anything. Rebalance listeners run inside {@code poll}: they call
 * {@link #holdWakeups()} first and {@link #releaseWakeups()} last, and run their blocking calls through
 * {@link #retryIfWoken}, which absorbs a wake-up sent before the hold.
 *
 * <p>Thread-safe: {@link #wake()} from any thread; the rest from the consumer's owning thread only.
 */
final class PollWaker<K, V> {

    private final Consumer<K, V> consumer;
    private final BooleanSupplier workWaiting;
    private boolean polling; // guarded by this: the owner is inside poll() (and not in a listener)
    private boolean armed;   // guarded by this: wakeup() was called and has not been thrown yet
    private boolean insidePoll; // owner only: consumer.poll is running (a listener may be called from it)

    /**
     * @param workWaiting whether work waits for the owner; checked before each poll, and by a listener's
     *                    {@link #releaseWakeups()}
     */
    PollWaker(Consumer<K, V> consumer, BooleanSupplier workWaiting) {
        this.consumer = consumer;
        this.workWaiting = workWaiting;
    }

    /**
     * Polls for up to {@code timeout}, returning early, with what was fetched so far or nothing, when
     * {@link #wake()} is called; returns nothing at once when work is already waiting.
     */
    ConsumerRecords<K, V> poll(Duration timeout) {
        synchronized (this) {
            if (workWaiting.getAsBoolean()) {
                return ConsumerRecords.empty();
            }
            polling = true;
        }
        ConsumerRecords<K, V> records;
        insidePoll = true;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
            disarmed();
        } finally {
            insidePoll = false;
            synchronized (this) {
                polling = false;
            }
        }
        if (isArmed()) {
            // woken after poll had returned: throw the wake-up here rather than in the next blocking call
            try {
                records = merge(records, consumer.poll(Duration.ZERO));
            } catch (WakeupException e) {
                // expected: the wake-up is spent
            } finally {
                disarmed();
            }
        }
        return records;
    }

    private static <K, V> ConsumerRecords<K, V> merge(ConsumerRecords<K, V> a, ConsumerRecords<K, V> b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        Map<TopicPartition, List<ConsumerRecord<K, V>>> all = new HashMap<>();
        for (ConsumerRecords<K, V> rs : List.of(a, b)) {
            for (TopicPartition tp : rs.partitions()) {
                all.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(rs.records(tp));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(a.nextOffsets());
        next.putAll(b.nextOffsets());
        return new ConsumerRecords<>(all, next);
    }

    /** Any thread: work is waiting for the owner; interrupts its poll if it is polling. */
    synchronized void wake() {
        if (polling && !armed) {
            armed = true;
            consumer.wakeup();
        }
    }

    /** Owner, first thing in a rebalance listener: no wake-up until {@link #releaseWakeups()}. */
    synchronized void holdWakeups() {
        polling = false;
    }

    /**
     * Owner, last thing in a rebalance listener: when the listener was called from {@link #poll}, wake-ups
     * interrupt the rest of that poll again, at once if work came meanwhile.
     */
    synchronized void releaseWakeups() {
        if (!insidePoll) {
            return;
        }
        polling = true;
        if (workWaiting.getAsBoolean()) {
            wake();
        }
    }

    /** Owner: runs a blocking call, again if a wake-up sent before {@link #holdWakeups()} interrupted it. */
    <T> T retryIfWoken(Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                disarmed();
            }
        }
    }

    private synchronized boolean isArmed() {
        return armed;
    }

    private synchronized void disarmed() {
        armed = false;
    }
}
