package io.weir.ecosystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A distributed Connect worker in a JVM of its own ({@code ConnectDistributed} with a properties file, on this
 * JVM's class path, through {@link ConnectWorkerMain}, which halts when this JVM goes away), so that a test can
 * kill it with SIGKILL or freeze it with SIGSTOP. Its REST listener is on a loopback port picked
 * free at start; its output goes to {@code log}. Closing kills it if it is still alive.
 */
final class ConnectWorkerProcess implements AutoCloseable {
    private final Process process;
    private final URI url;
    private final Path log;

    private ConnectWorkerProcess(Process process, URI url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    static ConnectWorkerProcess start(Map<String, String> workerConfig, Path dir, String name) throws IOException {
        int port = freePort();
        Properties props = new Properties();
        props.putAll(workerConfig);
        props.put("listeners", "http://127.0.0.1:" + port);
        Files.createDirectories(dir);
        Path config = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "Connect worker " + name);
        }
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"),
                ConnectWorkerMain.class.getName(), config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ConnectWorkerProcess(process, URI.create("http://127.0.0.1:" + port + "/"), log);
    }

    /** The REST base URL; {@code host:port} of it is the worker id Connect reports in connector status. */
    URI url() {
        return url;
    }

    String workerId() {
        return url.getHost() + ":" + url.getPort();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, the worker neither leaves its group nor commits anything more. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("worker " + workerId() + " still alive 30 s after SIGKILL");
        }
    }

    /** SIGSTOP: the JVM freezes with its connections open, its open transactions and buffered records kept. */
    void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the frozen worker resumes as a zombie: its group membership expired and its producers were fenced meanwhile. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly(); // a suspended process dies of SIGKILL too
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A loopback port for the worker's REST listener, free now and never handed out before in this JVM (the workers of a
     * cluster start one after another and bind theirs seconds later: a closed port could be handed out twice).
     */
    private static int freePort() {
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port) || attempt >= 50) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
