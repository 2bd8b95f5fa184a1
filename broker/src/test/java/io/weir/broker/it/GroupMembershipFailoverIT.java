package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator of a classic group writes the group's metadata (generation, members, assignments) to
 * {@code __consumer_offsets} on every completed rebalance: when its broker is killed, the broker that takes the
 * group's offsets partition over knows the group, and its member goes on committing at the same generation with
 * the same member id, without a rebalance.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupMembershipFailoverIT {
    private static final String TOPIC = "ledger";
    private static final String GROUP = "bookkeepers";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void aMemberKeepsItsGenerationWhenItsCoordinatorIsKilled() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
            send(cluster, 0, 20);
            AtomicInteger rebalances = new AtomicInteger();
            try (KafkaConsumer<String, String> consumer = consumer(cluster)) {
                consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            rebalances.incrementAndGet();
                        }
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        rebalances.incrementAndGet();
                    }
                });
                int seen = consumeAndCommit(consumer, 20);
                ConsumerGroupMetadata before = consumer.groupMetadata();
                assertThat(before.generationId()).isPositive();
                int coordinator = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP)
                        .coordinator().id();

                cluster.killBroker(coordinator);
                send(cluster, 20, 20);

                seen += consumeAndCommit(consumer, 20);
                assertThat(seen).isEqualTo(40);
                ConsumerGroupMetadata after = consumer.groupMetadata();
                assertThat(after.generationId()).as("generation").isEqualTo(before.generationId());
                assertThat(after.memberId()).as("member id").isEqualTo(before.memberId());
                assertThat(rebalances).as("partitions revoked or lost").hasValue(0);
                assertThat(consumer.committed(java.util.Set.of(TP)).get(TP).offset()).isEqualTo(40);

                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS)
                        .get(GROUP);
                assertThat(group.coordinator().id()).isNotEqualTo(coordinator);
                assertThat(group.members()).extracting(MemberDescription::consumerId).containsExactly(before.memberId());
            }
        }
    }

    /** Polls until {@code count} records came, committing each batch synchronously; returns how many came. */
    private static int consumeAndCommit(KafkaConsumer<String, String> consumer, int count) {
        int seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen < count && System.nanoTime() < deadline) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                seen += records.count();
                long next = records.records(TP).get(records.records(TP).size() - 1).offset() + 1;
                consumer.commitSync(Map.of(TP, new OffsetAndMetadata(next)), Duration.ofSeconds(30));
            }
        }
        return seen;
    }

    private static void send(EmbeddedWeirCluster cluster, int from, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, "entry-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedWeirCluster cluster) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
