package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.KafkaDistribution;
import io.weir.broker.testing.KafkaDistribution.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's own command-line tools, unmodified and in their own JVM, operating a three-broker
 * Weir cluster: kafka-topics creates and describes a topic, kafka-reassign-partitions generates a
 * plan (which reads every broker's log directories), executes it and verifies it to completion
 * (under a replication throttle it sets and then clears), and kafka-configs alters a topic setting (an invalid value is
 * refused). The partitions hold more than one fetch's worth of data, so the new replicas catch up
 * over several fetches; every record is readable afterwards.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KafkaToolsIT {
    private static final String TOPIC = "tooled";
    private static final int RECORDS = 3000;
    private static final String PAD = "x".repeat(1000);

    @TempDir
    Path dir;

    @Test
    void kafkasToolsCreateReassignAndConfigureATopicOnWeir() throws Exception {
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start()) {
            String bootstrap = cluster.bootstrapServers();
            Run created = tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--create", "--topic", TOPIC,
                    "--partitions", "2", "--replication-factor", "2");
            assertThat(created.output()).contains("Created topic " + TOPIC);
            produce(bootstrap);

            Path topics = Files.writeString(dir.resolve("topics.json"), "{\"version\":1,\"topics\":[{\"topic\":\"" + TOPIC + "\"}]}");
            Run generated = tool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", bootstrap,
                    "--generate", "--topics-to-move-json-file", topics.toString(), "--broker-list", "0,1,2");
            assertThat(generated.output()).contains("Current partition replica assignment", "Proposed partition reassignment");

            // each partition moves to the broker it is not on, keeping its second replica
            List<List<Integer>> before = replicas(bootstrap);
            List<List<Integer>> target = new ArrayList<>();
            StringBuilder plan = new StringBuilder("{\"version\":1,\"partitions\":[");
            for (int p = 0; p < 2; p++) {
                List<Integer> r = before.get(p);
                int outsider = 3 - r.get(0) - r.get(1);
                target.add(List.of(outsider, r.get(1)));
                plan.append(p == 0 ? "" : ",").append("{\"topic\":\"").append(TOPIC).append("\",\"partition\":").append(p)
                        .append(",\"replicas\":[").append(outsider).append(',').append(r.get(1)).append("]}");
            }
            Path planFile = Files.writeString(dir.resolve("plan.json"), plan.append("]}").toString());
            Run executed = tool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", bootstrap,
                    "--execute", "--reassignment-json-file", planFile.toString(), "--throttle", "50000000");
            assertThat(executed.output()).contains("Successfully started partition reassignments for " + TOPIC + "-0," + TOPIC + "-1",
                    "The inter-broker throttle limit was set to 50000000");

            Run verified = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                verified = tool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", bootstrap,
                        "--verify", "--reassignment-json-file", planFile.toString());
                if (!verified.output().contains("still in progress")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(verified.output()).contains("Reassignment of partition " + TOPIC + "-0 is completed",
                    "Reassignment of partition " + TOPIC + "-1 is completed", "Clearing broker-level throttles on broker",
                    "Clearing topic-level throttles on topic " + TOPIC);
            Run brokerConfigs = tool("org.apache.kafka.tools.ConfigCommand", "--bootstrap-server", bootstrap, "--describe",
                    "--entity-type", "brokers", "--entity-name", "0");
            assertThat(brokerConfigs.output()).as("throttles cleared").doesNotContain("throttled.rate");
            assertThat(replicas(bootstrap)).isEqualTo(target);
            Run described = tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--describe", "--topic", TOPIC);
            assertThat(described.output()).contains("Replicas: " + target.get(0).get(0) + "," + target.get(0).get(1));

            tool("org.apache.kafka.tools.ConfigCommand", "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics",
                    "--entity-name", TOPIC, "--add-config", "retention.ms=3600000");
            Run config = tool("org.apache.kafka.tools.ConfigCommand", "--bootstrap-server", bootstrap, "--describe",
                    "--entity-type", "topics", "--entity-name", TOPIC);
            assertThat(config.output()).contains("retention.ms=3600000");
            Run refused = KafkaDistribution.runTool(Duration.ofSeconds(60), "org.apache.kafka.tools.ConfigCommand",
                    "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics", "--entity-name", TOPIC,
                    "--add-config", "retention.ms=banana");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("InvalidConfigurationException", "banana");

            assertThat(consumeAll(bootstrap)).as("every record, in order per partition").isEqualTo(RECORDS);
        }
    }

    private static Run tool(String mainClass, String... args) throws Exception {
        Run run = KafkaDistribution.runTool(Duration.ofSeconds(60), mainClass, args);
        assertThat(run.exitCode()).as("%s %s:\n%s", mainClass, String.join(" ", args), run.output()).isZero();
        return run;
    }

    private static void produce(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", i + ":" + PAD)));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<List<Integer>> replicas(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
            return d.partitions().stream().map(p -> p.replicas().stream().map(Node::id).toList()).toList();
        }
    }

    /** Reads both partitions to the end; checks each holds its records in order; returns the count. */
    private static int consumeAll(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<TopicPartition> tps = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        int[] next = {0, 1};
        int count = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    int i = Integer.parseInt(r.value().substring(0, r.value().indexOf(':')));
                    assertThat(i).as("partition %d", r.partition()).isEqualTo(next[r.partition()]);
                    next[r.partition()] += 2;
                    count++;
                }
            }
        }
        return count;
    }
}
