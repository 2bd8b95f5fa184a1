package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's three-broker cluster: bin/weir-zookeeper with config/zookeeper.properties, and
 * bin/weir-server with config/server-{1,2,3}.properties, each in its own process. Only the ports and data
 * directories are overridden (so the test runs beside anything else on the machine).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterScriptsIT {
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<StringBuffer> outputs = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
            if (!processes.get(i).waitFor(30, TimeUnit.SECONDS)) {
                processes.get(i).destroyForcibly();
            }
        }
    }

    @Test
    void threeBrokersFromTheSampleConfigsRegisterInTheStandaloneZooKeeper() throws Exception {
        int zkPort = freePort();
        String sample = Files.readString(HOME.resolve("config/zookeeper.properties"), StandardCharsets.UTF_8);
        assertThat(sample).contains("clientPort=2181").contains("dataDir=data/zookeeper");
        Path zkConfig = dir.resolve("zookeeper.properties");
        Files.writeString(zkConfig, sample.replace("clientPort=2181", "clientPort=" + zkPort)
                .replace("dataDir=data/zookeeper", "dataDir=" + dir.resolve("zk")), StandardCharsets.UTF_8);
        StringBuffer zkOut = start(List.of(HOME.resolve("bin/weir-zookeeper").toString(), zkConfig.toString()),
                Map.of("WEIR_ZK_HEAP_OPTS", "-Xmx64m"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> listening(zkPort) || !processes.get(0).isAlive());
        assertThat(processes.get(0).isAlive()).as("ZooKeeper output:\n%s", zkOut).isTrue();
        assertThat(dir.resolve("zk")).isDirectory();

        String connect = "127.0.0.1:" + zkPort;
        List<String> bootstrap = new ArrayList<>();
        List<StringBuffer> brokerOut = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            Path config = HOME.resolve("config/server-" + id + ".properties");
            assertThat(Files.readString(config, StandardCharsets.UTF_8))
                    .contains("broker.id=" + id, "zookeeper.connect=localhost:2181", "default.replication.factor=3",
                            "min.insync.replicas=2", "offsets.topic.replication.factor=3");
            String address = "127.0.0.1:" + freePort();
            bootstrap.add(address);
            brokerOut.add(start(List.of(HOME.resolve("bin/weir-server").toString(), config.toString(),
                    "--override", "zookeeper.connect=" + connect,
                    "--override", "listeners=PLAINTEXT://" + address,
                    "--override", "log.dirs=" + dir.resolve("broker-" + id)), Map.of("WEIR_HEAP_OPTS", "-Xmx160m")));
        }
        for (int i = 0; i < 3; i++) {
            StringBuffer out = brokerOut.get(i);
            int id = i + 1;
            Process p = processes.get(id);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> out.toString().contains("Weir broker " + id + " started") || !p.isAlive());
            assertThat(out.toString()).as("broker %d output", id)
                    .contains("Weir broker " + id + " started", "ZooKeeper " + connect, dir.resolve("broker-" + id).toString());
        }

        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, 10_000, 10_000, new RetryOneTime(100))) {
            zk.start();
            assertThat(zk.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(zk.getChildren().forPath("/brokers/ids")).containsExactlyInAnyOrder("1", "2", "3"));
        }
        for (int i = 0; i < 3; i++) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get(i),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
                List<Integer> ids = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id).toList();
                // each broker answers with brokers of this cluster; until the controller propagates broker
                // changes (issue 6), a broker's view may still lack brokers that registered after it
                assertThat(ids).as("brokers known to broker %d", i + 1).isNotEmpty().isSubsetOf(1, 2, 3);
            }
        }
    }

    private StringBuffer start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("WEIR_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        StringBuffer out = new StringBuffer();
        outputs.add(out);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "cluster-it-output-" + processes.size());
        reader.setDaemon(true);
        reader.start();
        return out;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
