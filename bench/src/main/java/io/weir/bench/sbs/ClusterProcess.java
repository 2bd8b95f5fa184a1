package io.weir.bench.sbs;

import io.weir.bench.sbs.BrokerProcess.Classpaths;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A cluster of N brokers of one system, every process in its own JVM on fresh data directories and fresh
 * loopback ports: for Weir, one standalone ZooKeeper server ({@code ZooKeeperServerMain} from Weir's own
 * classpath) and N brokers joined to it; for Apache Kafka, one dedicated KRaft controller (a one-voter
 * quorum) and N broker-only processes. Both therefore run N brokers beside one coordination process,
 * which the benchmark never kills. {@link #killLeader} kills a broker's JVM with SIGKILL; {@link #close()}
 * kills everything and deletes the data.
 */
final class ClusterProcess implements Target {
    private static final int CONTROLLER_ID = 100;

    final BrokerProcess.System system;
    private final SbsSettings settings;
    private final Path dataDir;
    private final Path logBase;
    private final Map<Integer, Process> brokers = new LinkedHashMap<>();
    private final Map<Integer, String> addresses = new LinkedHashMap<>();
    private final Set<Integer> killed = new TreeSet<>();
    private final List<String> warnings = new ArrayList<>();
    private Process coordinator;
    private long startupMillis;
    private long stopMillis;
    private long deleteMillis;

    private ClusterProcess(BrokerProcess.System system, SbsSettings settings, Path dataDir, Path logBase) {
        this.system = system;
        this.settings = settings;
        this.dataDir = dataDir;
        this.logBase = logBase;
    }

    /** Starts the coordinator and the brokers, and returns once every broker answers an Admin call. */
    static ClusterProcess start(BrokerProcess.System system, SbsSettings s, Classpaths cp, Path logFile)
            throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("weir-sbs-cluster-" + system.name().toLowerCase() + "-");
        Files.createDirectories(logFile.getParent());
        String base = logFile.getFileName().toString().replaceFirst("\\.log$", "");
        ClusterProcess c = new ClusterProcess(system, s, dataDir, logFile.getParent().resolve(base));
        long t0 = System.nanoTime();
        try {
            if (system == BrokerProcess.System.WEIR) {
                c.startWeir(cp);
            } else {
                c.startKafka(cp);
            }
            c.awaitReady(Duration.ofSeconds(120));
            c.startupMillis = (System.nanoTime() - t0) / 1_000_000;
            return c;
        } catch (IOException | RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
    }

    private Path log(String name) throws IOException {
        Path p = Path.of(logBase + "-" + name + ".log");
        Files.deleteIfExists(p);
        return p;
    }

    private List<String> jvm(String opts) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
        return cmd;
    }

    private void startWeir(Classpaths cp) throws IOException, InterruptedException {
        int zkPort = BrokerProcess.freePort();
        Properties zk = new Properties();
        zk.setProperty("dataDir", dataDir.resolve("zookeeper").toString());
        zk.setProperty("clientPort", Integer.toString(zkPort));
        zk.setProperty("clientPortAddress", "127.0.0.1");
        zk.setProperty("tickTime", "1000"); // sessions may then be 2..20 s; the brokers ask for --session-timeout-ms
        zk.setProperty("maxClientCnxns", "0");
        zk.setProperty("admin.enableServer", "false");
        Path zkFile = BrokerProcess.write(dataDir.resolve("zookeeper.properties"), zk);
        List<String> zkCmd = jvm(settings.coordinatorJvmOpts());
        zkCmd.addAll(List.of("-Dzookeeper.admin.enableServer=false", "-cp", cp.weir(),
                "org.apache.zookeeper.server.ZooKeeperServerMain", zkFile.toString()));
        coordinator = BrokerProcess.launch(zkCmd, dataDir, log("zookeeper"));
        awaitPort(zkPort, coordinator, "ZooKeeper", Duration.ofSeconds(60));

        for (int id = 1; id <= settings.cluster(); id++) {
            String address = "127.0.0.1:" + BrokerProcess.freePort();
            Properties props = new Properties();
            props.setProperty("broker.id", Integer.toString(id));
            props.setProperty("listeners", "PLAINTEXT://" + address);
            props.setProperty("log.dirs", dataDir.resolve("broker-" + id).resolve("logs").toString());
            props.setProperty("zookeeper.connect", "127.0.0.1:" + zkPort);
            props.setProperty("zookeeper.session.timeout.ms", Integer.toString(settings.sessionTimeoutMs()));
            props.setProperty("default.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("min.insync.replicas", Integer.toString(settings.minInsync()));
            props.setProperty("offsets.topic.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("group.initial.rebalance.delay.ms", "0");
            Path file = BrokerProcess.write(dataDir.resolve("server-" + id + ".properties"), props);
            List<String> cmd = jvm(settings.brokerJvmOpts());
            cmd.addAll(List.of("-cp", cp.weir(), "io.weir.broker.server.Main", file.toString()));
            addresses.put(id, address);
            brokers.put(id, BrokerProcess.launch(cmd, dataDir, log("broker-" + id)));
        }
    }

    private void startKafka(Classpaths cp) throws IOException, InterruptedException {
        int controllerPort = BrokerProcess.freePort();
        String voters = CONTROLLER_ID + "@127.0.0.1:" + controllerPort;
        String log4j = BrokerProcess.kafkaLog4j(dataDir);
        String clusterId = Uuid.randomUuid().toString();

        Properties ctl = new Properties();
        ctl.setProperty("process.roles", "controller");
        ctl.setProperty("node.id", Integer.toString(CONTROLLER_ID));
        ctl.setProperty("controller.quorum.voters", voters);
        ctl.setProperty("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
        ctl.setProperty("controller.listener.names", "CONTROLLER");
        ctl.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
        ctl.setProperty("log.dirs", dataDir.resolve("controller").toString());
        // read by the controller: how long a broker without heartbeats stays registered (and leader)
        ctl.setProperty("broker.session.timeout.ms", Integer.toString(settings.sessionTimeoutMs()));
        Map<String, Path> configs = new LinkedHashMap<>();
        configs.put("controller", BrokerProcess.write(dataDir.resolve("controller.properties"), ctl));

        for (int id = 1; id <= settings.cluster(); id++) {
            String address = "127.0.0.1:" + BrokerProcess.freePort();
            Properties props = new Properties();
            props.setProperty("process.roles", "broker");
            props.setProperty("node.id", Integer.toString(id));
            props.setProperty("controller.quorum.voters", voters);
            props.setProperty("listeners", "PLAINTEXT://" + address);
            props.setProperty("advertised.listeners", "PLAINTEXT://" + address);
            props.setProperty("controller.listener.names", "CONTROLLER");
            props.setProperty("inter.broker.listener.name", "PLAINTEXT");
            props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.setProperty("log.dirs", dataDir.resolve("broker-" + id).resolve("logs").toString());
            props.setProperty("default.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("min.insync.replicas", Integer.toString(settings.minInsync()));
            props.setProperty("offsets.topic.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("transaction.state.log.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("transaction.state.log.min.isr", Integer.toString(settings.minInsync()));
            props.setProperty("share.coordinator.state.topic.replication.factor", Short.toString(settings.clusterRf()));
            props.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(settings.minInsync()));
            props.setProperty("group.initial.rebalance.delay.ms", "0");
            addresses.put(id, address);
            configs.put("broker-" + id, BrokerProcess.write(dataDir.resolve("server-" + id + ".properties"), props));
        }

        // format every node's storage with the same cluster id, in parallel (each is a JVM start)
        Map<String, Process> formats = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : configs.entrySet()) {
            List<String> fmt = jvm("-Xms64m -Xmx256m");
            fmt.addAll(List.of(log4j, "-cp", cp.kafka(), "kafka.tools.StorageTool", "format", "-t", clusterId,
                    "-c", e.getValue().toString()));
            formats.put(e.getKey(), BrokerProcess.launch(fmt, dataDir, log(e.getKey())));
        }
        for (Map.Entry<String, Process> e : formats.entrySet()) {
            Process f = e.getValue();
            boolean done = f.waitFor(120, TimeUnit.SECONDS);
            BrokerProcess.kill(f);
            if (!done || f.exitValue() != 0) {
                Path formatLog = Path.of(logBase + "-" + e.getKey() + ".log");
                throw new IOException("kafka-storage format of " + e.getKey() + " failed (see " + formatLog + "):\n"
                        + BrokerProcess.tail(formatLog, 15));
            }
        }

        List<String> ctlCmd = jvm(settings.coordinatorJvmOpts());
        ctlCmd.addAll(List.of("-Djava.awt.headless=true", log4j, "-cp", cp.kafka(), "kafka.Kafka", configs.get("controller").toString()));
        coordinator = BrokerProcess.launch(ctlCmd, dataDir, Path.of(logBase + "-controller.log"));
        awaitPort(controllerPort, coordinator, "the KRaft controller", Duration.ofSeconds(60));
        for (int id = 1; id <= settings.cluster(); id++) {
            List<String> cmd = jvm(settings.brokerJvmOpts());
            cmd.addAll(List.of("-Djava.awt.headless=true", log4j, "-cp", cp.kafka(), "kafka.Kafka",
                    configs.get("broker-" + id).toString()));
            brokers.put(id, BrokerProcess.launch(cmd, dataDir, Path.of(logBase + "-broker-" + id + ".log")));
        }
    }

    private void awaitPort(int port, Process p, String what, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkAlive(p, what);
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(system.label + ": " + what + " did not listen on port " + port + " within "
                            + timeout.toSeconds() + " s (see " + logBase + "-*.log)");
                }
                Thread.sleep(50);
            }
        }
    }

    private void checkAlive(Process p, String what) throws IOException {
        if (!p.isAlive()) {
            throw new IOException(system.label + ": " + what + " exited with " + p.exitValue() + " during startup (see "
                    + logBase + "-*.log)");
        }
    }

    /**
     * Every broker answers DescribeCluster on its own; then the cluster view (through the full bootstrap
     * list) should list all brokers. A partial view is kept as a warning rather than a failure, so that
     * the workloads run and fail, if they do, on their own precise error.
     */
    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<Integer, String> b : addresses.entrySet()) {
            int port = Integer.parseInt(b.getValue().substring(b.getValue().lastIndexOf(':') + 1));
            awaitPort(port, brokers.get(b.getKey()), "broker " + b.getKey(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        Set<Integer> seen = Set.of();
        try (Admin admin = admin(bootstrap())) {
            Exception last = null;
            long partialSince = 0;
            while (System.nanoTime() < deadline) {
                checkAlive(coordinator, "the coordinator");
                for (Map.Entry<Integer, Process> b : brokers.entrySet()) {
                    checkAlive(b.getValue(), "broker " + b.getKey());
                }
                try {
                    DescribeClusterResult r = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000));
                    seen = r.nodes().get(4, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
                    if (seen.equals(addresses.keySet())) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(200);
                if (!seen.isEmpty() && partialSince == 0) {
                    partialSince = System.nanoTime();
                }
                if (partialSince != 0 && System.nanoTime() - partialSince > TimeUnit.SECONDS.toNanos(20)) {
                    break; // answering, but with a partial view for 20 s: go on with a warning
                }
            }
            if (seen.isEmpty()) {
                throw new IOException(system.label + " cluster did not answer within " + timeout.toSeconds() + " s (last error: " + last
                        + "; see " + logBase + "-*.log)");
            }
            warnings.add("the cluster view lists brokers " + seen + ", not all of " + addresses.keySet());
        }
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200));
    }

    /** A broker killed by {@link #killLeader}, and when (System.nanoTime just before the SIGKILL). */
    record Kill(int brokerId, long nanos, String before) {
    }

    /**
     * Kills (SIGKILL) the JVM of the current leader of {@code topic}-{@code partition}, as the cluster's
     * metadata names it, and returns when the process is gone.
     */
    Kill killLeader(String topic, int partition) throws Exception {
        String before;
        int leader;
        try (Admin admin = admin(bootstrap())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
            TopicPartitionInfo p = d.partitions().get(partition);
            if (p.leader() == null) {
                throw new IllegalStateException(topic + "-" + partition + " has no leader");
            }
            leader = p.leader().id();
            Node controller = admin.describeCluster().controller().get(10, TimeUnit.SECONDS);
            before = "leader " + leader + ", replicas " + ids(p.replicas()) + ", isr " + ids(p.isr()) + "; reported controller "
                    + (controller == null ? "none" : controller.id());
        }
        Process p = brokers.get(leader);
        if (p == null) {
            throw new IllegalStateException("the leader " + leader + " is none of this cluster's brokers " + brokers.keySet());
        }
        long nanos = System.nanoTime();
        killed.add(leader);
        BrokerProcess.kill(p);
        return new Kill(leader, nanos, before);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    /** Startup warnings (e.g. a partial cluster view), for the run's notes. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public String bootstrap() {
        return String.join(",", addresses.values());
    }

    @Override
    public short replicationFactor() {
        return settings.clusterRf();
    }

    @Override
    public Map<String, String> topicConfigs() {
        return Map.of("min.insync.replicas", Integer.toString(settings.minInsync()));
    }

    @Override
    public boolean isAlive() {
        if (coordinator == null || !coordinator.isAlive()) {
            return false;
        }
        for (Map.Entry<Integer, Process> b : brokers.entrySet()) {
            if (!killed.contains(b.getKey()) && !b.getValue().isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long startupMillis() {
        return startupMillis;
    }

    @Override
    public long stopMillis() {
        return stopMillis;
    }

    @Override
    public long deleteMillis() {
        return deleteMillis;
    }

    @Override
    public void close() {
        long t0 = System.nanoTime();
        brokers.values().forEach(BrokerProcess::kill);
        if (coordinator != null) {
            BrokerProcess.kill(coordinator);
        }
        long t1 = System.nanoTime();
        BrokerProcess.deleteRecursively(dataDir);
        stopMillis = (System.nanoTime() - t0) / 1_000_000;
        deleteMillis = (System.nanoTime() - t1) / 1_000_000;
    }
}
