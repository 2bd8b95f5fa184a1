package io.weir.ecosystem;

import static io.weir.ecosystem.ConnectSupport.rest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Kafka Connect cluster of two distributed workers on a three-broker Weir cluster, with exactly-once source
 * support enabled (transactional task producers, fenced zombies, transactional config-topic writes). One worker
 * runs in this JVM, the other in a JVM of its own so that it can be killed with SIGKILL or frozen with SIGSTOP.
 * Both join one Connect group (protocol {@code sessioned}, incremental cooperative rebalancing, over Weir's
 * classic group coordinator); a {@link SequenceSourceConnector} with two tasks writes the numbers 0, 1, 2, … per
 * task to its own partition. The tasks are spread over both workers; the in-JVM worker is stopped cleanly and
 * the other worker takes its task; it comes back and gets a task again; the other worker is killed and the
 * survivor takes its task; it comes back too; the broker leading one of the two partitions is killed and
 * restarted; the other worker is frozen until the survivor has taken its task over, and thawed it is a zombie
 * whose fenced producer must not get anything committed; it rejoins. All along the data keeps moving, and at the
 * end each partition holds, read committed, exactly 0 … n-1 in order (nothing lost, nothing twice, even across
 * the SIGKILL, the broker kill and the zombie), and n-1 is the source offset Connect committed for the task.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConnectClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "sequence";
    private static final String CONNECTOR = "sequence-source";
    private static final int TASKS = 2;
    /** Records each partition must gain to count as "the data keeps moving" (each task writes about 100/s). */
    private static final int PROGRESS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void workersShareTheTasksAndFailOverThroughAStopAKillAFreezeAndABrokerKillWithExactlyOnceDelivery() throws Exception {
        Path logs = Path.of("target", "connect-cluster-it");
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(3).build().start();
             Admin admin = ConnectSupport.admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, TASKS, (short) 3))).all().get(60, TimeUnit.SECONDS);
            Map<String, String> worker = workerConfig(cluster.bootstrapServers());
            Connect<DistributedHerder> local = null;
            ConnectWorkerProcess remote = null;
            try (SequenceCollector collector = new SequenceCollector(cluster.bootstrapServers(), TOPIC, TASKS)) {
                local = startLocal(worker);
                remote = ConnectWorkerProcess.start(worker, logs, "worker-b1");
                awaitHealthy(remote.url());
                String localId = workerId(local);

                // 1. one group, the two tasks spread over both workers
                URI api = local.rest().advertisedUrl();
                // a transaction per second per task, records sent all along it: a SIGKILL leaves an open transaction behind
                HttpResponse<String> created = rest(http, api, "PUT", "connectors/" + CONNECTOR + "/config", JSON.writeValueAsString(Map.of(
                        "connector.class", SequenceSourceConnector.class.getName(), "tasks.max", String.valueOf(TASKS),
                        "topic", TOPIC, "batch", "2", "interval.ms", "20", "exactly.once.support", "required",
                        "transaction.boundary", "interval", "transaction.boundary.interval.ms", "1000")));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                awaitTasksOn(api, Set.of(localId, remote.workerId()));
                // 2. data moves on both partitions
                awaitProgress(collector);

                // 3a. a clean stop: the survivor takes the task over and both partitions keep growing
                stop(local);
                local = null;
                awaitTasksOn(remote.url(), Set.of(remote.workerId()));
                awaitProgress(collector);

                // 4a. the worker comes back (a new REST port, so a new worker id) and gets a task again
                local = startLocal(worker);
                localId = workerId(local);
                awaitTasksOn(remote.url(), Set.of(localId, remote.workerId()));
                awaitProgress(collector);

                // 3b. SIGKILL: no LeaveGroup, an open transaction; the survivor fences it and resumes from the committed offset
                int killedTask = tasksOf(remote.url(), remote.workerId()).get(0);
                remote.kill();
                // an open transaction of the killed task holds its partition's last stable offset below the high watermark
                boolean openAtKill = endOffset(admin, killedTask, IsolationLevel.READ_UNCOMMITTED)
                        > endOffset(admin, killedTask, IsolationLevel.READ_COMMITTED);
                api = local.rest().advertisedUrl();
                awaitTasksOn(api, Set.of(localId));
                awaitProgress(collector);

                // 4b. a new JVM rejoins and gets a task again
                remote = ConnectWorkerProcess.start(worker, logs, "worker-b2");
                awaitHealthy(remote.url());
                awaitTasksOn(api, Set.of(localId, remote.workerId()));
                awaitProgress(collector);

                // a broker fault under the transactional load: the leader of partition 0 (a replica of every internal
                // topic too, and the coordinator of whatever groups and transactional ids hash to it) is killed and restarted
                int leader = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(TOPIC).partitions().get(0).leader().id();
                cluster.killBroker(leader);
                awaitProgress(collector);
                cluster.restartBroker(leader);
                awaitProgress(collector);

                // 5. SIGSTOP: the frozen worker drops out of the group and the survivor takes its task over, fencing its
                // producer; SIGCONT: the zombie's late writes and commit must be refused, and it rejoins and gets a task again
                remote.suspend();
                awaitTasksOn(api, Set.of(localId));
                awaitProgress(collector);
                remote.resume();
                awaitTasksOn(api, Set.of(localId, remote.workerId()));
                awaitProgress(collector);

                // stop the connector (KIP-875): its tasks commit their last transaction and stop
                URI survivor = api;
                assertThat(rest(http, survivor, "PUT", "connectors/" + CONNECTOR + "/stop", null).statusCode()).isIn(202, 204);
                await().atMost(WAIT).untilAsserted(() -> assertThat(JSON.readTree(rest(http, survivor, "GET",
                        "connectors/" + CONNECTOR + "/status", null).body()).path("connector").path("state").asText()).isEqualTo("STOPPED"));
                Map<Integer, Long> committed = committedSourceOffsets(survivor);
                for (int p = 0; p < TASKS; p++) {
                    int partition = p;
                    long end = endOffset(admin, partition, IsolationLevel.READ_COMMITTED);
                    await().atMost(WAIT).until(() -> collector.position(partition) >= end);
                    List<Long> seqs = collector.sequence(partition);
                    assertThat(seqs).as("partition %d read committed: every number once, in order", partition)
                            .isEqualTo(LongStream.range(0, seqs.size()).boxed().toList());
                    assertThat(committed.get(partition)).as("source offset committed for task %d", partition)
                            .isEqualTo(seqs.size() - 1L);
                    long written = recordsWritten(cluster.bootstrapServers(), partition);
                    if (partition == killedTask && openAtKill) {
                        assertThat(written).as("the killed task's open transaction was aborted, and its records are hidden from read_committed")
                                .isGreaterThan(seqs.size());
                    }
                    System.out.printf("ConnectClusterIT: partition %d holds 0..%d exactly once read committed, %d records in all"
                            + " (%d aborted); committed source offset %d%s%n", partition, seqs.size() - 1, written, written - seqs.size(),
                            committed.get(partition), partition == killedTask ? "; task killed " + (openAtKill ? "in" : "outside") + " a transaction" : "");
                }
            } finally {
                if (local != null) {
                    stop(local);
                }
                if (remote != null) {
                    remote.close();
                }
            }
        }
    }

    private static Map<String, String> workerConfig(String bootstrapServers) {
        Map<String, String> w = ConnectSupport.workerBase(bootstrapServers);
        w.put("group.id", "connect-multi");
        w.put("connect.protocol", "sessioned");
        w.put("exactly.once.source.support", "enabled");
        w.put("config.storage.topic", "connect-multi-configs");
        w.put("offset.storage.topic", "connect-multi-offsets");
        w.put("status.storage.topic", "connect-multi-status");
        for (String store : List.of("config", "offset", "status")) {
            w.put(store + ".storage.replication.factor", "3");
        }
        w.put("offset.storage.partitions", "3");
        w.put("status.storage.partitions", "1");
        // lost assignments are given to the survivors 2 s after they are noticed; a killed worker is noticed after 6 s
        w.put("scheduled.rebalance.max.delay.ms", "2000");
        w.put("session.timeout.ms", "6000");
        w.put("heartbeat.interval.ms", "1000");
        w.put("rebalance.timeout.ms", "30000");
        return w;
    }

    private Connect<DistributedHerder> startLocal(Map<String, String> worker) {
        Connect<DistributedHerder> connect = new ConnectDistributed().startConnect(new HashMap<>(worker));
        awaitHealthy(connect.rest().advertisedUrl());
        return connect;
    }

    private static String workerId(Connect<?> connect) {
        URI url = connect.rest().advertisedUrl();
        return url.getHost() + ":" + url.getPort();
    }

    private static void stop(Connect<?> connect) {
        connect.stop();
        connect.awaitStop();
    }

    /** GET /health answers 200 once the worker has read its internal topics and joined the group. */
    private void awaitHealthy(URI url) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(rest(http, url, "GET", "health", null).statusCode()).isEqualTo(200));
    }

    /** Waits until every task is RUNNING and the workers running them are exactly {@code workers}. */
    private void awaitTasksOn(URI url, Set<String> workers) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            JsonNode status = JSON.readTree(rest(http, url, "GET", "connectors/" + CONNECTOR + "/status", null).body());
            Map<Integer, String> running = new TreeMap<>();
            for (JsonNode task : status.path("tasks")) {
                if (task.path("state").asText().equals("RUNNING")) {
                    running.put(task.path("id").asInt(), task.path("worker_id").asText());
                }
            }
            assertThat(running).as("%s", status).hasSize(TASKS);
            assertThat(Set.copyOf(running.values())).as("%s", status).isEqualTo(workers);
        });
    }

    /** Waits until every partition has gained {@link #PROGRESS} committed records. */
    private static void awaitProgress(SequenceCollector collector) {
        int[] base = new int[TASKS];
        for (int p = 0; p < TASKS; p++) {
            base[p] = collector.count(p);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (int p = 0; p < TASKS; p++) {
                assertThat(collector.count(p)).as("records in partition %d", p).isGreaterThanOrEqualTo(base[p] + PROGRESS);
            }
        });
    }

    /** The source offsets Connect committed (GET /connectors/{name}/offsets): task id → last sequence number. */
    private Map<Integer, Long> committedSourceOffsets(URI url) throws Exception {
        JsonNode offsets = JSON.readTree(rest(http, url, "GET", "connectors/" + CONNECTOR + "/offsets", null).body());
        Map<Integer, Long> committed = new TreeMap<>();
        for (JsonNode o : offsets.path("offsets")) {
            committed.put(o.path("partition").path("task").asInt(), o.path("offset").path("seq").asLong());
        }
        assertThat(committed).as("%s", offsets).hasSize(TASKS);
        return committed;
    }

    /** The task ids that {@code workerId} runs, from the connector's status. */
    private List<Integer> tasksOf(URI url, String workerId) throws Exception {
        JsonNode status = JSON.readTree(rest(http, url, "GET", "connectors/" + CONNECTOR + "/status", null).body());
        List<Integer> ids = new ArrayList<>();
        for (JsonNode task : status.path("tasks")) {
            if (task.path("worker_id").asText().equals(workerId)) {
                ids.add(task.path("id").asInt());
            }
        }
        assertThat(ids).as("%s", status).isNotEmpty();
        return ids;
    }

    /** The high watermark (read uncommitted) or the last stable offset (read committed) of a partition. */
    private static long endOffset(Admin admin, int partition, IsolationLevel isolation) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(isolation))
                .all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /** The data records in a partition, committed or aborted (read uncommitted, up to the high watermark; markers are not records). */
    private static long recordsWritten(String bootstrapServers, int partition) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long[] count = {0};
            await().atMost(WAIT).until(() -> {
                count[0] += consumer.poll(Duration.ofMillis(200)).count();
                return consumer.position(tp) >= end;
            });
            return count[0];
        }
    }
}
