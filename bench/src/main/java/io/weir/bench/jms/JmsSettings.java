package io.weir.bench.jms;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Settings of a JMS side-by-side run, from {@code --key=value} arguments (see {@link #USAGE}); the
 * quick mode only changes the defaults. Immutable.
 */
record JmsSettings(Path repo, boolean quick, int rounds, int queueMessages, int fanOutMessages, int requests, int warmup,
                   int requestWarmup, long timeoutMs, boolean aa, String brokerJvmOpts, String clientJvmOpts, Path weirConfig,
                   List<String> workloads, int attaches) {

    static final String USAGE = """
            usage: JmsSideBySide --repo=DIR [--quick] [--rounds=N] [--queue-messages=N] [--fanout-messages=N]
                   [--requests=N] [--warmup=N] [--request-warmup=N] [--timeout-ms=N] [--aa=true|false]
                   [--broker-jvm-opts='...'] [--client-jvm-opts='...'] [--weir-config=FILE] [--workloads=ID,...]
                   [--attaches=N]
              defaults (full / --quick): rounds 1, queue-messages 20000 / 2000, fanout-messages 5000 / 600,
              requests 2000 / 300, warmup 2000 / 300, request-warmup 300 / 50, attaches 20 / 10, timeout-ms 240000,
              aa true, broker and client JVMs -Xms512m -Xmx1g, weir-config REPO/config/server.properties (the
              shipped configuration; the harness overrides only listeners, log.dirs, zookeeper.embedded.data.dir
              and, for Weir+gc, log.flush.group.commit.enable), workloads all of
              queue1,queue4,fanout,reqreply,reqreply-np,receive-auto,receive-client,send-tx,relay-tx,attach,procs1,procs4,send-async
            """;

    static JmsSettings parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                a.put("quick", "true");
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got '" + arg + "'\n" + USAGE);
            }
            a.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        boolean quick = Boolean.parseBoolean(a.getOrDefault("quick", "false"));
        String repo = a.get("repo");
        if (repo == null) {
            throw new IllegalArgumentException("missing --repo=\n" + USAGE);
        }
        JmsSettings s = new JmsSettings(Path.of(repo).toAbsolutePath(), quick,
                positive(a, "rounds", 1),
                positive(a, "queue-messages", quick ? 2_000 : 20_000),
                positive(a, "fanout-messages", quick ? 600 : 5_000),
                positive(a, "requests", quick ? 300 : 2_000),
                positive(a, "warmup", quick ? 300 : 2_000),
                positive(a, "request-warmup", quick ? 50 : 300),
                positive(a, "timeout-ms", 240_000),
                Boolean.parseBoolean(a.getOrDefault("aa", "true")),
                a.getOrDefault("broker-jvm-opts", "-Xms512m -Xmx1g"),
                a.getOrDefault("client-jvm-opts", "-Xms512m -Xmx1g"),
                a.containsKey("weir-config") ? Path.of(a.get("weir-config")).toAbsolutePath()
                        : Path.of(repo).toAbsolutePath().resolve("config/server.properties"),
                workloadIds(a.get("workloads")),
                positive(a, "attaches", quick ? 10 : 20));
        a.keySet().removeAll(java.util.Set.of("quick", "repo", "rounds", "queue-messages", "fanout-messages", "requests", "warmup",
                "request-warmup", "timeout-ms", "aa", "broker-jvm-opts", "client-jvm-opts", "weir-config", "workloads", "attaches"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + a.keySet() + "\n" + USAGE);
        }
        return s;
    }

    private static List<String> workloadIds(String v) {
        if (v == null || v.isBlank()) {
            return RunPlan.WORKLOAD_IDS;
        }
        List<String> ids = List.of(v.split(","));
        for (String id : ids) {
            if (!RunPlan.WORKLOAD_IDS.contains(id)) {
                throw new IllegalArgumentException("--workloads: unknown workload '" + id + "'; known: " + String.join(",", RunPlan.WORKLOAD_IDS));
            }
        }
        return ids;
    }

    private static int positive(Map<String, String> a, String key, int dflt) {
        String v = a.get(key);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a positive integer, got '" + v + "'");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--" + key + " must be a positive integer, got " + n);
        }
        return n;
    }

    Path target() {
        return repo.resolve("bench/target");
    }

    /** Weir's broker: {@code config/}, {@code broker/target/weir-broker-*.jar} and {@code broker/target/lib/*}. */
    String weirBrokerClasspath() throws IOException {
        Path target = repo.resolve("broker/target");
        Path jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.filter(f -> f.getFileName().toString().matches("weir-broker-.*\\.jar") && !f.getFileName().toString().endsWith("-tests.jar"))
                    .findFirst().orElseThrow(() -> new IOException("no weir-broker jar in " + target + "; run bench/run-jms-side-by-side.sh without SKIP_BUILD=1"));
        } catch (NoSuchFileException e) {
            throw new IOException("no " + target + "; run bench/run-jms-side-by-side.sh without SKIP_BUILD=1");
        }
        if (!Files.isDirectory(target.resolve("lib"))) {
            throw new IOException("no " + target.resolve("lib") + "; run bench/run-jms-side-by-side.sh without SKIP_BUILD=1");
        }
        return String.join(File.pathSeparator, repo.resolve("config").toString(), jar.toString(), target.resolve("lib") + File.separator + "*");
    }

    /** The Weir side's client JVM: the shaded {@code bench/target/benchmarks.jar} (weir-jms, kafka-clients, HdrHistogram). */
    String weirClientClasspath() throws IOException {
        Path jar = target().resolve("benchmarks.jar");
        if (!Files.exists(jar)) {
            throw new IOException("no " + jar + "; run bench/run-jms-side-by-side.sh without SKIP_BUILD=1");
        }
        return jar.toString();
    }

    /**
     * The Artemis side's server and client JVMs: {@code bench/target/classes} (this package) and the
     * classpath {@code bench/artemis-peer} resolved (artemis-server, artemis-jakarta-client, HdrHistogram).
     */
    String artemisClasspath() throws IOException {
        Path file = repo.resolve("bench/artemis-peer/target/artemis-peer.classpath");
        if (!Files.exists(file)) {
            throw new IOException("no " + file + "; build it with 'mvn -f bench/artemis-peer/pom.xml package'");
        }
        return target().resolve("classes") + File.pathSeparator + Files.readString(file, StandardCharsets.UTF_8).trim();
    }
}
