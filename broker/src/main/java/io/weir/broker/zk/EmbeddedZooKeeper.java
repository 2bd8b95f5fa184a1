package io.weir.broker.zk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-server ZooKeeper ({@code org.apache.zookeeper.server.ZooKeeperServer}) listening on
 * loopback, with its snapshots and transaction log under a data directory. The single-node default of
 * {@code bin/weir-server} and the test clusters use it; brokers talk to it through Curator exactly as
 * they would to an external ensemble.
 *
 * <p>Lifecycle: {@code LATENT → STARTED → CLOSED}. Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final Path dataDir;
    private final int requestedPort;
    private final int tickTimeMs;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private ZooKeeperServer server;
    private ServerCnxnFactory factory;

    /**
     * @param port 0 for an ephemeral port
     */
    public EmbeddedZooKeeper(Path dataDir, int port, int tickTimeMs) {
        this.dataDir = dataDir;
        this.requestedPort = port;
        this.tickTimeMs = tickTimeMs;
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Embedded ZooKeeper already started or closed");
        }
        try {
            Path snapDir = Files.createDirectories(dataDir.resolve("snapshots"));
            Path txnDir = Files.createDirectories(dataDir.resolve("txn-log"));
            server = new ZooKeeperServer(snapDir.toFile(), txnDir.toFile(), tickTimeMs);
            factory = ServerCnxnFactory.createFactory(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 1000);
            factory.startup(server);
            log.info("Embedded ZooKeeper listening on {} with data in {}", connectString(), dataDir);
        } catch (IOException e) {
            close();
            throw new KafkaStorageException("Cannot start embedded ZooKeeper in " + dataDir + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("Interrupted while starting embedded ZooKeeper", e);
        }
    }

    public int port() {
        return factory.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, for {@code zookeeper.connect}. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        if (factory != null) {
            factory.shutdown();
        }
        if (server != null) {
            server.shutdown(true);
        }
    }
}
