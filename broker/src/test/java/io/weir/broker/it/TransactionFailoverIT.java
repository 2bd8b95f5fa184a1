package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transaction coordinator fails over with its {@code __transaction_state} partition: after the
 * broker leading it is killed, the new leader loads the transactional ids, a new producer with the
 * same id initializes there, the transaction the old instance left open is aborted, and the new
 * instance's transaction commits. And a transaction commits across the kill of the leader of one of its
 * partitions: the producer writes to the new leader and the coordinator sends the marker there.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionFailoverIT {
    private static final String TOPIC = "txn-failover";
    private static final String ID = "tx-failover";

    @Test
    void aTransactionCommitsAcrossTheKillOfItsPartitionsLeader() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(TransactionsIT.producerProps(cluster, ID, 60_000))) {
                producer.initTransactions();
                int coordinator = admin.describeTransactions(List.of(ID)).all().get(30, TimeUnit.SECONDS).get(ID).coordinatorId();
                // a partition led by another broker than the coordinator: its markers go over the network
                var partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC)
                        .partitions();
                var victim = partitions.stream().filter(p -> p.leader().id() != coordinator).findFirst().orElseThrow();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, victim.partition(), null, "before-" + i)).get(30, TimeUnit.SECONDS);
                }
                cluster.killBroker(victim.leader().id());
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, victim.partition(), null, "after-" + i));
                }
                producer.commitTransaction();
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeTransactions(List.of(ID)).all().get()
                        .get(ID).state() == TransactionState.COMPLETE_COMMIT);
                List<String> seen = readPartition(cluster, victim.partition());
                assertThat(seen).hasSize(20).startsWith("before-0").endsWith("after-9");
            }
        }
    }

    private static List<String> readPartition(EmbeddedWeirCluster cluster, int partition) {
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                TransactionsIT.consumerProps(cluster, null, "read_committed"))) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(TOPIC, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < 20 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }

    @Test
    void anOpenTransactionIsAbortedByTheNextCoordinatorWhenTheNextInstanceStarts() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
            KafkaProducer<String, String> first = new KafkaProducer<>(TransactionsIT.producerProps(cluster, ID, 60_000));
            first.initTransactions();
            first.beginTransaction();
            first.send(new ProducerRecord<>(TOPIC, 0, null, "committed-before")).get(30, TimeUnit.SECONDS);
            first.commitTransaction();
            first.beginTransaction();
            first.send(new ProducerRecord<>(TOPIC, 0, null, "left-open")).get(30, TimeUnit.SECONDS);

            TransactionDescription before = admin.describeTransactions(List.of(ID)).all().get(30, TimeUnit.SECONDS).get(ID);
            assertThat(before.state()).isEqualTo(TransactionState.ONGOING);
            assertThat(admin.describeTopics(List.of(Topic.TRANSACTION_STATE_TOPIC_NAME)).allTopicNames().get()
                    .get(Topic.TRANSACTION_STATE_TOPIC_NAME).partitions().get(0).replicas()).as("state topic RF").hasSize(3);
            int coordinator = before.coordinatorId();

            cluster.killBroker(coordinator);
            first.close(Duration.ZERO); // the old instance is gone with its broker's clients

            try (KafkaProducer<String, String> second = new KafkaProducer<>(TransactionsIT.producerProps(cluster, ID, 60_000))) {
                second.initTransactions();
                second.beginTransaction();
                second.send(new ProducerRecord<>(TOPIC, 0, null, "committed-after"));
                second.commitTransaction();
            }
            TransactionDescription after = admin.describeTransactions(List.of(ID)).all().get(30, TimeUnit.SECONDS).get(ID);
            assertThat(after.coordinatorId()).isNotEqualTo(coordinator);
            assertThat(after.producerId()).isEqualTo(before.producerId());
            assertThat(after.producerEpoch()).as("fenced once, bumped once").isGreaterThan(before.producerEpoch());

            assertThat(TransactionsIT.readAll(cluster, TOPIC, 1, "read_committed", 2))
                    .containsExactly("committed-before", "committed-after");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(TransactionsIT.readAll(cluster, TOPIC, 1, "read_uncommitted", 3))
                            .containsExactly("committed-before", "left-open", "committed-after"));
        }
    }
}
