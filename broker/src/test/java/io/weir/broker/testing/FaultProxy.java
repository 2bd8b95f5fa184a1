package io.weir.broker.testing;

import io.weir.broker.common.Time;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback in front of one target {@code host:port}, for fault tests: a client connects
 * to {@link #address()} instead of the target, and the test cuts, delays or heals the link while the
 * connections are in use.
 *
 * <ul>
 *   <li>{@link #blackhole()}: connections stay open and new ones are accepted, but every byte in either
 *       direction is read and thrown away (a network partition: nothing arrives, nothing fails). Bytes
 *       already waiting in the proxy are dropped too. Connections accepted while blackholed reach the
 *       target only after {@link #heal()}; a side that closes while blackholed is closed on the other
 *       side only at {@link #heal()}.</li>
 *   <li>{@link #reset()}: every open connection is closed abortively (TCP RST) on both sides, and new
 *       connections are accepted and reset at once, until {@link #heal()}.</li>
 *   <li>{@link #delay(long)}: bytes are forwarded in each direction no sooner than {@code ms} after the
 *       proxy read them (so a request/response round trip takes at least twice that).</li>
 *   <li>{@link #dropAnswers()}: what clients send is forwarded, what the target sends back is dropped (a request
 *       is carried out and its answer lost).</li>
 *   <li>{@link #heal()}: back to plain forwarding without delay.</li>
 * </ul>
 *
 * <p>Threading: all socket work runs on one selector thread ({@code fault-proxy-<port>}), which owns
 * every connection's state; so the proxy uses one thread however many connections it carries. The
 * public methods are thread-safe: they hand a command to that thread and return once it is in effect
 * (a test that calls {@code blackhole()} and then writes knows that the write is dropped).
 * {@link #close()} resets every connection, closes the listening socket and joins the thread.
 *
 * <p>The delay uses the real clock ({@link Time#SYSTEM}): it acts on real sockets, and tests using it
 * assert only lower bounds of elapsed time, never upper ones.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode {
        FORWARD, BLACKHOLE, RESET
    }

    /** Most bytes buffered per direction of a connection before the proxy stops reading its source. */
    private static final int MAX_PENDING_BYTES = 1 << 20;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final InetSocketAddress target;
    private final Time time;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<Link> links = new ArrayList<>(); // selector thread only
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES); // selector thread only
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private volatile Mode mode = Mode.FORWARD; // written on the selector thread only
    private volatile long delayNanos; // written on the selector thread only
    private volatile boolean dropAnswers; // written on the selector thread only
    private volatile boolean closing;

    private FaultProxy(InetSocketAddress target, Time time) throws IOException {
        this.target = target;
        this.time = time;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        this.thread = new Thread(this::loop, "fault-proxy-" + server.socket().getLocalPort());
        thread.setDaemon(true);
    }

    /** Starts a proxy on an ephemeral loopback port forwarding to {@code target}. */
    public static FaultProxy start(InetSocketAddress target) throws IOException {
        FaultProxy proxy = new FaultProxy(target, Time.SYSTEM);
        proxy.thread.start();
        return proxy;
    }

    /** Starts a proxy forwarding to {@code host:port}. */
    public static FaultProxy start(String host, int port) throws IOException {
        return start(new InetSocketAddress(host, port));
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    public InetSocketAddress target() {
        return target;
    }

    public Mode mode() {
        return mode;
    }

    /** Connections accepted since the start (including reset ones). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Bytes written to either side. */
    public long forwardedBytes() {
        return forwardedBytes.get();
    }

    /** Bytes read and thrown away while blackholed. */
    public long droppedBytes() {
        return droppedBytes.get();
    }

    /** Connections open right now (client side accepted and not yet closed). */
    public int openConnections() {
        return call(p -> links.size());
    }

    /** Bytes read and not yet written (held by a delay or a slow reader), over all connections. */
    public long bufferedBytes() {
        return call(p -> links.stream().mapToLong(l -> (long) l.toTarget.pendingBytes + l.toClient.pendingBytes).sum());
    }

    /** Drops all traffic both ways; connections stay open. */
    public void blackhole() {
        run(() -> {
            mode = Mode.BLACKHOLE;
            for (Link link : links) {
                link.toTarget.drop();
                link.toClient.drop();
            }
        });
    }

    /**
     * Forwards what clients send but drops what the target answers (a request arrives and its answer is lost), until
     * {@link #heal()}; connections stay open (a connection that lost part of an answer is out of step: {@link #reset()} it).
     */
    public void dropAnswers() {
        run(() -> {
            dropAnswers = true;
            for (Link link : links) {
                link.toClient.drop();
            }
        });
    }

    /** Resets every connection and every new one, until {@link #heal()}. */
    public void reset() {
        run(() -> {
            mode = Mode.RESET;
            for (Link link : new ArrayList<>(links)) {
                link.close(true);
            }
        });
    }

    /** Forwards each direction's bytes no sooner than {@code ms} after reading them (0: no delay). */
    public void delay(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("delay must be >= 0: " + ms);
        }
        run(() -> delayNanos = TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** Plain forwarding, no delay; connections accepted while blackholed are connected to the target now. */
    public void heal() {
        run(() -> {
            mode = Mode.FORWARD;
            delayNanos = 0;
            dropAnswers = false;
            for (Link link : new ArrayList<>(links)) {
                if (link.toTarget.sourceEnded || link.toClient.sourceEnded) {
                    link.close(false); // a side that ended behind the partition: the other side learns it now
                    continue;
                }
                link.connectTargetIfNeeded();
                link.updateInterest();
            }
        });
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + address() + " -> " + target + ", " + mode + "]";
    }

    // ---------------------------------------------------------------- hand-off to the selector thread

    private void run(Runnable command) {
        call(p -> {
            command.run();
            return null;
        });
    }

    private <T> T call(java.util.function.Function<FaultProxy, T> command) {
        if (closing || !thread.isAlive()) {
            throw new IllegalStateException(this + " is closed");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        commands.add(() -> {
            try {
                done.complete(command.apply(this));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(this + ": the selector thread did not answer in 10 s", e);
        }
    }

    // ---------------------------------------------------------------- selector thread

    private void loop() {
        try {
            while (!closing) {
                long waitNanos = nextDueInNanos();
                if (waitNanos == 0) {
                    selector.selectNow();
                } else {
                    selector.select(waitNanos < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
                }
                Runnable command;
                while ((command = commands.poll()) != null) {
                    command.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
                for (Link link : new ArrayList<>(links)) {
                    link.flushDue();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the proxy is a test fixture: report, then fall through to close everything
            System.err.println(this + " stopped: " + e);
            e.printStackTrace();
        } finally {
            for (Link link : new ArrayList<>(links)) {
                link.close(true);
            }
            closeQuietly(server);
            closeQuietly(selector);
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run(); // waiting callers get an answer instead of a timeout
            }
        }
    }

    /** Nanoseconds until the earliest delayed chunk is due; 0 if one is due now, -1 if none waits. */
    private long nextDueInNanos() {
        long now = time.nanoseconds();
        long best = -1;
        for (Link link : links) {
            for (Pipe pipe : List.of(link.toTarget, link.toClient)) {
                Chunk head = pipe.queue.peek();
                if (head != null && !pipe.writeBlocked) {
                    long wait = Math.max(0, head.dueNanos - now);
                    best = best < 0 ? wait : Math.min(best, wait);
                }
            }
        }
        return best;
    }

    private void handle(SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isAcceptable()) {
                accept();
                return;
            }
            Link link = (Link) key.attachment();
            if (key.isConnectable()) {
                link.finishConnect();
            }
            if (key.isValid() && key.isWritable()) {
                Pipe into = key.channel() == link.client ? link.toClient : link.toTarget;
                into.writeBlocked = false;
                into.flushDue();
            }
            if (key.isValid() && key.isReadable()) {
                Pipe from = key.channel() == link.client ? link.toTarget : link.toClient;
                from.read();
            }
            if (link.isOpen()) {
                link.updateInterest();
            }
        } catch (CancelledKeyException e) {
            // the link was closed while handling another of its keys
        }
    }

    private void accept() {
        SocketChannel client;
        try {
            client = server.accept();
        } catch (IOException e) {
            return;
        }
        if (client == null) {
            return;
        }
        accepted.incrementAndGet();
        if (mode == Mode.RESET) {
            abort(client);
            return;
        }
        Link link = new Link(client);
        links.add(link);
        if (!link.register()) {
            return;
        }
        if (mode == Mode.FORWARD) {
            link.connectTargetIfNeeded();
        }
        if (link.isOpen()) {
            link.updateInterest();
        }
    }

    private static void abort(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0); // close() then sends RST, not FIN
        } catch (IOException | RuntimeException e) {
            // already closed
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // closing
        }
    }

    /** Bytes read at {@code dueNanos - delay}, to be written at {@code dueNanos}. */
    private record Chunk(long dueNanos, ByteBuffer data) {
    }

    /** One accepted client connection and its connection to the target. Selector thread only. */
    private final class Link {
        final SocketChannel client;
        SocketChannel upstream;
        boolean upstreamConnected;
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        final Pipe toTarget = new Pipe(this, true);
        final Pipe toClient = new Pipe(this, false);
        boolean open = true;

        Link(SocketChannel client) {
            this.client = client;
        }

        boolean register() {
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                clientKey = client.register(selector, 0, this);
                return true;
            } catch (IOException e) {
                close(true);
                return false;
            }
        }

        void connectTargetIfNeeded() {
            if (upstream != null || !open) {
                return;
            }
            try {
                upstream = SocketChannel.open();
                upstream.configureBlocking(false);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                upstreamConnected = upstream.connect(target);
                upstreamKey = upstream.register(selector, upstreamConnected ? 0 : SelectionKey.OP_CONNECT, this);
            } catch (IOException e) {
                close(true); // the target refused: the client sees its connection reset
            }
        }

        void finishConnect() {
            try {
                upstreamConnected = upstream.finishConnect();
            } catch (IOException e) {
                close(true);
            }
        }

        boolean isOpen() {
            return open;
        }

        SocketChannel sink(boolean toTarget) {
            return toTarget ? upstream : client;
        }

        SocketChannel source(boolean toTarget) {
            return toTarget ? client : upstream;
        }

        void updateInterest() {
            if (!open) {
                return;
            }
            int clientOps = 0;
            // a blackholed link keeps reading (to drop) so that senders are never blocked by the proxy
            if (!toTarget.sourceEnded && (mode == Mode.BLACKHOLE || toTarget.pendingBytes < MAX_PENDING_BYTES && upstreamConnected)) {
                clientOps |= SelectionKey.OP_READ;
            }
            if (toClient.writeBlocked) {
                clientOps |= SelectionKey.OP_WRITE;
            }
            clientKey.interestOps(clientOps);
            if (upstreamKey != null) {
                int ops;
                if (!upstreamConnected) {
                    ops = SelectionKey.OP_CONNECT;
                } else {
                    ops = 0;
                    if (!toClient.sourceEnded && (mode == Mode.BLACKHOLE || toClient.pendingBytes < MAX_PENDING_BYTES)) {
                        ops |= SelectionKey.OP_READ;
                    }
                    if (toTarget.writeBlocked) {
                        ops |= SelectionKey.OP_WRITE;
                    }
                }
                upstreamKey.interestOps(ops);
            }
        }

        void flushDue() {
            if (open && upstreamConnected) {
                toTarget.flushDue();
                if (open) {
                    toClient.flushDue();
                }
            }
        }

        /** Closes both sides: abortively (RST) for a fault or an error, or with FIN after an orderly end. */
        void close(boolean abort) {
            if (!open) {
                return;
            }
            open = false;
            links.remove(this);
            for (SocketChannel c : new SocketChannel[] {client, upstream}) {
                if (c == null) {
                    continue;
                }
                if (abort) {
                    abort(c);
                } else {
                    closeQuietly(c);
                }
            }
        }
    }

    /** One direction of a link: bytes read from its source wait here (delayed) until written to its sink. */
    private final class Pipe {
        final Link link;
        final boolean toTarget;
        final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        int pendingBytes;
        boolean writeBlocked;
        boolean sourceEnded;

        Pipe(Link link, boolean toTarget) {
            this.link = link;
            this.toTarget = toTarget;
        }

        void read() {
            readBuffer.clear();
            int n;
            try {
                n = link.source(toTarget).read(readBuffer);
            } catch (IOException e) {
                if (mode == Mode.BLACKHOLE) {
                    sourceEnded = true; // behind a partition nobody learns of it; heal() passes it on
                    link.updateInterest();
                    return;
                }
                link.close(true); // reset by the peer: pass the reset on
                return;
            }
            if (n < 0) {
                sourceEnded = true;
                if (mode == Mode.BLACKHOLE) {
                    link.updateInterest(); // the other side learns of the end only after heal()
                } else if (queue.isEmpty()) {
                    link.close(false);
                }
                return;
            }
            if (n == 0) {
                return;
            }
            if (mode == Mode.BLACKHOLE || dropAnswers && !toTarget) {
                droppedBytes.addAndGet(n);
                return;
            }
            readBuffer.flip();
            ByteBuffer copy = ByteBuffer.allocate(n);
            copy.put(readBuffer).flip();
            queue.add(new Chunk(time.nanoseconds() + delayNanos, copy));
            pendingBytes += n;
            flushDue();
        }

        void flushDue() {
            if (!link.open || !link.upstreamConnected || mode == Mode.BLACKHOLE) {
                return;
            }
            long now = time.nanoseconds();
            SocketChannel sink = link.sink(toTarget);
            Chunk head;
            while ((head = queue.peek()) != null && head.dueNanos <= now) {
                int n;
                try {
                    n = sink.write(head.data);
                } catch (IOException e) {
                    link.close(true);
                    return;
                }
                forwardedBytes.addAndGet(n);
                pendingBytes -= n;
                if (head.data.hasRemaining()) {
                    writeBlocked = true;
                    link.updateInterest();
                    return;
                }
                queue.poll();
            }
            writeBlocked = false;
            if (queue.isEmpty() && sourceEnded) {
                link.close(false); // everything the ended side sent has been delivered
            }
        }

        void drop() {
            for (Chunk c : queue) {
                droppedBytes.addAndGet(c.data.remaining());
            }
            queue.clear();
            pendingBytes = 0;
            writeBlocked = false;
        }
    }
}
