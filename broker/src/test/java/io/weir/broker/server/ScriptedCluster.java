package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The README's three-broker cluster, each server in its own process started by the scripts:
 * {@code bin/weir-zookeeper} with {@code config/zookeeper.properties} and {@code bin/weir-server} with
 * {@code config/server-{1,2,3}.properties}. Only the ports and data directories are overridden (so the
 * cluster runs beside anything else on the machine), plus whatever overrides a test passes for every broker.
 *
 * <p>Faults are the real ones: {@link #kill} sends SIGKILL to the broker's JVM ({@code bin/weir-server}
 * {@code exec}s java, so the started process is the JVM), {@link #freeze}/{@link #thaw} send SIGSTOP and
 * SIGCONT. A broker restarts with the same command, address and data directory.
 *
 * <p>Each process writes its output to {@code <logs>/<name>.log} (appended across restarts), which stays
 * behind for a failed run. Not thread-safe: one test thread drives it. {@link #close} thaws and stops
 * everything it started.
 */
final class ScriptedCluster implements AutoCloseable {
    static final Path HOME = Path.of("").toAbsolutePath().getParent();
    static final int BROKERS = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final Path logs;
    private final List<String> brokerOverrides;
    private final List<Process> started = new ArrayList<>();
    private final Map<Integer, Process> brokers = new HashMap<>();
    private final Map<Integer, String> addresses = new HashMap<>();
    private Process zooKeeper;
    private int zkPort;

    /**
     * @param dataDir         working directory of every process, holding the ZooKeeper and broker data
     * @param logs            where the processes' output goes
     * @param brokerOverrides {@code key=value} settings given to every broker with {@code --override}
     */
    ScriptedCluster(Path dataDir, Path logs, List<String> brokerOverrides) throws IOException {
        this.dataDir = dataDir;
        this.logs = Files.createDirectories(logs);
        try (var old = Files.list(logs)) {
            for (Path file : old.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.delete(file); // a previous run's
            }
        }
        this.brokerOverrides = List.copyOf(brokerOverrides);
    }

    /** Starts ZooKeeper from the sample config with its port and data directory replaced; waits until it listens. */
    ScriptedCluster startZooKeeper() throws IOException {
        zkPort = freePort();
        String sample = Files.readString(HOME.resolve("config/zookeeper.properties"), StandardCharsets.UTF_8);
        assertThat(sample).contains("clientPort=2181").contains("dataDir=data/zookeeper");
        Path config = dataDir.resolve("zookeeper.properties");
        Files.writeString(config, sample.replace("clientPort=2181", "clientPort=" + zkPort)
                .replace("dataDir=data/zookeeper", "dataDir=" + zkDataDir()), StandardCharsets.UTF_8);
        Process zk = start("zookeeper", List.of(HOME.resolve("bin/weir-zookeeper").toString(), config.toString()),
                Map.of("WEIR_ZK_HEAP_OPTS", "-Xmx64m"));
        zooKeeper = zk;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> listening(zkPort) || !zk.isAlive());
        assertThat(zk.isAlive()).as("ZooKeeper output:\n%s", output("zookeeper")).isTrue();
        return this;
    }

    /** Starts brokers 1, 2 and 3 at once on free ports and waits until each has started. */
    ScriptedCluster startBrokers() throws IOException {
        Map<Integer, Long> offsets = new HashMap<>();
        for (int id = 1; id <= BROKERS; id++) {
            addresses.put(id, "127.0.0.1:" + freePort());
            offsets.put(id, outputLength(brokerLog(id)));
            launch(id);
        }
        for (int id = 1; id <= BROKERS; id++) {
            awaitStarted(id, offsets.get(id));
        }
        return this;
    }

    /** Starts broker {@code id} again (after {@link #kill}) with the same command, address and data, and waits until it has started. */
    void restart(int id) throws IOException {
        assertThat(brokers.get(id).isAlive()).as("broker %d is still running", id).isFalse();
        long from = outputLength(brokerLog(id));
        launch(id);
        awaitStarted(id, from);
    }

    /** SIGKILL to broker {@code id}'s JVM; returns once the process is gone. */
    void kill(int id) throws InterruptedException {
        Process p = brokers.get(id);
        assertThat(p.isAlive()).as("broker %d runs", id).isTrue();
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("broker %d ended after SIGKILL", id).isTrue();
        assertThat(p.exitValue()).as("exit status of broker %d (128 + SIGKILL)", id).isEqualTo(137);
    }

    /** SIGSTOP to broker {@code id}'s JVM: it hangs with its sockets and ZooKeeper session open. */
    void freeze(int id) throws IOException, InterruptedException {
        signal("STOP", brokers.get(id));
    }

    /** SIGCONT to broker {@code id}'s JVM. */
    void thaw(int id) throws IOException, InterruptedException {
        signal("CONT", brokers.get(id));
    }

    String zkConnect() {
        return "127.0.0.1:" + zkPort;
    }

    Path zkDataDir() {
        return dataDir.resolve("zk");
    }

    Path brokerDataDir(int id) {
        return dataDir.resolve("broker-" + id);
    }

    Process zooKeeperProcess() {
        return zooKeeper;
    }

    Process broker(int id) {
        return brokers.get(id);
    }

    String address(int id) {
        return addresses.get(id);
    }

    /** Every broker's address, comma-separated, for {@code bootstrap.servers}. */
    String bootstrapServers() {
        return String.join(",", List.of(address(1), address(2), address(3)));
    }

    /** Everything broker {@code id} printed so far, over all its runs. */
    String brokerOutput(int id) throws IOException {
        return output("broker-" + id);
    }

    private void launch(int id) throws IOException {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/weir-server").toString(),
                HOME.resolve("config/server-" + id + ".properties").toString(),
                "--override", "zookeeper.connect=" + zkConnect(),
                "--override", "listeners=PLAINTEXT://" + address(id),
                "--override", "log.dirs=" + brokerDataDir(id)));
        for (String kv : brokerOverrides) {
            command.add("--override");
            command.add(kv);
        }
        brokers.put(id, start("broker-" + id, command, Map.of("WEIR_HEAP_OPTS", "-Xmx160m")));
    }

    private void awaitStarted(int id, long from) throws IOException {
        Process p = brokers.get(id);
        String line = "Weir broker " + id + " started";
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> outputSince(brokerLog(id), from).contains(line) || !p.isAlive());
        assertThat(outputSince(brokerLog(id), from)).as("broker %d output", id).contains(line);
        // the script exec'd java: the process we hold (and signal) is the broker's JVM, not a shell
        assertThat(ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()))
                .as("command of broker %d's process %d", id, p.pid()).hasValueSatisfying(c -> assertThat(c).endsWith("/java"));
    }

    private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        Path out = logs.resolve(name + ".log");
        Files.writeString(out, "---- " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().put("WEIR_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Path brokerLog(int id) {
        return logs.resolve("broker-" + id + ".log");
    }

    private String output(String name) throws IOException {
        return outputSince(logs.resolve(name + ".log"), 0);
    }

    private static long outputLength(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static String outputSince(Path file, long from) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return new String(all, (int) Math.min(from, all.length), all.length - (int) Math.min(from, all.length),
                StandardCharsets.UTF_8);
    }

    private static void signal(String signal, Process p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d: %s", signal, p.pid(), out).isZero();
    }

    /** Thaws every process it started (a stopped one would ignore SIGTERM), then stops them, newest first. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                try {
                    signal("CONT", p);
                } catch (IOException | AssertionError e) {
                    // it ended meanwhile; destroying it below is harmless
                }
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        return io.weir.broker.testing.FreePorts.one();
    }
}
