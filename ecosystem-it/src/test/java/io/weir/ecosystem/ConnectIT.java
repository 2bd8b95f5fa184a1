package io.weir.ecosystem;

import static io.weir.ecosystem.ConnectSupport.appendLines;
import static io.weir.ecosystem.ConnectSupport.expectedLines;
import static io.weir.ecosystem.ConnectSupport.readLines;
import static io.weir.ecosystem.ConnectSupport.rest;
import static io.weir.ecosystem.ConnectSupport.topicConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified Kafka Connect workers on Weir with the file connectors: a line file is read by
 * FileStreamSource into a topic and written back by FileStreamSink. Standalone keeps source offsets in a
 * local file; distributed keeps configs, offsets and status in compacted topics it creates on Weir and is
 * driven through its REST API. In both, the worker is stopped, more lines are appended, a new worker resumes
 * from the committed offsets and the sink file holds every line exactly once.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConnectIT {
    private static final Duration MOVED = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void standaloneMovesLinesThroughATopicAndResumesFromItsOffsetsFile() throws Exception {
        Path source = dir.resolve("in.txt");
        Path sink = dir.resolve("out.txt");
        Path offsets = dir.resolve("connect.offsets");
        Map<String, String> sourceConfig = Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max", "1", "file", source.toString(), "topic", "standalone-lines",
                // the connector creates its topic (KIP-158) through the worker's admin client
                "topic.creation.default.partitions", "1", "topic.creation.default.replication.factor", "1");
        Map<String, String> sinkConfig = Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max", "1", "file", sink.toString(), "topics", "standalone-lines");
        HttpClient http = HttpClient.newHttpClient();
        appendLines(source, 0, 100);
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             Admin admin = ConnectSupport.admin(cluster.bootstrapServers())) {
            Map<String, String> worker = ConnectSupport.workerBase(cluster.bootstrapServers());
            worker.put("offset.storage.file.filename", offsets.toString());

            // a standalone worker keeps connector configs in memory only: each start submits them again
            Connect<StandaloneHerder> first = new ConnectStandalone().startConnect(worker);
            try {
                createConnector(http, first.rest().advertisedUrl(), "file-source", sourceConfig);
                createConnector(http, first.rest().advertisedUrl(), "file-sink", sinkConfig);
                await().atMost(MOVED).untilAsserted(() -> assertThat(readLines(sink)).isEqualTo(expectedLines(100)));
                await().atMost(MOVED).untilAsserted(() -> assertThat(committedSinkOffset(admin, "standalone-lines")).isEqualTo(100L));
            } finally {
                stop(first);
            }
            assertThat(offsets).as("source offsets flushed to the offsets file").isNotEmptyFile();

            appendLines(source, 100, 150);
            Connect<StandaloneHerder> second = new ConnectStandalone().startConnect(worker);
            try {
                createConnector(http, second.rest().advertisedUrl(), "file-source", sourceConfig);
                createConnector(http, second.rest().advertisedUrl(), "file-sink", sinkConfig);
                await().atMost(MOVED).untilAsserted(() -> assertThat(readLines(sink)).isEqualTo(expectedLines(150)));
                assertThat(endOffset(admin, "standalone-lines")).as("no line produced twice").isEqualTo(150L);
            } finally {
                stop(second);
            }
        }
    }

    @Test
    void distributedWorkerKeepsItsStateInCompactedTopicsAndResumesAfterARestart() throws Exception {
        Path source = dir.resolve("in.txt");
        Path sink = dir.resolve("out.txt");
        appendLines(source, 0, 100);
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             Admin admin = ConnectSupport.admin(cluster.bootstrapServers())) {
            Map<String, String> worker = ConnectSupport.workerBase(cluster.bootstrapServers());
            worker.put("group.id", "connect-cluster");
            worker.put("config.storage.topic", "connect-configs");
            worker.put("offset.storage.topic", "connect-offsets");
            worker.put("status.storage.topic", "connect-status");
            worker.put("config.storage.replication.factor", "1");
            worker.put("offset.storage.replication.factor", "1");
            worker.put("status.storage.replication.factor", "1");
            worker.put("offset.storage.partitions", "3");
            worker.put("status.storage.partitions", "1");
            worker.put("scheduled.rebalance.max.delay.ms", "1000");
            HttpClient http = HttpClient.newHttpClient();

            Connect<DistributedHerder> first = new ConnectDistributed().startConnect(worker);
            try {
                URI url = first.rest().advertisedUrl();
                awaitHealthy(http, url);
                for (String topic : List.of("connect-configs", "connect-offsets", "connect-status")) {
                    assertThat(topicConfig(admin, topic).get("cleanup.policy").value()).as(topic).isEqualTo("compact");
                }
                assertThat(admin.describeTopics(List.of("connect-offsets")).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get("connect-offsets").partitions()).hasSize(3);
                createConnector(http, url, "file-source", Map.of(
                        "connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector",
                        "tasks.max", "1", "file", source.toString(), "topic", "distributed-lines",
                        "topic.creation.default.partitions", "2", "topic.creation.default.replication.factor", "1"));
                createConnector(http, url, "file-sink", Map.of(
                        "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                        "tasks.max", "1", "file", sink.toString(), "topics", "distributed-lines"));
                await().atMost(MOVED).untilAsserted(() -> assertThat(rest(http, url, "GET", "connectors/file-source/status", null).body())
                        .contains("\"state\":\"RUNNING\""));
                // the partitions of a two-partition topic interleave, so the sink file holds the lines in some order
                await().atMost(MOVED).untilAsserted(() -> assertThat(readLines(sink)).containsExactlyInAnyOrderElementsOf(expectedLines(100)));
                await().atMost(MOVED).untilAsserted(() -> assertThat(committedSinkOffset(admin, "distributed-lines")).isEqualTo(100L));
                assertThat(rest(http, url, "GET", "connectors", null).body()).contains("file-source", "file-sink");
            } finally {
                stop(first);
            }

            appendLines(source, 100, 150);
            Connect<DistributedHerder> second = new ConnectDistributed().startConnect(worker);
            try {
                URI url = second.rest().advertisedUrl();
                awaitHealthy(http, url);
                await().atMost(MOVED).untilAsserted(() -> assertThat(rest(http, url, "GET", "connectors", null).body())
                        .as("connectors read back from the config topic").contains("file-source", "file-sink"));
                await().atMost(MOVED).untilAsserted(() -> assertThat(readLines(sink)).containsExactlyInAnyOrderElementsOf(expectedLines(150)));
                assertThat(endOffset(admin, "distributed-lines")).as("no line produced twice").isEqualTo(150L);
                assertThat(rest(http, url, "DELETE", "connectors/file-source", null).statusCode()).isEqualTo(204);
            } finally {
                stop(second);
            }
        }
    }

    /** GET /health answers 200 once the worker has started: its internal topics exist and it joined its group. */
    private static void awaitHealthy(HttpClient http, URI url) {
        await().atMost(MOVED).untilAsserted(() -> assertThat(rest(http, url, "GET", "health", null).statusCode()).isEqualTo(200));
    }

    private static void stop(Connect<?> connect) {
        connect.stop();
        connect.awaitStop();
    }

    private static void createConnector(HttpClient http, URI url, String name, Map<String, String> config) throws Exception {
        StringBuilder json = new StringBuilder("{\"name\":\"").append(name).append("\",\"config\":{");
        String sep = "";
        for (Map.Entry<String, String> e : config.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
            sep = ",";
        }
        json.append("}}");
        await().atMost(MOVED).untilAsserted(() -> assertThat(rest(http, url, "POST", "connectors", json.toString()).statusCode())
                .as("POST /connectors %s", name).isIn(201, 409));
    }

    /** The sink connector's committed offsets (group {@code connect-file-sink}) summed over the topic's partitions. */
    private static long committedSinkOffset(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("connect-file-sink")
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return committed.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static long endOffset(Admin admin, String topic) throws Exception {
        Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).collect(java.util.stream.Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(r -> r.offset()).sum();
    }
}
