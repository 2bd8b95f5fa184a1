package io.weir.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyTest {
    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = FaultProxy.start(echo.address());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            assertThat(roundTrip(s, "again")).isEqualTo("again");
        }
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
        // counted just after each write, so the client may read a reply before it is counted
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.forwardedBytes() == 20); // 10 bytes each way
    }

    @Test
    void forwardsALargeTransferInOrderWhileTheClientReadsConcurrently() throws Exception {
        byte[] data = new byte[8 << 20]; // larger than the proxy's per-direction buffer: exercises back-pressure
        new Random(1).nextBytes(data);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket s = connect()) {
            Future<?> written = writer.submit(() -> {
                s.getOutputStream().write(data);
                s.getOutputStream().flush();
                return null;
            });
            byte[] back = s.getInputStream().readNBytes(data.length);
            written.get(30, TimeUnit.SECONDS);
            assertThat(Arrays.equals(back, data)).as("echoed bytes equal the sent bytes").isTrue();
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void blackholeDropsTrafficButKeepsTheConnectionOpenAndHealResumesIt() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            proxy.blackhole();
            assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.BLACKHOLE);
            write(s, "lost");
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.droppedBytes() == 4);
            assertThat(proxy.openConnections()).isEqualTo(1);

            proxy.heal();
            s.setSoTimeout(10_000);
            assertThat(roundTrip(s, "after")).as("the dropped bytes never arrive").isEqualTo("after");
        }
    }

    @Test
    void aTargetThatClosesWhileBlackholedIsSeenClosedOnlyAfterHeal() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hi")).isEqualTo("hi");
            proxy.blackhole();
            echo.closeAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> echo.closedConnections() == 1);
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).as("no FIN through a partition")
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(proxy.openConnections()).isEqualTo(1);
            proxy.heal();
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(proxy.openConnections()).isZero();
        }
    }

    @Test
    void connectionsAcceptedWhileBlackholedReachTheTargetOnlyAfterHeal() throws IOException {
        proxy.blackhole();
        try (Socket s = connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 1);
            assertThat(echo.accepted()).isZero();
            write(s, "dropped");
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.droppedBytes() == 7);
            proxy.heal();
            assertThat(roundTrip(s, "kept")).isEqualTo("kept");
            assertThat(echo.accepted()).isEqualTo(1);
        }
    }

    @Test
    void blackholeDropsBytesAlreadyWaitingInADelay() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "x")).isEqualTo("x");
            proxy.delay(5_000);
            write(s, "queued");
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.bufferedBytes() == 6);
            assertThat(proxy.forwardedBytes()).isEqualTo(2);
            proxy.blackhole();
            proxy.heal();
            assertThat(roundTrip(s, "fresh")).isEqualTo("fresh");
            assertThat(proxy.droppedBytes()).isEqualTo(6);
        }
    }

    @Test
    void resetAbortsOpenConnectionsAndNewOnesUntilHeal() throws IOException {
        Socket s = connect();
        try (s) {
            assertThat(roundTrip(s, "ok")).isEqualTo("ok");
            proxy.reset();
            s.setSoTimeout(10_000);
            assertThatThrownBy(() -> {
                // a reset connection fails on read; a write may need a second attempt to see the RST
                write(s, "x");
                s.getInputStream().read();
                write(s, "y");
                s.getInputStream().read();
            }).isInstanceOf(SocketException.class);
            assertThat(proxy.openConnections()).isZero();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.closedConnections() == 1);

        assertThatThrownBy(() -> {
            // accepted by the kernel, then reset by the proxy: the reset may surface at any call
            try (Socket refused = new Socket()) {
                refused.connect(proxy.address(), 5_000);
                refused.setSoTimeout(10_000);
                int b = refused.getInputStream().read();
                throw new AssertionError("expected a reset, read " + b);
            }
        }).isInstanceOf(SocketException.class);

        proxy.heal();
        try (Socket healed = connect()) {
            assertThat(roundTrip(healed, "back")).isEqualTo("back");
        }
    }

    @Test
    void delayHoldsEachDirectionForAtLeastTheDelay() throws IOException {
        proxy.delay(150);
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, "slow")).isEqualTo("slow");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(elapsedMs).as("request and response are each held 150 ms").isGreaterThanOrEqualTo(300);

            proxy.heal();
            assertThat(roundTrip(s, "fast")).isEqualTo("fast");
        }
        assertThatThrownBy(() -> proxy.delay(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOrderlyCloseByTheClientClosesTheTargetSide() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "bye")).isEqualTo("bye");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.closedConnections() == 1 && proxy.openConnections() == 0);
    }

    @Test
    void aTargetThatRefusesResetsTheClient() throws IOException {
        int deadPort;
        try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = tmp.getLocalPort();
        }
        try (FaultProxy dead = FaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), deadPort));
                Socket s = new Socket()) {
            int b;
            try {
                s.connect(dead.address(), 5_000);
                s.setSoTimeout(10_000);
                b = s.getInputStream().read();
            } catch (SocketException e) {
                b = -1; // reset: on loopback the reset can arrive while the connection is still being set up
            }
            assertThat(b).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(() -> dead.openConnections() == 0);
        }
    }

    @Test
    void closeStopsListeningAndRefusesFurtherCommands() throws IOException {
        Socket s = connect();
        try (s) {
            assertThat(roundTrip(s, "1")).isEqualTo("1");
            proxy.close();
            s.setSoTimeout(10_000);
            int b;
            try {
                b = s.getInputStream().read();
            } catch (SocketException e) {
                b = -1;
            }
            assertThat(b).isEqualTo(-1);
        }
        assertThatThrownBy(() -> new Socket().connect(proxy.address(), 2_000)).isInstanceOf(IOException.class);
        assertThatThrownBy(proxy::blackhole).isInstanceOf(IllegalStateException.class);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("fault-proxy-" + proxy.port()));
        proxy.close(); // idempotent
    }

    // ---------------------------------------------------------------- helpers

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(proxy.address(), 5_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        write(s, text);
        byte[] back = s.getInputStream().readNBytes(text.length());
        return new String(back, StandardCharsets.US_ASCII);
    }

    /** Echoes every byte back; one thread per connection (test scale). */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();

        EchoServer() throws IOException {
            threads.submit(this::acceptLoop);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        int accepted() {
            return accepted.get();
        }

        int closedConnections() {
            return closed.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    accepted.incrementAndGet();
                    threads.submit(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[16 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // reset: counted as closed below
            } finally {
                open.remove(s);
                closed.incrementAndGet();
            }
        }

        /** Closes every accepted connection (FIN). */
        void closeAll() throws IOException {
            for (Socket s : open) {
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            threads.shutdownNow();
        }
    }
}
