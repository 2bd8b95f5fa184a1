package io.weir.bench.sbs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * One broker (Weir or Apache Kafka) in its own JVM, on a fresh data directory and fresh loopback
 * ports. {@link #close()} kills it and deletes its data: the data is thrown away, and a graceful stop
 * would first fsync gigabytes of log that the next run's broker would then compete with for the disk.
 */
final class BrokerProcess implements Target {

    /** The systems compared. */
    enum System {
        WEIR("Weir"), KAFKA("Kafka");

        final String label;

        System(String label) {
            this.label = label;
        }
    }

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // a harness stopped with Ctrl-C must not leave brokers behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "sbs-broker-reaper"));
    }

    final System system;
    final String bootstrap;
    final Path logFile;
    private final Path dataDir;
    private final Process process;
    private final Map<String, Object> clientConfigs;
    private long startupMillis;

    private BrokerProcess(System system, String bootstrap, Map<String, Object> clientConfigs, Path logFile, Path dataDir,
            Process process) {
        this.system = system;
        this.bootstrap = bootstrap;
        this.clientConfigs = clientConfigs;
        this.logFile = logFile;
        this.dataDir = dataDir;
        this.process = process;
    }

    /** Starts {@code system} with one PLAINTEXT listener, and returns once an Admin client gets its cluster description. */
    static BrokerProcess start(System system, SbsSettings s, Classpaths cp, Path logFile) throws IOException, InterruptedException {
        return start(system, s, cp, logFile, null);
    }

    /**
     * Starts {@code system}, with the SASL_SSL client listener of {@code security} unless it is null, and returns
     * once an Admin client (over that listener) gets its cluster description.
     */
    static BrokerProcess start(System system, SbsSettings s, Classpaths cp, Path logFile, SbsSecurity security)
            throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("weir-sbs-" + system.name().toLowerCase() + "-");
        Files.createDirectories(logFile.getParent());
        Files.deleteIfExists(logFile);
        long t0 = java.lang.System.nanoTime();
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        String brokerAddress = security == null ? null : "127.0.0.1:" + freePort();
        List<String> jvm = new ArrayList<>();
        jvm.add(Path.of(java.lang.System.getProperty("java.home"), "bin", "java").toString());
        jvm.addAll(Arrays.asList(s.brokerJvmOpts().trim().split("\\s+")));
        Process p;
        try {
            if (system == System.WEIR) {
                Properties props = new Properties();
                props.setProperty("broker.id", "0");
                if (security == null) {
                    props.setProperty("listeners", "PLAINTEXT://" + bootstrap);
                } else {
                    props.putAll(security.listenerProps(bootstrap, brokerAddress));
                    props.setProperty("sasl.scram.initial.credentials", security.weirScramSeed());
                }
                props.setProperty("log.dirs", dataDir.resolve("logs").toString());
                props.setProperty("zookeeper.embedded.data.dir", dataDir.resolve("zk").toString());
                // the same group settings as the Kafka peer below (both differ from the brokers' defaults alike)
                props.setProperty("group.initial.rebalance.delay.ms", "0");
                props.setProperty("offsets.topic.replication.factor", "1");
                Path file = write(dataDir.resolve("server.properties"), props);
                List<String> cmd = new ArrayList<>(jvm);
                cmd.addAll(List.of("-cp", cp.weir(), "io.weir.broker.server.Main", file.toString()));
                p = launch(cmd, dataDir, logFile);
            } else {
                int controllerPort = freePort();
                Properties props = new Properties();
                props.setProperty("process.roles", "broker,controller");
                props.setProperty("node.id", "1");
                props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
                props.setProperty("controller.listener.names", "CONTROLLER");
                if (security == null) {
                    props.setProperty("listeners", "PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controllerPort);
                    props.setProperty("advertised.listeners", "PLAINTEXT://" + bootstrap);
                    props.setProperty("inter.broker.listener.name", "PLAINTEXT");
                    props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
                } else {
                    props.putAll(security.listenerProps(bootstrap, brokerAddress));
                    props.setProperty("listeners", props.getProperty("listeners") + ",CONTROLLER://127.0.0.1:" + controllerPort);
                    props.setProperty("listener.security.protocol.map",
                            props.getProperty("listener.security.protocol.map") + ",CONTROLLER:PLAINTEXT");
                }
                props.setProperty("log.dirs", dataDir.resolve("logs").toString());
                props.setProperty("offsets.topic.replication.factor", "1");
                props.setProperty("transaction.state.log.replication.factor", "1");
                props.setProperty("transaction.state.log.min.isr", "1");
                props.setProperty("share.coordinator.state.topic.replication.factor", "1");
                props.setProperty("share.coordinator.state.topic.min.isr", "1");
                props.setProperty("group.initial.rebalance.delay.ms", "0");
                Path file = write(dataDir.resolve("server.properties"), props);
                Path log4j = dataDir.resolve("log4j2.properties");
                Files.writeString(log4j, """
                        rootLogger.level = INFO
                        rootLogger.appenderRef.out.ref = OUT
                        appender.out.type = Console
                        appender.out.name = OUT
                        appender.out.layout.type = PatternLayout
                        appender.out.layout.pattern = [%d] %p %m (%c)%n
                        """, StandardCharsets.UTF_8);
                String log4jOpt = "-Dlog4j2.configurationFile=" + log4j;
                List<String> format = new ArrayList<>(List.of(jvm.get(0), log4jOpt, "-cp", cp.kafka(), "kafka.tools.StorageTool",
                        "format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()));
                if (security != null) {
                    format.addAll(security.kafkaFormatArgs());
                }
                Process f = launch(format, dataDir, logFile);
                if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
                    f.destroyForcibly();
                    throw new IOException("kafka-storage format failed (see " + logFile + "):\n" + tail(logFile, 15));
                }
                RUNNING.remove(f);
                List<String> cmd = new ArrayList<>(jvm);
                cmd.addAll(List.of("-Djava.awt.headless=true", log4jOpt, "-cp", cp.kafka(), "kafka.Kafka", file.toString()));
                p = launch(cmd, dataDir, logFile);
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dataDir);
            throw e;
        }
        BrokerProcess broker = new BrokerProcess(system, bootstrap,
                security == null ? Map.of() : Map.copyOf(security.clientConfigs()), logFile, dataDir, p);
        try {
            broker.awaitReady(Duration.ofSeconds(120));
            broker.startupMillis = (java.lang.System.nanoTime() - t0) / 1_000_000;
        } catch (IOException | RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    @Override
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public Map<String, Object> clientConfigs() {
        return clientConfigs;
    }

    @Override
    public short replicationFactor() {
        return 1;
    }

    @Override
    public Map<String, String> topicConfigs() {
        return Map.of();
    }

    /** Milliseconds from launch until the broker answered an Admin call. */
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

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = java.lang.System.nanoTime() + timeout.toNanos();
        Map<String, Object> conf = new java.util.HashMap<>(clientConfigs);
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        conf.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        // the port first, so the Admin client does not log a warning per refused connection
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(system.label + " exited with " + process.exitValue() + " during startup (see "
                        + logFile + "):\n" + tail(logFile, 20));
            }
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                        Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1))), 1000);
                break;
            } catch (IOException e) {
                if (java.lang.System.nanoTime() > deadline) {
                    throw new IOException(system.label + " did not listen on " + bootstrap + " within " + timeout.toSeconds()
                            + " s (see " + logFile + ")");
                }
                Thread.sleep(50);
            }
        }
        try (Admin admin = Admin.create(conf)) {
            Exception last = null;
            while (java.lang.System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(system.label + " exited with " + process.exitValue() + " during startup (see "
                            + logFile + "):\n" + tail(logFile, 20));
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            throw new IOException(system.label + " did not answer within " + timeout.toSeconds() + " s (last error: " + last
                    + "; see " + logFile + ")");
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Milliseconds the last {@link #close()} took: stop plus data deletion. */
    long stopMillis;
    long deleteMillis;

    @Override
    public void close() {
        long t0 = java.lang.System.nanoTime();
        try {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(process);
            long t1 = java.lang.System.nanoTime();
            deleteRecursively(dataDir);
            stopMillis = (java.lang.System.nanoTime() - t0) / 1_000_000;
            deleteMillis = (java.lang.System.nanoTime() - t1) / 1_000_000;
        }
    }

    static Process launch(List<String> cmd, Path dir, Path logFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process p = pb.start();
        RUNNING.add(p);
        return p;
    }

    static Path write(Path file, Properties props) throws IOException {
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "side-by-side benchmark broker");
        }
        return file;
    }

    /** Kills {@code p} (SIGKILL) and forgets it. */
    static void kill(Process p) {
        try {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(p);
        }
    }

    /** The log4j2 configuration of an Apache Kafka JVM, written into {@code dir}; returns its JVM option. */
    static String kafkaLog4j(Path dir) throws IOException {
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, """
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = OUT
                appender.out.type = Console
                appender.out.name = OUT
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = [%d] %p %m (%c)%n
                """, StandardCharsets.UTF_8);
        return "-Dlog4j2.configurationFile=" + log4j;
    }

    /** Ports handed out by {@link #freePort} in this JVM: the system may give a port it just freed again. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A port free now and not handed out before by this JVM (a cluster's ports, chosen one after another, are distinct). */
    static int freePort() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port) || attempt >= 50) {
                    return port;
                }
            }
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.toList());
            Collections.sort(all, Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            java.lang.System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }

    /** The two brokers' runtime classpaths, kept apart: Weir's and Kafka's server jars never share a JVM. */
    record Classpaths(String weir, String kafka) {

        static Classpaths resolve(SbsSettings s) throws IOException {
            String weir = s.weirClasspath();
            if (weir == null) {
                Path target = s.repo().resolve("broker/target");
                Path jar;
                try (Stream<Path> files = Files.list(target)) {
                    jar = files.filter(f -> f.getFileName().toString().matches("weir-broker-.*\\.jar")
                            && !f.getFileName().toString().endsWith("-tests.jar")).findFirst()
                            .orElseThrow(() -> new IOException("no weir-broker jar in " + target + "; build with 'mvn -DskipTests install'"));
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new IOException("no " + target + "; build with 'mvn -DskipTests install'");
                }
                if (!Files.isDirectory(target.resolve("lib"))) {
                    throw new IOException("no " + target.resolve("lib") + "; build with 'mvn -DskipTests install'");
                }
                weir = String.join(java.io.File.pathSeparator, s.repo().resolve("config").toString(), jar.toString(),
                        target.resolve("lib") + java.io.File.separator + "*");
            }
            String kafka = s.kafkaClasspath();
            if (kafka == null) {
                Path file = s.repo().resolve("bench/kafka-peer/target/kafka-peer.classpath");
                if (!Files.exists(file)) {
                    throw new IOException("no " + file + "; build it with 'mvn -f bench/kafka-peer/pom.xml package'");
                }
                kafka = Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            return new Classpaths(weir, kafka);
        }
    }
}
