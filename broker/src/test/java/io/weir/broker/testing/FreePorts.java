package io.weir.broker.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports free now, for fixtures that hand them to a server started a moment later. The system may hand out a
 * port it has just freed again, so a port is never handed out twice by one JVM, and ports wanted together are chosen
 * while all their sockets are open. (Another process may still take a port before the server binds it.)
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 50;

    private FreePorts() {
    }

    /** One port. */
    public static int one() throws IOException {
        return distinct(1)[0];
    }

    /** {@code n} different ports, none handed out before by this JVM (after {@value #ATTEMPTS} tries, any free one). */
    public static int[] distinct(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                for (int attempt = 0; ; attempt++) {
                    ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(s);
                    if (HANDED_OUT.add(s.getLocalPort()) || attempt >= ATTEMPTS) {
                        ports[i] = s.getLocalPort();
                        break;
                    }
                }
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
