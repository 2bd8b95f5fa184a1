package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One broker started by {@code bin/weir-server} from a shipped config file, its directories under a test's own
 * folder and its listeners on ephemeral loopback ports (the overrides a test adds come after those). Started, it
 * has announced {@code Weir broker 0 started}; {@link #port} gives the port each listener bound, read from the
 * broker's output, which is drained afterwards so that the broker never blocks on it. {@link #stop} stops it with
 * SIGTERM and checks that it ends; {@link #close} kills what is left.
 * <p>The constructor also sets what the broker's tests tune ({@code group.initial.rebalance.delay.ms=0}, three
 * {@code __consumer_offsets} partitions); {@link #shipped} keeps every setting of the config file but the directories,
 * for tests of what a user meets (the JMS provider's end-to-end tests reuse it from this module's test jar).
 */
public final class ScriptedServer implements AutoCloseable {
    static final Path HOME = Path.of("").toAbsolutePath().getParent();
    private static final Pattern LISTENING = Pattern.compile("Listener (\\S+) .* on /127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final BufferedReader output;
    private final Map<String, Integer> ports = new HashMap<>();

    /**
     * @param config    the shipped config file, relative to the project's root ({@code config/server-ssl.properties})
     * @param dir       the test's folder: the broker's log and ZooKeeper directories go there
     * @param overrides {@code key=value} settings given with {@code --override} after the directories and ports
     */
    ScriptedServer(String config, Path dir, String... overrides) throws IOException {
        this(true, config, dir, overrides);
    }

    /**
     * The broker as a user runs it: {@code config} with only its directories moved under {@code dir} and the
     * {@code overrides} given (its listeners, at least: the shipped ones name a fixed port). The same {@code dir}
     * again restarts it on its data.
     */
    public static ScriptedServer shipped(String config, Path dir, String... overrides) throws IOException {
        return new ScriptedServer(false, config, dir, overrides);
    }

    private ScriptedServer(boolean tuned, String config, Path dir, String... overrides) throws IOException {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/weir-server").toString(),
                HOME.resolve(config).toString(),
                "--override", "log.dirs=" + dir.resolve("logs"),
                "--override", "zookeeper.embedded.data.dir=" + dir.resolve("zookeeper")));
        if (tuned) {
            command.addAll(List.of("--override", "offsets.topic.num.partitions=3",
                    "--override", "group.initial.rebalance.delay.ms=0"));
        }
        for (String o : overrides) {
            command.add("--override");
            command.add(o);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("WEIR_SKIP_BUILD", "1");
        pb.environment().put("WEIR_HEAP_OPTS", "-Xmx192m");
        process = pb.start();
        output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            awaitStarted();
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void awaitStarted() throws IOException {
        StringBuilder seen = new StringBuilder();
        boolean started = false;
        String line;
        while ((line = output.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                ports.put(m.group(1), Integer.parseInt(m.group(2)));
            }
            if (line.contains("Weir broker 0 started")) {
                started = true;
                break;
            }
        }
        assertThat(started).as("startup line in output:\n%s", seen).isTrue();
        assertThat(ports).as("listener lines in output:\n%s", seen).isNotEmpty();
        Thread drain = new Thread(() -> {
            try {
                output.lines().forEach(l -> { });
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the server's output on its way out
            }
        }, "drain");
        drain.setDaemon(true);
        drain.start();
    }

    /** The port the listener {@code name} bound; fails when the broker announced no such listener. */
    public int port(String name) {
        assertThat(ports).as("listeners announced").containsKey(name);
        return ports.get(name);
    }

    /** Stops the broker with SIGTERM and checks that it ends. */
    public void stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the broker ends on SIGTERM").isTrue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        output.close();
    }
}
