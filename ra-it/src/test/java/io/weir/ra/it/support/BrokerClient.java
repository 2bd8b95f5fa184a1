package io.weir.ra.it.support;

import static org.awaitility.Awaitility.await;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The test client's side of the broker: what the server sent is checked here with the plain provider
 * ({@link WeirConnectionFactory}) or unmodified kafka-clients, never through the server. Stateless; every method
 * opens and closes its own clients.
 */
public final class BrokerClient {

    private final String bootstrap;

    public BrokerClient(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** The share group of queue {@code Q} in the provider's share mode (jms-provider/README.md). */
    public static String shareGroup(String queue) {
        return "jms-queue." + queue;
    }

    /** A plain provider factory reading queues as the adapter does (the provider's default mode: see ra/README). */
    private WeirConnectionFactory factory() {
        return new WeirConnectionFactory(bootstrap);
    }

    /** Sends each text as a persistent TextMessage to a queue or topic, with the plain provider. */
    public void send(String destination, boolean topic, Collection<String> texts) throws JMSException {
        try (Connection connection = factory().createConnection()) {
            Session session = connection.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(
                    topic ? session.createTopic(destination) : session.createQueue(destination));
            for (String text : texts) {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    /**
     * Receives texts from {@code queue} (its consumer group commits each one) until {@code enough} says the list is
     * complete, then for {@code quiet} longer, so that an unexpected extra message (a duplicate) is received too.
     *
     * @return every text received, in order
     */
    public List<String> receive(String queue, Predicate<List<String>> enough, Duration timeout, Duration quiet)
            throws JMSException {
        List<String> texts = new ArrayList<>();
        try (Connection connection = factory().createConnection()) {
            Session session = connection.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!enough.test(texts) && System.nanoTime() < deadline) {
                Message m = consumer.receive(1000);
                if (m != null) {
                    texts.add(text(m));
                }
            }
            long quietEnd = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietEnd) {
                Message m = consumer.receive(500);
                if (m != null) {
                    texts.add(text(m));
                }
            }
        }
        return texts;
    }

    /** Receives until {@code count} texts arrived (or the timeout), then {@code quiet} longer. */
    public List<String> receive(String queue, int count, Duration timeout, Duration quiet) throws JMSException {
        return receive(queue, l -> l.size() >= count, timeout, quiet);
    }

    /** Writes a plain Kafka record (no JMS headers: it arrives as a BytesMessage) to one partition. */
    public void produce(String topic, int partition, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8)))
                    .get(60, TimeUnit.SECONDS);
        }
    }

    /** Every value in {@code topic} now (all partitions, from the start to the current end), with a plain consumer. */
    public List<String> values(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** Waits until consumer group {@code group} has at least one member (an activated endpoint has joined). */
    public void awaitMembers(String group) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            // a group nobody joined yet is GROUP_ID_NOT_FOUND (an exception here), as in Kafka 4
            await("a member of consumer group " + group).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> {
                        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                                .describedGroups().get(group).get(30, TimeUnit.SECONDS);
                        return !d.members().isEmpty()
                                && d.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
                    });
        }
    }

    /**
     * Waits until queue {@code queue} has at least {@code count} consumers at the broker: members of its share group
     * (share mode, the adapter's default on Weir) or of its consumer group (classic mode).
     */
    public void awaitQueueConsumers(String queue, int count) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            await(count + " consumer(s) of queue " + queue).atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> queueConsumers(admin, queue) >= count);
        }
    }

    /** How many consumers queue {@code queue} has now: members of its share group and of its consumer group. */
    public int queueConsumers(String queue) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            return queueConsumers(admin, queue);
        }
    }

    /** How many members the share group of {@code queue} has now (0 for a group that does not exist). */
    public int shareMembers(String queue) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            return shareMembers(admin, queue);
        }
    }

    private static int queueConsumers(Admin admin, String queue) throws Exception {
        return shareMembers(admin, queue) + classicMembers(admin, queue);
    }

    private static int shareMembers(Admin admin, String queue) throws Exception {
        String group = shareGroup(queue);
        try {
            return admin.describeShareGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    private static int classicMembers(Admin admin, String group) throws Exception {
        try {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** How many members consumer group {@code group} has now (0 for a group that does not exist). */
    public int members(String group) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    private static String text(Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            return t.getText();
        }
        return "<" + m.getClass().getSimpleName() + ">";
    }
}
