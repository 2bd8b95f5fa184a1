package io.weir.broker.server;

import io.weir.broker.common.Time;
import io.weir.broker.zk.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An in-process Weir cluster for tests and embedding: a real ZooKeeper server and N brokers, all on
 * ephemeral loopback ports, data in a temporary directory (removed at close unless one was given).
 * Group settings favour fast tests ({@code offsets.topic.num.partitions=5},
 * {@code group.initial.rebalance.delay.ms=0}, {@code group.min.session.timeout.ms=1000}); any broker
 * setting can be overridden with {@link Builder#brokerProperty}.
 *
 * <pre>{@code
 * try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build()) {
 *     cluster.start();
 *     Properties p = new Properties();
 *     p.put("bootstrap.servers", cluster.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * Not thread-safe: start, restart and close from one thread.
 */
public final class EmbeddedWeirCluster implements AutoCloseable {
    private final int brokerCount;
    private final Map<String, String> brokerProperties;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private EmbeddedZooKeeper zookeeper;
    private final List<WeirServer> brokers = new ArrayList<>();

    private EmbeddedWeirCluster(int brokerCount, Map<String, String> brokerProperties, Path dataDir) {
        this.brokerCount = brokerCount;
        this.brokerProperties = Map.copyOf(brokerProperties);
        try {
            this.ownsDataDir = dataDir == null;
            this.dataDir = dataDir != null ? dataDir : Files.createTempDirectory("weir-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link EmbeddedWeirCluster}. */
    public static final class Builder {
        private int brokers = 1;
        private final Map<String, String> properties = new HashMap<>();
        private Path dataDir;

        public Builder brokers(int count) {
            this.brokers = count;
            return this;
        }

        /** A broker setting applied to every broker. */
        public Builder brokerProperty(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** Keeps data here (not deleted at close) instead of a temporary directory. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public EmbeddedWeirCluster build() {
            return new EmbeddedWeirCluster(brokers, properties, dataDir);
        }
    }

    public EmbeddedWeirCluster start() {
        zookeeper = new EmbeddedZooKeeper(dataDir.resolve("zookeeper"), 0, 500);
        zookeeper.start();
        for (int id = 0; id < brokerCount; id++) {
            brokers.add(startBroker(id, 0));
        }
        return this;
    }

    private WeirServer startBroker(int id, int port) {
        Map<String, String> props = new HashMap<>();
        props.put(BrokerConfig.BROKER_ID, String.valueOf(id));
        props.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:" + port);
        props.put(BrokerConfig.ZOOKEEPER_CONNECT, zookeeper.connectString());
        props.put(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        props.put(BrokerConfig.NUM_IO_THREADS, "4");
        props.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        props.put("log.dirs", dataDir.resolve("broker-" + id).toString());
        props.put("log.segment.delete.delay.ms", "1000");
        // a small key map per broker (production default 128 MiB) and a prompt cleaner
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        props.put("log.cleaner.backoff.ms", "500");
        // test-friendly group defaults (production defaults: 50 offsets and share state partitions, 3 s initial delay, 6 s minimum session)
        props.put(BrokerConfig.OFFSETS_TOPIC_PARTITIONS, "5");
        props.put(BrokerConfig.SHARE_STATE_TOPIC_PARTITIONS, "5");
        props.put(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0");
        props.put(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS, "1000");
        props.put("transaction.state.log.num.partitions", "5");
        props.putAll(brokerProperties);
        WeirServer server = new WeirServer(new BrokerConfig(props), Time.SYSTEM);
        server.startup();
        return server;
    }

    /** {@code host:port,…} of every running broker. */
    public String bootstrapServers() {
        return brokers.stream().filter(b -> b != null).map(b -> "127.0.0.1:" + b.boundPort()).collect(Collectors.joining(","));
    }

    /**
     * Waits until every running broker serves topic {@code name} with {@code partitions} partitions and a leader for
     * each: a topic created through one broker reaches the others through ZooKeeper a moment later, and an Admin
     * client asking one of those meanwhile is told UNKNOWN_TOPIC_OR_PARTITION, as by a Kafka cluster.
     *
     * @throws IllegalStateException if that has not happened within {@code timeoutMs}
     */
    public void awaitTopic(String name, int partitions, long timeoutMs) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!brokers.stream().filter(b -> b != null && b.isRunning()).allMatch(b -> b.servesTopic(name, partitions))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topic " + name + " (" + partitions + " partitions) not served by every broker within "
                        + timeoutMs + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for topic " + name, e);
            }
        }
    }

    public WeirServer broker(int id) {
        return brokers.get(id);
    }

    public String zookeeperConnect() {
        return zookeeper.connectString();
    }

    /**
     * Stops broker {@code id} (cleanly, unless it was killed already) and starts it again on the same
     * port with the same data.
     */
    public void restartBroker(int id) {
        WeirServer old = brokers.get(id);
        int port = old.boundPort();
        old.close();
        brokers.set(id, startBroker(id, port));
    }

    /**
     * Kills broker {@code id} abruptly, as {@code kill -9} would: sockets closed at once, no controlled
     * shutdown, its ZooKeeper session left to time out, no clean-shutdown marker. {@link #restartBroker}
     * brings it back (recovering its logs).
     */
    public void killBroker(int id) {
        brokers.get(id).kill();
    }

    /** Stops broker {@code id} cleanly (controlled shutdown first); {@link #restartBroker} brings it back. */
    public void stopBroker(int id) {
        brokers.get(id).close();
    }

    /** Stops (true) or resumes broker {@code id}'s fetching from leaders: a follower that falls behind. */
    public void pauseFollowerFetching(int id, boolean paused) {
        brokers.get(id).replicaManager().pauseFollowerFetching(paused);
    }

    /** Expires broker {@code id}'s ZooKeeper session on the server (its ephemeral znodes vanish at once). */
    public void expireZkSession(int id) {
        brokers.get(id).expireZkSession();
    }

    /** The id of the broker that is the active controller, or -1 when none is (yet). */
    public int controllerId() {
        for (int i = 0; i < brokers.size(); i++) {
            WeirServer b = brokers.get(i);
            if (b != null && b.isController()) {
                return i;
            }
        }
        return -1;
    }

    /** How many brokers the cluster has (running or not). */
    public int size() {
        return brokers.size();
    }

    @Override
    public void close() {
        for (WeirServer b : brokers) {
            if (b != null) {
                b.close();
            }
        }
        brokers.clear();
        if (zookeeper != null) {
            zookeeper.close();
        }
        if (ownsDataDir) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // best effort: a temporary directory
            }
        }
    }
}
