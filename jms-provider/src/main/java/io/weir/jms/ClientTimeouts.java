package io.weir.jms;

import java.util.Properties;

/**
 * The kafka-clients timeouts of a connection's clients, derived from its {@code connectTimeoutMs} (how long it waits
 * for the brokers) unless the application set them as kafka properties. The derived values keep the clients' own
 * rules: an Admin's {@code default.api.timeout.ms} is at least its {@code request.timeout.ms}, and a producer's
 * {@code delivery.timeout.ms} at least {@code linger.ms + request.timeout.ms}. Stateless.
 */
final class ClientTimeouts {

    /** An Admin's single request waits at most this long (less when the connect wait is shorter). */
    private static final long ADMIN_REQUEST_MS = 10_000;
    /** The least a send may take in all before it is failed, as before the connect wait was configurable. */
    private static final long MIN_DELIVERY_MS = 30_000;

    private ClientTimeouts() {
    }

    /** The connection's Admin: each request, and each call in all (retries included), within the connect wait. */
    static Properties admin(Properties p, long connectTimeoutMs) {
        // kafka-clients 4.4's admin client, with no broker answering, "rebootstraps" in a tight loop and logs each
        // time at INFO (over a thousand lines a second, filling an application server's log); without rebootstrapping
        // it retries its bootstrap addresses with the reconnect backoff. A connection's producers and consumers keep
        // kafka-clients' default.
        p.putIfAbsent("metadata.recovery.strategy", "none");
        p.putIfAbsent("request.timeout.ms", String.valueOf(Math.min(ADMIN_REQUEST_MS, connectTimeoutMs)));
        p.putIfAbsent("default.api.timeout.ms",
                String.valueOf(Math.max(connectTimeoutMs, longValue(p, "request.timeout.ms"))));
        return p;
    }

    /** A producer: metadata waits ({@code max.block.ms}) and requests within the connect wait; sends within {@code sendTimeoutMs}. */
    static Properties producer(Properties p, long connectTimeoutMs, long sendTimeoutMs) {
        p.putIfAbsent("max.block.ms", String.valueOf(connectTimeoutMs));
        p.putIfAbsent("request.timeout.ms", String.valueOf(connectTimeoutMs));
        long least = longValue(p, "linger.ms") + longValue(p, "request.timeout.ms");
        p.putIfAbsent("delivery.timeout.ms", String.valueOf(Math.max(least, Math.max(MIN_DELIVERY_MS, sendTimeoutMs))));
        return p;
    }

    /** A consumer: requests and blocking calls (position, committed offsets, ...) within the connect wait. */
    static Properties consumer(Properties p, long connectTimeoutMs) {
        p.putIfAbsent("request.timeout.ms", String.valueOf(connectTimeoutMs));
        p.putIfAbsent("default.api.timeout.ms", String.valueOf(connectTimeoutMs));
        return p;
    }

    /** A numeric kafka property as set (0 when absent); a value that is not a number fails as kafka-clients would. */
    private static long longValue(Properties p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The kafka property " + key + " must be a number, not '" + v + "'", e);
        }
    }
}
