package io.weir.broker.controller;

import io.weir.broker.common.Time;
import io.weir.broker.zk.BrokerRegistration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fast failure detection for the controller. A killed broker process resets its TCP connections at
 * once, long before its ZooKeeper session times out; so the controller keeps one idle connection to
 * every other live broker. When that connection ends, it tries to connect again once: if the broker
 * refuses, it is fenced (treated as dead: leadership moves away) until a later connection attempt
 * succeeds or its registration disappears. A silent failure (a hung host, a cable pulled) sends no
 * reset; then the ZooKeeper session timeout removes the registration, as before.
 *
 * <p>One daemon thread per watched broker, blocked in a read. Thread-safe; {@code onChange} is
 * called from those threads and must hand off.
 */
final class BrokerLivenessMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerLivenessMonitor.class);
    private static final long RETRY_MS = 250;

    private final int selfId;
    private final Time time;
    private final Runnable onChange;
    private final Map<Integer, Watcher> watchers = new ConcurrentHashMap<>();
    private final Set<Integer> fenced = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    BrokerLivenessMonitor(int selfId, Time time, Runnable onChange) {
        this.selfId = selfId;
        this.time = time;
        this.onChange = onChange;
    }

    boolean isFenced(int brokerId) {
        return fenced.contains(brokerId);
    }

    /** Watches exactly these brokers (the registered ones); forgets the others. */
    synchronized void watch(Collection<BrokerRegistration> brokers) {
        if (closed) {
            return;
        }
        Map<Integer, BrokerRegistration> wanted = new java.util.HashMap<>();
        brokers.stream().filter(b -> b.id() != selfId).forEach(b -> wanted.put(b.id(), b));
        watchers.entrySet().removeIf(e -> {
            BrokerRegistration want = wanted.get(e.getKey());
            if (want == null || !want.equals(e.getValue().broker)) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
        fenced.retainAll(wanted.keySet());
        wanted.forEach((id, b) -> watchers.computeIfAbsent(id, k -> new Watcher(b)));
    }

    private final class Watcher implements Runnable {
        final BrokerRegistration broker;
        private final Thread thread;
        private volatile boolean stopped;
        private volatile SocketChannel channel;

        Watcher(BrokerRegistration broker) {
            this.broker = broker;
            this.thread = new Thread(this, "weir-liveness-" + broker.id());
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            ByteBuffer sink = ByteBuffer.allocate(64);
            while (!stopped) {
                try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(broker.host(), broker.port()))) {
                    channel = ch;
                    if (fenced.remove(broker.id())) {
                        log.info("Broker {} answers again; no longer fenced", broker.id());
                        onChange.run();
                    }
                    while (!stopped && ch.read(sink.clear()) >= 0) {
                        // the broker never writes on this connection; only its end matters
                    }
                } catch (IOException e) {
                    // refused, reset or closed: decided below
                }
                if (stopped) {
                    return;
                }
                // the connection ended or a connect failed: one immediate retry decides
                if (!fenced.contains(broker.id()) && !reachable()) {
                    fenced.add(broker.id());
                    log.warn("Broker {} at {}:{} dropped its connection and refuses new ones: fencing it",
                            broker.id(), broker.host(), broker.port());
                    onChange.run();
                }
                if (!stopped) {
                    pause();
                }
            }
        }

        private boolean reachable() {
            try (SocketChannel probe = SocketChannel.open(new InetSocketAddress(broker.host(), broker.port()))) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private void pause() {
            try {
                time.sleep(fenced.contains(broker.id()) ? RETRY_MS : 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }

        void stop() {
            stopped = true;
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            thread.interrupt();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        watchers.values().forEach(Watcher::stop);
        watchers.clear();
    }
}
