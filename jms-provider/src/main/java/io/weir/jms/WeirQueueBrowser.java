package io.weir.jms;

import io.weir.jms.client.KafkaClients;
import io.weir.jms.client.PartitionProgress;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirMessage;
import io.weir.jms.selector.MessageSelector;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Browses a queue: the messages from the queue group's committed position (skipping those consumed above it; in
 * share mode from the share group's start offset, above which acknowledged messages may still show) up to the end of the log when the enumeration was created, without consuming anything. Each enumeration has
 * its own group-less Kafka consumer, closed when it is exhausted or the browser closes.
 */
public class WeirQueueBrowser implements QueueBrowser {

    private final WeirSession session;
    private final WeirDestination queue;
    private final MessageSelector selector;
    private final List<Browse> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    WeirQueueBrowser(WeirSession session, WeirDestination queue, MessageSelector selector) {
        this.session = session;
        this.queue = queue;
        this.selector = selector;
    }

    /** How long a browse waits for the brokers (its partitions, positions, the next record): {@code connectTimeoutMs}. */
    private long timeoutMs() {
        return session.connection().settings().connectTimeoutMs();
    }

    private void checkClosed() throws IllegalStateException {
        if (closed || session.isClosed()) {
            throw JmsExceptionSupport.closed("queue browser");
        }
    }

    @Override
    public Queue getQueue() throws JMSException {
        checkClosed();
        return (Queue) queue;
    }

    @Override
    public String getMessageSelector() throws JMSException {
        checkClosed();
        return selector.expression();
    }

    @Override
    public Enumeration<Message> getEnumeration() throws JMSException {
        checkClosed();
        Browse b = new Browse();
        open.add(b);
        return b;
    }

    @Override
    public void close() throws JMSException {
        closeFromSession();
    }

    void closeFromSession() {
        closed = true;
        for (Browse b : open) {
            b.close();
        }
        open.clear();
        session.browserClosed(this);
    }

    private final class Browse implements Enumeration<Message> {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<TopicPartition, Long> ends = new HashMap<>();
        private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
        private final ArrayDeque<Message> ready = new ArrayDeque<>();
        private boolean done;

        Browse() throws JMSException {
            Properties p = session.connection().consumerBase();
            p.put("key.deserializer", ByteArrayDeserializer.class.getName());
            p.put("value.deserializer", ByteArrayDeserializer.class.getName());
            p.put("enable.auto.commit", "false");
            p.put("auto.offset.reset", "earliest");
            p.remove("group.id");
            session.connection().settleAcknowledgements(queue);
            try {
                consumer = KafkaClients.create(() -> new KafkaConsumer<byte[], byte[]>(p));
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo pi : consumer.partitionsFor(queue.name(), Duration.ofMillis(timeoutMs()))) {
                    tps.add(new TopicPartition(pi.topic(), pi.partition()));
                }
                Map<TopicPartition, OffsetAndMetadata> committed = queue.isTemporary()
                        ? Map.copyOf(session.connection().temporaryPositions(queue.name()))
                        : session.connection().queueMode() == QueueMode.SHARE ? session.connection().shareQueues().startOffsets(queue)
                        : session.connection().admin().listConsumerGroupOffsets(queue.name()).partitionsToOffsetAndMetadata()
                        .get(timeoutMs(), TimeUnit.MILLISECONDS);
                consumer.assign(tps);
                ends.putAll(consumer.endOffsets(tps));
                consumer.seekToBeginning(tps);
                for (TopicPartition tp : tps) {
                    OffsetAndMetadata om = committed.get(tp);
                    if (om != null) {
                        progress.put(tp, PartitionProgress.restore(om.offset(), om.metadata()));
                        consumer.seek(tp, om.offset());
                    } else {
                        progress.put(tp, new PartitionProgress(0));
                    }
                    if (consumer.position(tp) >= ends.get(tp)) {
                        ends.remove(tp);
                    }
                }
            } catch (Exception e) {
                close();
                throw JmsExceptionSupport.create("Cannot browse " + queue, e);
            }
        }

        @Override
        public boolean hasMoreElements() {
            fill();
            return !ready.isEmpty();
        }

        @Override
        public Message nextElement() {
            fill();
            Message m = ready.poll();
            if (m == null) {
                throw new NoSuchElementException("No more messages on " + queue);
            }
            return m;
        }

        private void fill() {
            long deadline = System.currentTimeMillis() + timeoutMs();
            while (ready.isEmpty() && !done && !closed && System.currentTimeMillis() < deadline) {
                if (ends.isEmpty()) {
                    close();
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long end = ends.get(tp);
                    if (end == null || r.offset() >= end) {
                        continue;
                    }
                    if (r.offset() + 1 >= end) {
                        ends.remove(tp);
                    }
                    PartitionProgress pp = progress.get(tp);
                    if (pp != null && pp.isConsumed(r.offset())) {
                        continue;
                    }
                    try {
                        WeirMessage m = MessageCodec.decode(r);
                        if (m.getJMSDestination() == null) {
                            m.setJMSDestination(queue);
                        }
                        long now = System.currentTimeMillis();
                        if ((m.getJMSExpiration() != 0 && m.getJMSExpiration() <= now) || m.getJMSDeliveryTime() > now) {
                            continue;
                        }
                        if (selector.matches(m)) {
                            m.markReadOnly();
                            ready.add(m);
                        }
                    } catch (JMSException e) {
                        // not a readable message: not shown
                    }
                }
                for (TopicPartition tp : new ArrayList<>(ends.keySet())) {
                    if (consumer.position(tp) >= ends.get(tp)) {
                        ends.remove(tp);
                    }
                }
            }
        }

        void close() {
            if (!done) {
                done = true;
                if (consumer != null) {
                    consumer.close(Duration.ofSeconds(2));
                }
                open.remove(this);
            }
        }
    }
}
