package io.weir.jms.it;

import io.weir.broker.testing.KafkaDistribution;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka 4.4 broker (KRaft, one combined node) in its own JVM, for running the JMS suite against
 * a broker nobody here wrote. Its classpath is resolved by {@code bench/kafka-peer/pom.xml} (kept apart from
 * Weir's own classpath); the first use runs that small Maven build.
 */
final class KafkaPeer implements AutoCloseable {

    /** The share-group acquisition lock of the test broker: how long a killed consumer's messages stay locked. */
    static final int SHARE_LOCK_MS = 5000;
    /** The test broker's share-group delivery limit: Kafka's largest (the default is 5). */
    static final int SHARE_DELIVERY_LIMIT = 10;

    private final Process process;
    private final Path dir;
    private final String bootstrap;

    private KafkaPeer(Process process, Path dir, String bootstrap) {
        this.process = process;
        this.dir = dir;
        this.bootstrap = bootstrap;
    }

    String bootstrapServers() {
        return bootstrap;
    }

    static KafkaPeer start() throws Exception {
        return start(true);
    }

    /**
     * A Kafka peer; with {@code shareGroups} false its cluster is formatted with {@code share.version=0}, a Kafka 4.4
     * without share groups (what {@code queueMode=auto} must fall back to classic groups on).
     */
    static KafkaPeer start(boolean shareGroups) throws Exception {
        // the ports are found free and then given to Kafka, which binds them a few seconds later: another process
        // (the builds run test JVMs side by side) can take one meanwhile, and Kafka exits. Start again on new ports.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(shareGroups);
            } catch (PortTakenException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("The Kafka peer lost a port to another process; starting it again on new ports");
            }
        }
    }

    /** The peer exited because a port it was given had been taken by another process meanwhile. */
    private static final class PortTakenException extends IOException {
        PortTakenException(String message) {
            super(message);
        }
    }

    private static KafkaPeer startOnce(boolean shareGroups) throws Exception {
        String classpath = KafkaDistribution.classpath();
        Path dir = Files.createTempDirectory("weir-kafka-peer");
        int[] ports = io.weir.broker.testing.FreePorts.distinct(2);
        int port = ports[0];
        int controller = ports[1];
        String bootstrap = "127.0.0.1:" + port;
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://" + bootstrap,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // share groups (KIP-932) are on by default in a 4.4 cluster (share.version=2 from metadata version
                // 4.2-IV0); these make them quick enough to test: a short acquisition lock, so that a killed
                // consumer's messages come back within seconds, fast heartbeats and assignment, one state partition
                "share.coordinator.state.topic.num.partitions=1",
                "group.share.min.record.lock.duration.ms=1000",
                "group.share.record.lock.duration.ms=" + SHARE_LOCK_MS,
                "group.share.delivery.count.limit=" + SHARE_DELIVERY_LIMIT,
                "group.share.min.heartbeat.interval.ms=500",
                "group.share.heartbeat.interval.ms=500",
                "group.share.min.session.timeout.ms=6000",
                "group.share.session.timeout.ms=10000",
                "group.share.assignment.interval.ms=0",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                "num.partitions=1", "");
        Path config = dir.resolve("server.properties");
        Files.writeString(config, props, StandardCharsets.UTF_8);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, "rootLogger.level = WARN\nrootLogger.appenderRef.out.ref = OUT\nappender.out.type = Console\n"
                + "appender.out.name = OUT\nappender.out.layout.type = PatternLayout\nappender.out.layout.pattern = [kafka] %p %m%n\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String log4jOpt = "-Dlog4j2.configurationFile=" + log4j;
        Path log = dir.resolve("kafka.log");
        List<String> formatCommand = new ArrayList<>(List.of(java, log4jOpt, "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        if (!shareGroups) {
            formatCommand.addAll(List.of("--feature", "share.version=0"));
        }
        Process format = new ProcessBuilder(formatCommand)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IOException("Formatting the Kafka peer failed: " + Files.readString(log));
        }
        Process p = new ProcessBuilder(java, "-Xmx512m", log4jOpt, "-cp", classpath, "kafka.Kafka", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        KafkaPeer peer = new KafkaPeer(p, dir, bootstrap);
        try {
            peer.awaitReady();
        } catch (Exception e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (true) {
                if (!process.isAlive()) {
                    String log = Files.readString(dir.resolve("kafka.log"));
                    if (log.contains("java.net.BindException")) {
                        throw new PortTakenException("The Kafka peer could not bind its ports: " + log);
                    }
                    throw new IOException("The Kafka peer exited: " + log);
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("The Kafka peer did not start within 120 s", e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
