package io.weir.ra.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.dmr.ModelNode;
import org.wildfly.core.launcher.Launcher;
import org.wildfly.core.launcher.StandaloneCommandBuilder;

/**
 * A WildFly server process that a test starts, lets die and starts again itself (Arquillian's managed container
 * cannot restart a JVM that exited under it). It runs {@code standalone-full.xml} from its own base directory, a
 * fresh copy of the distribution's configuration, so the configuration and deployments a test adds survive a restart
 * exactly as they do for an operator. Loopback only, every port shifted by its own offset. Not thread-safe: one
 * test drives it.
 */
public final class StandaloneServer implements AutoCloseable {

    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path jbossHome;
    private final Path baseDir;
    private final String address;
    private final int portOffset;
    private final List<String> javaOptions;
    private Process process;
    private int starts;

    private StandaloneServer(Path jbossHome, Path baseDir, String address, int portOffset, List<String> javaOptions) {
        this.jbossHome = jbossHome;
        this.baseDir = baseDir;
        this.address = address;
        this.portOffset = portOffset;
        this.javaOptions = javaOptions;
    }

    /**
     * A server whose base directory {@code baseDir} is emptied and given a copy of the distribution's
     * {@code standalone/configuration}. Not started.
     *
     * @param javaOptions JVM options added to the memory settings and the addresses and offset
     */
    public static StandaloneServer fresh(Path jbossHome, Path baseDir, String address, int portOffset,
            List<String> javaOptions) throws IOException {
        deleteTree(baseDir);
        Path source = jbossHome.resolve("standalone").resolve("configuration");
        Path target = baseDir.resolve("configuration");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createDirectories(baseDir.resolve("deployments"));
        return new StandaloneServer(jbossHome, baseDir, address, portOffset, List.copyOf(javaOptions));
    }

    /** Starts the server process and waits until it reports {@code running}; fails if it exits while booting. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("The server is already running");
        }
        List<String> options = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-XX:MetaspaceSize=96M",
                "-Djava.net.preferIPv4Stack=true",
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.bind.address=" + address,
                "-Djboss.bind.address.management=" + address,
                "-Djboss.bind.address.private=" + address));
        options.addAll(javaOptions);
        StandaloneCommandBuilder command = StandaloneCommandBuilder.of(jbossHome)
                .setJavaHome(System.getProperty("java.home"))
                .setBaseDirectory(baseDir)
                .setServerConfiguration("standalone-full.xml")
                .addJavaOptions(options);
        starts++;
        Path console = baseDir.resolve("console-" + starts + ".log");
        process = Launcher.of(command).setRedirectErrorStream(true).redirectOutput(console).launch();
        Process booting = process;
        await("WildFly running (" + baseDir + ", console " + console + ")").atMost(BOOT_TIMEOUT)
                .pollDelay(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!booting.isAlive()) {
                        throw new IllegalStateException("WildFly exited with " + booting.exitValue()
                                + " while booting; console:\n" + Files.readString(console, StandardCharsets.UTF_8));
                    }
                    return "running".equals(serverState());
                });
    }

    /** Reloads the server (every service stops and starts again in the same JVM) and waits until it runs. */
    public void reload() throws IOException {
        ModelNode op = new ModelNode();
        op.get("operation").set("reload");
        op.get("address").setEmptyList();
        try (ModelControllerClient client = client()) {
            ModelNode result = client.execute(op);
            if (!"success".equals(result.get("outcome").asString())) {
                throw new IllegalStateException("reload failed: " + result);
            }
        }
        await("WildFly running again after reload").atMost(BOOT_TIMEOUT)
                .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> "running".equals(serverState()));
    }

    private String serverState() {
        ModelNode op = new ModelNode();
        op.get("operation").set("read-attribute");
        op.get("address").setEmptyList();
        op.get("name").set("server-state");
        try (ModelControllerClient client = client()) {
            ModelNode result = client.execute(op);
            return "success".equals(result.get("outcome").asString()) ? result.get("result").asString() : null;
        } catch (IOException e) {
            return null; // not listening yet
        }
    }

    private ModelControllerClient client() throws IOException {
        return ModelControllerClient.Factory.create("remote+http", address, managementPort());
    }

    public int managementPort() {
        return 9990 + portOffset;
    }

    /** The base URL of the server's HTTP listener. */
    public URL http() {
        try {
            return new URL("http://" + address + ":" + (8080 + portOffset) + "/");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a jboss-cli script (its text) against the running server through the server's own jboss-cli.sh. */
    public String cli(String script) throws IOException, InterruptedException {
        Path file = Files.createTempFile("weir-it-server", ".cli");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            return JbossCli.runScript(jbossHome, address, managementPort(), file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Waits until the server process exits on its own (it crashed or was halted).
     *
     * @return its exit code
     * @throws IllegalStateException if it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("WildFly still running after " + timeout);
        }
        return process.exitValue();
    }

    /** {@code log/server.log} of the base directory (one file across restarts: the server appends). */
    public Path serverLog() {
        return baseDir.resolve("log").resolve("server.log");
    }

    public String serverLogText() {
        try {
            return Files.readString(serverLog(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shuts the server down if it runs (management {@code shutdown}, then the process is killed after a minute). */
    @Override
    public void close() throws IOException, InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        ModelNode op = new ModelNode();
        op.get("operation").set("shutdown");
        op.get("address").setEmptyList();
        try (ModelControllerClient client = client()) {
            client.execute(op);
        } catch (IOException e) {
            // the process is killed below
        }
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
