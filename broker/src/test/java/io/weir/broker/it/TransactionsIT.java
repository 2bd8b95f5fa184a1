package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka transactions with unmodified kafka-clients on one broker: commit and abort as read_committed
 * and read_uncommitted consumers see them, an open transaction holding back read_committed readers,
 * zombie fencing, the timeout that aborts a forgotten transaction, exactly-once
 * consume-transform-produce with {@code sendOffsetsToTransaction}, and {@code Admin}'s
 * listTransactions/describeTransactions/describeProducers (what {@code kafka-transactions.sh} calls).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionsIT {
    private static EmbeddedWeirCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200").build().start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void committedRecordsAreSeenByBothIsolationLevelsAbortedOnlyByReadUncommitted() throws Exception {
        createTopic("txn-basic", 2);
        try (KafkaProducer<String, String> producer = producer("tx-basic", 60_000)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("txn-basic", i % 2, null, "aborted-" + i));
            }
            producer.flush(); // written, then aborted (abortTransaction alone drops unsent records)
            producer.abortTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("txn-basic", i % 2, null, "committed-" + i));
            }
            producer.commitTransaction();
        }
        assertThat(readAll("txn-basic", 2, "read_committed", 5)).containsExactlyInAnyOrder(
                "committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
        List<String> uncommitted = readAll("txn-basic", 2, "read_uncommitted", 10);
        assertThat(uncommitted).hasSize(10).contains("aborted-0", "committed-4");

        Collection<TransactionListing> listed = admin.listTransactions().all().get(30, TimeUnit.SECONDS);
        assertThat(listed).anySatisfy(l -> {
            assertThat(l.transactionalId()).isEqualTo("tx-basic");
            assertThat(l.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        });
        TransactionDescription described = admin.describeTransactions(List.of("tx-basic")).all().get(30, TimeUnit.SECONDS)
                .get("tx-basic");
        assertThat(described.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(described.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(admin.describeProducers(List.of(new TopicPartition("txn-basic", 0))).all().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition("txn-basic", 0)).activeProducers()).hasSize(1);
    }

    @Test
    void anOpenTransactionHoldsBackReadCommittedConsumersUntilItCommits() throws Exception {
        createTopic("txn-open", 1);
        TopicPartition tp = new TopicPartition("txn-open", 0);
        try (KafkaProducer<String, String> producer = producer("tx-open", 60_000)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-open", 0, null, "stable"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-open", 0, null, "pending")).get(30, TimeUnit.SECONDS);
            assertThat(readAll("txn-open", 1, "read_uncommitted", 2)).containsExactly("stable", "pending");
            List<String> committed = readAll("txn-open", 1, "read_committed", 1);
            assertThat(committed).containsExactly("stable");
            long lso = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()),
                    new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                    .all().get(30, TimeUnit.SECONDS).get(tp).offset();
            assertThat(lso).as("last stable offset: the pending record's offset").isEqualTo(2);
            assertThat(admin.listTransactions().all().get().stream().filter(l -> l.transactionalId().equals("tx-open")))
                    .singleElement().satisfies(l -> assertThat(l.state()).isEqualTo(TransactionState.ONGOING));
            producer.commitTransaction();
        }
        assertThat(readAll("txn-open", 1, "read_committed", 2)).containsExactly("stable", "pending");
    }

    @Test
    void aSecondProducerWithTheSameIdFencesTheFirstAndAbortsItsTransaction() throws Exception {
        createTopic("txn-zombie", 1);
        try (KafkaProducer<String, String> zombie = producer("tx-zombie", 60_000);
             KafkaProducer<String, String> successor = producer("tx-zombie", 60_000)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("txn-zombie", 0, null, "zombie")).get(30, TimeUnit.SECONDS);
            successor.initTransactions();
            assertThatThrownBy(() -> {
                zombie.send(new ProducerRecord<>("txn-zombie", 0, null, "zombie-2")).get(30, TimeUnit.SECONDS);
                zombie.commitTransaction();
            }).isInstanceOfAny(KafkaException.class, java.util.concurrent.ExecutionException.class);
            successor.beginTransaction();
            successor.send(new ProducerRecord<>("txn-zombie", 0, null, "successor"));
            successor.commitTransaction();
        }
        assertThat(readAll("txn-zombie", 1, "read_committed", 1)).containsExactly("successor");
    }

    @Test
    void aTransactionLeftOpenTimesOutAndAborts() throws Exception {
        createTopic("txn-timeout", 1);
        TopicPartition tp = new TopicPartition("txn-timeout", 0);
        try (KafkaProducer<String, String> forgetful = producer("tx-timeout", 1_000)) {
            forgetful.initTransactions();
            forgetful.beginTransaction();
            forgetful.send(new ProducerRecord<>("txn-timeout", 0, null, "forgotten")).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTransactions(List.of("tx-timeout")).all().get()
                    .get("tx-timeout").state() == TransactionState.COMPLETE_ABORT);
            assertThatThrownBy(forgetful::commitTransaction).isInstanceOf(KafkaException.class);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.listOffsets(Map.of(tp,
                        org.apache.kafka.clients.admin.OffsetSpec.latest()),
                new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                .all().get().get(tp).offset() == 2); // the record and the ABORT marker
        try (KafkaProducer<String, String> next = producer("tx-timeout", 60_000)) {
            next.initTransactions();
            next.beginTransaction();
            next.send(new ProducerRecord<>("txn-timeout", 0, null, "after"));
            next.commitTransaction();
        }
        assertThat(readAll("txn-timeout", 1, "read_committed", 1)).containsExactly("after");
    }

    @Test
    void consumeTransformProduceIsExactlyOnce() throws Exception {
        createTopic("ctp-in", 1);
        createTopic("ctp-out", 1);
        try (KafkaProducer<String, String> plain = plainProducer()) {
            for (int i = 0; i < 20; i++) {
                plain.send(new ProducerRecord<>("ctp-in", 0, null, "v" + i));
            }
            plain.flush();
        }
        String group = "ctp-group";
        // first round: transform 10 records, commit; then 5 more, abort (their output and offsets vanish)
        try (KafkaConsumer<String, String> in = consumer(group, "read_committed");
             KafkaProducer<String, String> out = producer("tx-ctp", 60_000)) {
            in.assign(List.of(new TopicPartition("ctp-in", 0)));
            out.initTransactions();
            transformBatch(in, out, 10, true);
            transformBatch(in, out, 5, false);
        }
        // second run of the application: resumes at the committed offset and finishes
        try (KafkaConsumer<String, String> in = consumer(group, "read_committed");
             KafkaProducer<String, String> out = producer("tx-ctp", 60_000)) {
            in.assign(List.of(new TopicPartition("ctp-in", 0)));
            out.initTransactions();
            transformBatch(in, out, 10, true);
        }
        List<String> output = readAll("ctp-out", 1, "read_committed", 20);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("V" + i);
        }
        assertThat(output).containsExactlyElementsOf(expected);
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition("ctp-in", 0)).offset()).isEqualTo(20);
    }

    /** Reads {@code count} records from the consumer's position, writes them upper-cased with the offsets in one transaction. */
    private static void transformBatch(KafkaConsumer<String, String> in, KafkaProducer<String, String> out, int count,
                                       boolean commit) {
        TopicPartition tp = new TopicPartition("ctp-in", 0);
        out.beginTransaction();
        int done = 0;
        long next = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (done < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : in.poll(Duration.ofMillis(100))) {
                if (done == count) {
                    break;
                }
                out.send(new ProducerRecord<>("ctp-out", 0, null, r.value().toUpperCase()));
                next = r.offset() + 1;
                done++;
            }
        }
        assertThat(done).isEqualTo(count);
        out.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(next)), in.groupMetadata());
        if (commit) {
            out.commitTransaction();
        } else {
            out.abortTransaction();
        }
        in.seek(tp, in.committed(java.util.Set.of(tp)).get(tp) == null ? 0 : in.committed(java.util.Set.of(tp)).get(tp).offset());
    }

    static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    /** Values of the first {@code expected} records of every partition of {@code topic} (more found fail the test). */
    static List<String> readAll(String topic, int partitions, String isolation, int expected) {
        return readAll(cluster, topic, partitions, isolation, expected);
    }

    static List<String> readAll(EmbeddedWeirCluster cluster, String topic, int partitions, String isolation, int expected) {
        Properties p = consumerProps(cluster, null, isolation);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    values.add(r.value());
                }
            }
            // a short extra wait: nothing more may arrive
            ConsumerRecords<String, String> extra = c.poll(Duration.ofMillis(500));
            extra.forEach(r -> values.add(r.value()));
            return values;
        }
    }

    private static KafkaConsumer<String, String> consumer(String group, String isolation) {
        return new KafkaConsumer<>(consumerProps(cluster, group, isolation));
    }

    static Properties consumerProps(EmbeddedWeirCluster cluster, String group, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    private static KafkaProducer<String, String> producer(String transactionalId, int timeoutMs) {
        return new KafkaProducer<>(producerProps(cluster, transactionalId, timeoutMs));
    }

    static Properties producerProps(EmbeddedWeirCluster cluster, String transactionalId, int timeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(timeoutMs));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static KafkaProducer<String, String> plainProducer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
