package io.weir.samples.cluster;

import io.weir.broker.server.Main;
import io.weir.broker.zk.EmbeddedZooKeeper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Weir cluster of N brokers for the sample: one ZooKeeper embedded in this JVM and each broker a child JVM
 * running {@code io.weir.broker.server.Main} (what {@code bin/weir-server} runs) from this JVM's class path, so
 * that {@link #kill} is what an operator's {@code kill -9} is: SIGKILL to a process, its sockets reset by the
 * kernel, its ZooKeeper session left to expire. Ports are free loopback ports picked at start; data and each
 * broker's output ({@code broker-<id>.log}) live in a temporary directory, deleted at close unless kept.
 *
 * <p>Not thread-safe: one thread starts, kills and closes it.
 */
public final class BrokerProcesses implements AutoCloseable {

    private final Path dir;
    private final boolean keepDir;
    private final EmbeddedZooKeeper zooKeeper;
    private final Map<Integer, Process> brokers = new ConcurrentSkipListMap<>(); // read by the exit hook too
    private final Map<Integer, Integer> ports = new TreeMap<>();
    /** Kills the brokers when this JVM ends without {@link #close} (Ctrl-C), so that none outlives the sample. */
    private final Thread killAtExit;

    private BrokerProcesses(Path dir, boolean keepDir, EmbeddedZooKeeper zooKeeper) {
        this.dir = dir;
        this.keepDir = keepDir;
        this.zooKeeper = zooKeeper;
        Map<Integer, Process> processes = brokers;
        this.killAtExit = new Thread(() -> processes.values().forEach(Process::destroyForcibly), "weir-sample-brokers-exit");
        Runtime.getRuntime().addShutdownHook(killAtExit);
    }

    /**
     * Starts ZooKeeper and brokers {@code 1..count}, and returns once every broker is registered and a controller
     * is elected; a broker that exits meanwhile, or {@code timeout}, fails the start (with the broker's output).
     * The temporary directory is deleted at close.
     */
    public static BrokerProcesses start(int count, Duration timeout) throws IOException, InterruptedException {
        return start(count, timeout, false);
    }

    /** As {@link #start(int, Duration)}, keeping the directory (data and broker output) at close when {@code keepDir}. */
    public static BrokerProcesses start(int count, Duration timeout, boolean keepDir) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("weir-cluster-sample");
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir.resolve("zookeeper"), 0, 500);
        BrokerProcesses cluster = new BrokerProcesses(dir, keepDir, zk);
        try {
            zk.start();
            for (int id = 1; id <= count; id++) {
                cluster.launch(id);
            }
            cluster.awaitRegistered(count, timeout);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code host:port,…} of every broker, the killed ones included (clients skip those). */
    public String bootstrapServers() {
        return ports.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The process id of broker {@code id}. */
    public long pid(int id) {
        return brokers.get(id).pid();
    }

    /** SIGKILL to broker {@code id}'s JVM; returns the exit status once the process is gone (137 on Linux). */
    public int kill(int id) throws InterruptedException {
        Process p = brokers.get(id);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker " + id + " (pid " + p.pid() + ") still runs 30 s after SIGKILL");
        }
        return p.exitValue();
    }

    /** The directory of the brokers' data and output. */
    public Path directory() {
        return dir;
    }

    /** Where broker {@code id} writes its output. */
    public Path log(int id) {
        return dir.resolve("broker-" + id + ".log");
    }

    private void launch(int id) throws IOException {
        int port = freePort();
        ports.put(id, port);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only (TieredStopAtLevel=1): three JVMs start on two busy cores in well under half the time; this
        // sample measures no throughput
        List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath(), Main.class.getName()));
        Map<String, String> settings = new TreeMap<>();
        settings.put("broker.id", Integer.toString(id));
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("zookeeper.connect", zooKeeper.connectString());
        settings.put("zookeeper.session.timeout.ms", "6000");
        settings.put("log.dirs", dir.resolve("broker-" + id).toString());
        // every log on three brokers, a write safe once two have it: the queue and the internal topics alike
        settings.put("default.replication.factor", "3");
        settings.put("min.insync.replicas", "2");
        settings.put("offsets.topic.replication.factor", "3");
        settings.put("share.coordinator.state.topic.replication.factor", "3");
        settings.put("transaction.state.log.replication.factor", "3");
        // a small machine: few partitions for the internal topics, few threads, a small cleaner buffer
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("share.coordinator.state.topic.num.partitions", "5");
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("num.io.threads", "4");
        settings.put("num.network.threads", "2");
        settings.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.forEach((k, v) -> {
            command.add("--override");
            command.add(k + "=" + v);
        });
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
        brokers.put(id, p);
    }

    private void awaitRegistered(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int id : brokers.keySet()) { // first listening (so the Admin client below does not warn of refused connections)
            while (!listening(ports.get(id))) {
                checkStarting(deadline, timeout);
                Thread.sleep(100);
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"))) {
            while (true) {
                checkStarting(deadline, timeout);
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    List<Node> nodes = new ArrayList<>(cluster.nodes().get(5, TimeUnit.SECONDS));
                    Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
                    if (nodes.size() == count && controller != null && controller.id() >= 0) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        }
    }

    /** Fails when a broker exited (with its output) or the start took longer than {@code timeout}. */
    private void checkStarting(long deadline, Duration timeout) {
        for (Map.Entry<Integer, Process> b : brokers.entrySet()) {
            if (!b.getValue().isAlive()) {
                throw new IllegalStateException("broker " + b.getKey() + " exited with status "
                        + b.getValue().exitValue() + " while starting; its output:\n" + output(b.getKey()));
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the brokers did not all start within " + timeout + "; outputs in " + dir);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String output(int id) {
        try {
            return Files.readString(log(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * This JVM's class path: under {@code mvn exec:java} the sample's own class loader holds it (the JVM's class
     * path is Maven's launcher), under a test runner {@code java.class.path} does.
     */
    static String classPath() {
        if (BrokerProcesses.class.getClassLoader() instanceof URLClassLoader loader && loader.getURLs().length > 0) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new IllegalStateException("a class path entry that is not a file: " + url, e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A loopback port free now and not handed out before by this JVM: the brokers are launched one after another and
     * bind their ports only seconds later, so a port closed here could otherwise be handed out twice.
     */
    private static int freePort() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port) || attempt >= 50) {
                    return port;
                }
            }
        }
    }

    /** Kills every broker still running (their data is thrown away, so no clean shutdown is needed), then ZooKeeper. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        for (Process p : brokers.values()) {
            p.destroyForcibly();
        }
        for (Process p : brokers.values()) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        zooKeeper.close();
        if (keepDir) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: best effort
        }
    }
}
