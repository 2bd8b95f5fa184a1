package io.weir.jms;

import io.weir.jms.client.KafkaClients;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.JMSException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A client id set with {@code Connection.setClientID}, made visible to every JVM through the brokers: the
 * connection holds a member of consumer group {@code weir-jms-client-id.<id>} for as long as it lives (a consumer
 * subscribed to a pattern that matches no topic: it joins the group, is assigned nothing and reads nothing). A
 * connection that finds the group with members refuses the id with {@code InvalidClientIDException}.
 * <p>The check is done before joining, synchronously; the membership itself is taken in the background (its first
 * rebalance may wait for the broker's {@code group.initial.rebalance.delay.ms}), so two connections in different
 * JVMs that set the same id within that window may both succeed. A member of a crashed JVM keeps the id until its
 * session times out (6 s).
 */
final class ClientIdLease implements AutoCloseable {

    static final String GROUP_PREFIX = "weir-jms-client-id.";
    private static final Pattern NO_TOPIC = Pattern.compile("weir-jms-client-id-lease\\.matches-no-topic");
    private static final Logger log = LoggerFactory.getLogger(ClientIdLease.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean closed;

    private ClientIdLease(KafkaConsumer<byte[], byte[]> consumer, String clientId) {
        this.consumer = consumer;
        this.thread = new Thread(this::run, "weir-jms-client-id-" + clientId);
        this.thread.setDaemon(true);
    }

    static String group(String clientId) {
        return GROUP_PREFIX + clientId;
    }

    /**
     * @param timeoutMs how long the check may wait for the brokers (the connection's {@code connectTimeoutMs})
     * @throws InvalidClientIDException when a live connection (of any JVM) holds {@code clientId}
     */
    static ClientIdLease acquire(Admin admin, Properties base, String clientId, long timeoutMs) throws JMSException {
        String group = group(clientId);
        if (hasMembers(admin, group, timeoutMs)) {
            throw new InvalidClientIDException("The client id '" + clientId + "' is in use by another connection");
        }
        Properties p = new Properties();
        p.putAll(base);
        p.put("group.id", group);
        p.put("group.protocol", "classic");
        p.put("session.timeout.ms", "6000");
        p.put("heartbeat.interval.ms", "1000");
        p.put("max.poll.interval.ms", "60000");
        p.put("enable.auto.commit", "false");
        p.put("allow.auto.create.topics", "false");
        p.put("client.id", "weir-jms-client-id-" + clientId);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = KafkaClients.create(() -> new KafkaConsumer<byte[], byte[]>(p));
        } catch (RuntimeException e) {
            throw JmsExceptionSupport.create("Cannot register the client id '" + clientId + "'", e);
        }
        ClientIdLease lease = new ClientIdLease(consumer, clientId);
        lease.thread.start();
        return lease;
    }

    private static boolean hasMembers(Admin admin, String group, long timeoutMs) throws JMSException {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            return !d.members().isEmpty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw JmsExceptionSupport.create("Cannot check whether the client id is in use (group " + group + ")", e);
        } catch (Exception e) {
            throw JmsExceptionSupport.create("Cannot check whether the client id is in use (group " + group + ")", e);
        }
    }

    private void run() {
        try {
            consumer.subscribe(NO_TOPIC);
            while (!closed) {
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("The membership that holds client id group {} failed: {}", consumer.groupMetadata().groupId(),
                        e.toString());
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(2)); // leaves the group: the id is free at once
            } catch (RuntimeException e) {
                log.debug("Closing the client id membership", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
