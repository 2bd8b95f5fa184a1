package io.weir.bench.jms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * One broker of a JMS side-by-side run in its own JVM, on a fresh data directory and a fresh loopback
 * port: Weir ({@code io.weir.broker.server.Main} with the shipped {@code config/server.properties}, see
 * {@link #weirProperties}, and its embedded ZooKeeper), with or without
 * {@code log.flush.group.commit.enable}, or ActiveMQ Artemis
 * ({@link ArtemisServerMain}). {@link #close()} kills it (SIGKILL) and deletes its data. Not thread-safe:
 * the harness's main thread owns it.
 */
final class JmsServer implements AutoCloseable {

    /** The systems compared. */
    enum Kind {
        WEIR("Weir", "weir"),
        WEIR_GROUP_COMMIT("Weir+gc", "weir"),
        ARTEMIS("Artemis", "artemis");

        final String label;
        /** The provider name {@link JmsClientMain} takes. */
        final String provider;

        Kind(String label, String provider) {
            this.label = label;
            this.provider = provider;
        }
    }

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // a harness stopped with Ctrl-C must not leave brokers behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "jms-sbs-broker-reaper"));
    }

    final Kind kind;
    /** What the client's connection factory takes: {@code host:port} (Weir) or {@code tcp://host:port} (Artemis). */
    final String url;
    final Path logFile;
    private final Path dataDir;
    private final Process process;

    private JmsServer(Kind kind, String url, Path logFile, Path dataDir, Process process) {
        this.kind = kind;
        this.url = url;
        this.logFile = logFile;
        this.dataDir = dataDir;
        this.process = process;
    }

    /** Starts {@code kind} and returns once it accepts clients. */
    static JmsServer start(Kind kind, JmsSettings s, Path logFile) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("weir-jms-sbs-" + kind.name().toLowerCase() + "-");
        Files.createDirectories(logFile.getParent());
        Files.deleteIfExists(logFile);
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(Arrays.asList(s.brokerJvmOpts().trim().split("\\s+")));
        String url;
        try {
            if (kind == Kind.ARTEMIS) {
                url = "tcp://127.0.0.1:" + port;
                cmd.addAll(List.of("-cp", s.artemisClasspath(), ArtemisServerMain.class.getName(), dataDir.resolve("artemis").toString(),
                        Integer.toString(port)));
            } else {
                url = "127.0.0.1:" + port;
                Properties props = weirProperties(s.weirConfig(), kind, url, dataDir);
                Path file = dataDir.resolve("server.properties");
                try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    props.store(w, "JMS side-by-side benchmark broker: " + s.weirConfig() + " with " + weirOverrides(kind, url, dataDir));
                }
                cmd.addAll(List.of("-cp", s.weirBrokerClasspath(), "io.weir.broker.server.Main", file.toString()));
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dataDir);
            throw e;
        }
        Process p = new ProcessBuilder(cmd).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        RUNNING.add(p);
        JmsServer server = new JmsServer(kind, url, logFile, dataDir, p);
        try {
            server.awaitReady(port, Duration.ofSeconds(120));
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * What Weir runs with: the shipped configuration ({@code config/server.properties}, or {@code --weir-config})
     * as a user starts it, with only what a fresh run on a shared machine must change: a free loopback port,
     * fresh data directories, and for {@link Kind#WEIR_GROUP_COMMIT} the group-commit fsync.
     */
    static Properties weirProperties(Path shipped, Kind kind, String url, Path dataDir) throws IOException {
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(shipped, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        props.putAll(weirOverrides(kind, url, dataDir));
        return props;
    }

    /** The settings the harness changes in the shipped configuration, in a stable order. */
    static Map<String, String> weirOverrides(Kind kind, String url, Path dataDir) {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("listeners", "PLAINTEXT://" + url);
        o.put("log.dirs", dataDir.resolve("logs").toString());
        o.put("zookeeper.embedded.data.dir", dataDir.resolve("zk").toString());
        if (kind == Kind.WEIR_GROUP_COMMIT) {
            o.put("log.flush.group.commit.enable", "true");
        }
        return o;
    }

    private void awaitReady(int port, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkAlive();
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(kind.label + " did not listen on port " + port + " within " + timeout.toSeconds() + " s (see "
                            + logFile + ")");
                }
                Thread.sleep(50);
            }
        }
        if (kind == Kind.ARTEMIS) {
            return; // Artemis opens its acceptors last, once the journal is loaded
        }
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, url,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(conf)) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                checkAlive();
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            throw new IOException(kind.label + " did not answer within " + timeout.toSeconds() + " s (last error: " + last + "; see "
                    + logFile + ")");
        }
    }

    private void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(kind.label + " exited with " + process.exitValue() + " during startup (see " + logFile + "):\n"
                    + tail(logFile, 20));
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(process);
            deleteRecursively(dataDir);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
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
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }
}
