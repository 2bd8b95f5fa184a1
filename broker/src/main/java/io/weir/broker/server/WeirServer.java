package io.weir.broker.server;

import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.LogManager;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Weir broker: wires the layers together and owns their lifecycle. Today it runs the storage
 * engine (log manager, retention, flushing, checkpoints); the network server, ZooKeeper
 * registration and the Kafka APIs join it in their own layers.
 *
 * <p>Lifecycle: {@code LATENT → STARTED → CLOSED}; {@link #close()} stops components in reverse
 * order of start and is safe to call from a shutdown hook. Thread-safe.
 */
public final class WeirServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WeirServer.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final BrokerConfig config;
    private final Time time;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CountDownLatch closed = new CountDownLatch(1);
    private ThreadPoolScheduler scheduler;
    private LogManager logManager;

    public WeirServer(BrokerConfig config, Time time) {
        this.config = config;
        this.time = time;
    }

    public void startup() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Broker already started or closed");
        }
        try {
            scheduler = new ThreadPoolScheduler("weir-scheduler", 2);
            logManager = new LogManager(config.logManagerConfig(), time, scheduler);
            logManager.startup();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Weir broker {} started; data in {}; not yet serving clients (no network listener in this build)",
                config.brokerId(), config.logManagerConfig().logDirs());
    }

    public LogManager logManager() {
        return logManager;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitShutdown() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        try {
            if (logManager != null) {
                logManager.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            log.info("Weir broker {} stopped", config.brokerId());
        } finally {
            closed.countDown();
        }
    }
}
