package io.weir.jms.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A member joining on the thread that creates its consumer gives up on an address that does not answer after its
 * connect timeout (the JMS connection's {@code connectTimeoutMs}), not after the much longer read timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShareMemberConnectTimeoutTest {

    @Test
    void aJoinGivesUpOnASilentAddressAfterTheConnectTimeout() throws Exception {
        // a listener that never accepts, its accept queue filled: further connects get no answer at all
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()));
                    fillers.add(ch);
                }
                Thread.sleep(200);
                Properties p = new Properties();
                p.put("bootstrap.servers", "127.0.0.1:" + silent.getLocalPort());
                try (ShareGroupMember m = new ShareGroupMember("jms-queue.q", "q", "c", p, 10, true, 30_000)) {
                    m.connectTimeoutMs(300);
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> m.join(10_000, true)).isInstanceOf(ShareGroupMember.Broken.class);
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    // two connect attempts (the join, then FindCoordinator) of 300 ms each; the read timeout is 30 s
                    assertThat(ms).isLessThan(10_000);
                }
            } finally {
                for (SocketChannel ch : fillers) {
                    ch.close();
                }
            }
        }
    }
}
