package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollWakerTest {

    private static final TopicPartition TP = new TopicPartition("q", 0);

    /**
     * A consumer with {@code KafkaConsumer}'s wake-up contract: {@code wakeup()} makes the blocking call running
     * now, or else the next one, throw {@link WakeupException} once. {@code poll} blocks until records are
     * offered, it is woken, or its timeout passes; {@code duringPoll} runs inside poll just before it returns.
     */
    private static final class StickyWakeupConsumer extends MockConsumer<byte[], byte[]> {
        private final Object monitor = new Object();
        private boolean wakeupPending;
        private ConsumerRecords<byte[], byte[]> offered;
        volatile Runnable duringPoll;
        final AtomicInteger polls = new AtomicInteger();
        final CountDownLatch polling = new CountDownLatch(1);

        StickyWakeupConsumer() {
            super("earliest");
        }

        void offer(ConsumerRecords<byte[], byte[]> records) {
            synchronized (monitor) {
                offered = records;
                monitor.notifyAll();
            }
        }

        private void throwIfWoken() {
            synchronized (monitor) {
                if (wakeupPending) {
                    wakeupPending = false;
                    throw new WakeupException();
                }
            }
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            polls.incrementAndGet();
            throwIfWoken();
            polling.countDown();
            long deadline = System.nanoTime() + timeout.toNanos();
            ConsumerRecords<byte[], byte[]> result;
            synchronized (monitor) {
                while (offered == null && !wakeupPending && System.nanoTime() < deadline) {
                    try {
                        monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                result = offered == null ? ConsumerRecords.empty() : offered;
                offered = null;
            }
            if (result.isEmpty()) {
                throwIfWoken();
            }
            Runnable hook = duringPoll;
            if (hook != null) {
                hook.run();
            }
            return result;
        }

        @Override
        public void wakeup() {
            synchronized (monitor) {
                wakeupPending = true;
                monitor.notifyAll();
            }
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            throwIfWoken();
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
            throwIfWoken();
            return Map.of();
        }
    }

    private static ConsumerRecords<byte[], byte[]> oneRecord() {
        return new ConsumerRecords<>(Map.of(TP, List.of(new ConsumerRecord<>("q", 0, 7L, new byte[0], new byte[0]))),
                Map.of());
    }

    @Test
    void aWakeupCutsALongPollShort() throws Exception {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        PollWaker<byte[], byte[]> waker = new PollWaker<>(consumer, () -> false);
        CompletableFuture<ConsumerRecords<byte[], byte[]>> polled =
                CompletableFuture.supplyAsync(() -> waker.poll(Duration.ofMinutes(10)));
        assertThat(consumer.polling.await(30, TimeUnit.SECONDS)).isTrue();
        waker.wake();
        assertThat(polled.get(30, TimeUnit.SECONDS)).isEmpty();
        consumer.commitSync(Map.of()); // nothing left armed
    }

    @Test
    void aWakeupThatCameAfterPollReturnedIsSpentBeforeTheNextBlockingCall() {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        PollWaker<byte[], byte[]> waker = new PollWaker<>(consumer, () -> false);
        consumer.offer(oneRecord());
        consumer.duringPoll = () -> {
            consumer.duringPoll = null;
            waker.wake(); // records are on their way out: too late to interrupt
        };
        ConsumerRecords<byte[], byte[]> records = waker.poll(Duration.ofMinutes(10));
        assertThat(records.count()).isEqualTo(1);
        consumer.commitSync(Map.of(TP, new OffsetAndMetadata(8))); // would throw if the wake-up were still armed
        assertThat(consumer.polls.get()).isEqualTo(2); // the poll(0) that spent it
    }

    @Test
    void noWakeupOutsidePoll() {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        PollWaker<byte[], byte[]> waker = new PollWaker<>(consumer, () -> false);
        waker.wake();
        consumer.commitSync(Map.of());
        consumer.offer(oneRecord());
        assertThat(waker.poll(Duration.ofSeconds(30)).count()).isEqualTo(1);
    }

    @Test
    void waitingWorkSkipsThePoll() {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        AtomicBoolean work = new AtomicBoolean(true);
        PollWaker<byte[], byte[]> waker = new PollWaker<>(consumer, work::get);
        assertThat(waker.poll(Duration.ofMinutes(10))).isEmpty();
        assertThat(consumer.polls.get()).isZero();
    }

    @Test
    void aListenerHoldsWakeupsBackAndAbsorbsOneSentBeforeTheHold() {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        AtomicBoolean work = new AtomicBoolean();
        PollWaker<byte[], byte[]> waker = new PollWaker<>(consumer, work::get);
        AtomicInteger committedCalls = new AtomicInteger();
        consumer.offer(oneRecord());
        consumer.duringPoll = () -> {
            consumer.duringPoll = null;
            waker.wake();          // sent just before the listener starts
            waker.holdWakeups();   // the rebalance listener
            waker.wake();          // held back
            waker.retryIfWoken(() -> {
                committedCalls.incrementAndGet();
                return consumer.committed(Set.of(TP));
            });
            consumer.commitSync(Map.of()); // nothing armed any more
            work.set(true);
            waker.releaseWakeups(); // work came meanwhile: the rest of the poll is cut short
        };
        assertThat(waker.poll(Duration.ofMinutes(10)).count()).isEqualTo(1);
        assertThat(committedCalls.get()).isEqualTo(2);
        consumer.commitSync(Map.of()); // the wake-up sent on release was spent before poll returned
    }

    @Test
    void aWakeupIsThrownByTheBlockingCallItInterrupts() {
        StickyWakeupConsumer consumer = new StickyWakeupConsumer();
        consumer.wakeup();
        assertThatThrownBy(() -> consumer.commitSync(Map.of())).isInstanceOf(WakeupException.class);
        consumer.commitSync(Map.of());
    }
}
