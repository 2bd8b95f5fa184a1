package io.weir.bench.sbs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one side-by-side run, from {@code --key=value} arguments. {@code --quick} switches the
 * defaults to a short run with fewer combinations; any key given explicitly wins over either preset.
 */
record SbsSettings(
        boolean quick,
        List<Integer> sizes,
        List<String> acks,
        List<Integer> partitions,
        double durationSeconds,
        long records,
        double warmupSeconds,
        boolean latency,
        int latencyRate,
        int latencySize,
        String latencyAcks,
        int latencyPartitions,
        double latencyDurationSeconds,
        double latencyWarmupSeconds,
        int rounds,
        boolean aa,
        boolean harnessWarmup,
        String brokerJvmOpts,
        Path repo,
        String weirClasspath,
        String kafkaClasspath,
        Path out,
        Path logs,
        int cluster,
        short clusterRf,
        int minInsync,
        int sessionTimeoutMs,
        String coordinatorJvmOpts,
        boolean failover,
        int failoverRate,
        int failoverSize,
        double failoverWarmupSeconds,
        double failoverAfterSeconds,
        int failoverRounds,
        String only,
        String security,
        String saslMechanism) {

    static final String USAGE = """
            io.weir.bench.sbs.SideBySide [--quick] [--key=value]...
              --sizes=100,1024           record value sizes (bytes) of the throughput workloads
              --acks=1,all               producer acks of the throughput workloads
              --partitions=1,8           partitions of the throughput workloads
              --duration=8               seconds each producer run sends for (--records=N sends N instead)
              --warmup=2                 seconds of untimed produce+consume on another topic first (0: none)
              --latency=true             run the end-to-end latency workload
              --latency-rate=5000        records/s sent at a fixed rate
              --latency-size=1024 --latency-acks=all --latency-partitions=1
              --latency-duration=12      seconds recorded, after --latency-warmup=3 seconds of unrecorded sending
              --rounds=1                 each round runs every workload Weir, Kafka, Kafka, Weir
              --aa=true                  also run Kafka against itself once (harness check)
              --harness-warmup=true      one discarded run first, so the harness JVM's client code is warm
              --broker-jvm-opts="-Xms1g -Xmx1g"   JVM options of both brokers
              --repo=.                   repository root (finds broker/target and bench/kafka-peer/target)
              --weir-classpath=... --kafka-classpath=...   override the broker classpaths
              --out=bench/target/side-by-side.txt   --logs=bench/target/side-by-side-logs
            --only=weir|kafka          run only that system's runs (the A/A check needs kafka)
            Security (single broker only):
              --security=SASL_SSL        both brokers get a SASL_SSL client listener (certificates made at run time with
                                         bin/weir-certs); every workload runs over SASL_SSL and over PLAINTEXT, in the
                                         order Weir-S, Kafka-S, Kafka-P, Weir-P, Weir-P, Kafka-P, Kafka-S, Weir-S, and the
                                         report adds SASL_SSL/PLAINTEXT per system (default PLAINTEXT: no TLS, no SASL;
                                         also -Dsbs.security=SASL_SSL); the A/A check runs over SASL_SSL
              --sasl-mechanism=SCRAM-SHA-256   or PLAIN: what the clients log in with
            Replicated mode:
              --cluster=3                3 brokers per system (Weir + one ZooKeeper; Kafka brokers + one KRaft controller)
              --cluster-rf=3 --min-insync=2   replication factor and min.insync.replicas of every topic
              --session-timeout-ms=6000  Weir's ZooKeeper session timeout = Kafka's broker.session.timeout.ms
              --coordinator-jvm-opts="-Xms256m -Xmx256m"   JVM of the ZooKeeper / KRaft controller
              --failover=true            the failover workload: steady idempotent acks=all producer, kill -9 of the leader
              --failover-rate=1000 --failover-size=256   records/s and bytes of its producer
              --failover-warmup=5 --failover-after=20    seconds before the kill, seconds recorded after it
              --failover-rounds=2        each round runs it Weir, Kafka, Kafka, Weir on fresh clusters
            --cluster=3 defaults: sizes 1024, acks all, partitions 1,8, latency rate 1000, broker JVMs -Xms512m -Xmx512m,
              no consumer-group workload; --quick: partitions 8 and one failover round.
            --quick: sizes 100,1024, acks all, partitions 1,8, 3 s runs (1 s warm-up), 5 s latency run (2 s warm-up).
            Full defaults: sizes 100,1024, acks 1,all, partitions 1,8, 8 s runs (2 s warm-up), 12 s latency run (3 s warm-up).
            """;

    static SbsSettings parse(String[] args) {
        Map<String, String> kv = new LinkedHashMap<>();
        boolean quick = false;
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException("usage");
            } else if (a.startsWith("--") && a.contains("=")) {
                kv.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        if (Boolean.parseBoolean(kv.getOrDefault("quick", "false"))) {
            quick = true;
        }
        kv.remove("quick");
        Args in = new Args(kv);
        Path repo = Path.of(in.str("repo", ".")).toAbsolutePath().normalize();
        int cluster = in.integer("cluster", 0);
        String security = in.str("security", System.getProperty("sbs.security", "PLAINTEXT")).toUpperCase(java.util.Locale.ROOT);
        boolean sec = !security.equals("PLAINTEXT");
        String suffix = sec ? "-" + security.toLowerCase(java.util.Locale.ROOT) : "";
        boolean c = cluster > 0;
        SbsSettings s = new SbsSettings(
                quick,
                in.ints("sizes", c ? "1024" : "100,1024"),
                in.strs("acks", quick || c ? "all" : "1,all"),
                in.ints("partitions", c && quick ? "8" : "1,8"),
                in.dbl("duration", quick ? 3 : 7),
                in.lng("records", 0),
                in.dbl("warmup", quick ? 1 : 2),
                in.bool("latency", true),
                in.integer("latency-rate", c ? 1000 : 5000),
                in.integer("latency-size", 1024),
                in.str("latency-acks", "all"),
                in.integer("latency-partitions", 1),
                in.dbl("latency-duration", quick ? 5 : 12),
                in.dbl("latency-warmup", quick ? 2 : 3),
                in.integer("rounds", 1),
                in.bool("aa", true),
                in.bool("harness-warmup", true),
                in.str("broker-jvm-opts", c ? "-Xms512m -Xmx512m" : "-Xms1g -Xmx1g"),
                repo,
                in.str("weir-classpath", null),
                in.str("kafka-classpath", null),
                repo.resolve(in.str("out", c ? "bench/target/side-by-side-cluster.txt" : "bench/target/side-by-side" + suffix + ".txt")),
                repo.resolve(in.str("logs", c ? "bench/target/side-by-side-cluster-logs" : "bench/target/side-by-side" + suffix + "-logs")),
                cluster,
                (short) in.integer("cluster-rf", c ? Math.min(3, cluster) : 1),
                in.integer("min-insync", c ? Math.min(2, cluster) : 1),
                in.integer("session-timeout-ms", 6000),
                in.str("coordinator-jvm-opts", "-Xms256m -Xmx256m"),
                in.bool("failover", c),
                in.integer("failover-rate", 1000),
                in.integer("failover-size", 256),
                in.dbl("failover-warmup", 5),
                in.dbl("failover-after", 20),
                in.integer("failover-rounds", quick ? 1 : 2),
                in.str("only", null),
                security,
                in.str("sasl-mechanism", "SCRAM-SHA-256").toUpperCase(java.util.Locale.ROOT));
        if (!kv.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + kv.keySet());
        }
        for (String a : s.acks) {
            if (!List.of("0", "1", "all", "-1").contains(a)) {
                throw new IllegalArgumentException("acks must be 0, 1 or all: " + a);
            }
        }
        if (s.rounds < 1 || s.latencyRate < 1 || s.durationSeconds <= 0 && s.records <= 0) {
            throw new IllegalArgumentException("rounds, latency-rate and duration (or records) must be positive");
        }
        if (s.cluster < 0 || s.cluster == 1 || s.clusterRf < 1 || s.cluster > 0 && s.clusterRf > s.cluster
                || s.minInsync < 1 || s.minInsync > s.clusterRf) {
            throw new IllegalArgumentException("need --cluster=0 or >= 2, 1 <= cluster-rf <= cluster, 1 <= min-insync <= cluster-rf");
        }
        if (s.failoverRate < 1 || s.failoverAfterSeconds <= 0 || s.failoverWarmupSeconds < 0) {
            throw new IllegalArgumentException("failover-rate and failover-after must be positive, failover-warmup >= 0");
        }
        if (s.failover && s.cluster < 2) {
            throw new IllegalArgumentException("--failover needs --cluster=N (N >= 2)");
        }
        if (!List.of("PLAINTEXT", SbsSecurity.PROTOCOL).contains(s.security)) {
            throw new IllegalArgumentException("--security must be PLAINTEXT or SASL_SSL: " + s.security);
        }
        if (!SbsSecurity.MECHANISMS.contains(s.saslMechanism)) {
            throw new IllegalArgumentException("--sasl-mechanism must be one of " + SbsSecurity.MECHANISMS + ": " + s.saslMechanism);
        }
        if (s.secured() && s.cluster > 0) {
            throw new IllegalArgumentException("--security=" + s.security + " runs single brokers only (not with --cluster)");
        }
        if (s.only != null && !List.of("weir", "kafka").contains(s.only)) {
            throw new IllegalArgumentException("--only must be weir or kafka: " + s.only);
        }
        return s;
    }

    /** True when the brokers get a secured client listener ({@code --security=SASL_SSL}). */
    boolean secured() {
        return !security.equals("PLAINTEXT");
    }

    List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("mode: " + (quick ? "quick" : "full") + ", rounds: " + rounds + (secured()
                ? " (each: Weir-S, Kafka-S, Kafka-P, Weir-P, Weir-P, Kafka-P, Kafka-S, Weir-S; fresh broker per run)"
                : " (each: Weir, Kafka, Kafka, Weir; fresh broker per run)"));
        lines.add("throughput: sizes " + sizes + " B, acks " + acks + ", partitions " + partitions + ", "
                + (records > 0 ? records + " records" : durationSeconds + " s") + " per producer run, then the consumer reads it all back"
                + (warmupSeconds > 0 ? "; first " + warmupSeconds + " s of untimed produce+consume on another topic" : ""));
        lines.add("producer: linger.ms=5, batch.size=65536, otherwise kafka-clients defaults; consumer: assign + seekToBeginning, defaults");
        if (latency) {
            lines.add("latency: " + latencyRate + " records/s, " + latencySize + " B, acks=" + latencyAcks + ", "
                    + latencyPartitions + " partition(s), " + latencyDurationSeconds + " s recorded after " + latencyWarmupSeconds
                    + " s of warm-up; send time = intended send time (no coordinated omission)");
        }
        lines.add("brokers: " + brokerJvmOpts + ", default GC, each in its own JVM; clients in the harness JVM over loopback");
        if (cluster > 0) {
            lines.add("cluster: " + cluster + " brokers per system, topics replication.factor=" + clusterRf + " min.insync.replicas="
                    + minInsync + "; Weir: one standalone ZooKeeper JVM (session timeout " + sessionTimeoutMs + " ms); Kafka: "
                    + "broker-only JVMs and one dedicated KRaft controller JVM (1-voter quorum, broker.session.timeout.ms="
                    + sessionTimeoutMs + "); coordinator JVM " + coordinatorJvmOpts);
            if (failover) {
                lines.add("failover: idempotent acks=all producer at " + failoverRate + " records/s of " + failoverSize + " B to 1 partition; "
                        + "kill -9 of the partition leader's JVM after " + failoverWarmupSeconds + " s, then " + failoverAfterSeconds
                        + " s recorded; " + failoverRounds + " round(s) of Weir, Kafka, Kafka, Weir");
            }
        }
        if (secured()) {
            lines.add("security: S = " + security + " with " + saslMechanism + ", P = PLAINTEXT; the A/A check runs over " + security);
        }
        if (only != null) {
            lines.add("only " + only + " runs");
        }
        return lines;
    }

    private static final class Args {
        private final Map<String, String> kv;

        Args(Map<String, String> kv) {
            this.kv = kv;
        }

        String str(String key, String def) {
            String v = kv.remove(key);
            return v == null ? def : v;
        }

        List<String> strs(String key, String def) {
            return Arrays.stream(str(key, def).split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }

        List<Integer> ints(String key, String def) {
            return strs(key, def).stream().map(Integer::parseInt).toList();
        }

        int integer(String key, int def) {
            return Integer.parseInt(str(key, Integer.toString(def)));
        }

        long lng(String key, long def) {
            return Long.parseLong(str(key, Long.toString(def)));
        }

        double dbl(String key, double def) {
            return Double.parseDouble(str(key, Double.toString(def)));
        }

        boolean bool(String key, boolean def) {
            return Boolean.parseBoolean(str(key, Boolean.toString(def)));
        }
    }
}
