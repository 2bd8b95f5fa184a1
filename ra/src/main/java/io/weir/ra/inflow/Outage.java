package io.weir.ra.inflow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's view of its brokers: the first failure of an outage is logged once (whichever of the
 * endpoint's sessions sees it), the reconnection that ends it once more. Between the two, each session retries
 * with {@link #delayMs exponential backoff}. Thread-safe.
 */
final class Outage {

    private static final Logger log = LoggerFactory.getLogger(Outage.class);

    private final String endpoint;
    private final long initialDelayMs;
    private final long maxDelayMs;
    private boolean down; // guarded by this
    private int failures; // guarded by this

    Outage(String endpoint, long initialDelayMs, long maxDelayMs) {
        this.endpoint = endpoint;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    /** Records a failure; the first one of an outage is logged. */
    synchronized void failed(String what, Throwable cause) {
        failures++;
        if (!down) {
            down = true;
            log.warn("{}: {} failed, retrying with backoff until the brokers answer: {}", endpoint, what, describe(cause));
        } else if (log.isDebugEnabled()) {
            log.debug("{}: {} failed again: {}", endpoint, what, describe(cause));
        }
    }

    /** Records a success; logs the end of an outage if there was one. */
    synchronized void recovered() {
        if (down) {
            down = false;
            log.info("{}: connected again after {} failed attempt(s)", endpoint, failures);
        }
        failures = 0;
    }

    synchronized boolean isDown() {
        return down;
    }

    /** The wait before retry number {@code attempt} (1-based): doubling from the initial delay, capped. */
    long delayMs(int attempt) {
        return delayMs(initialDelayMs, maxDelayMs, attempt);
    }

    static long delayMs(long initialDelayMs, long maxDelayMs, int attempt) {
        int shift = Math.max(0, Math.min(attempt - 1, 30));
        long d = initialDelayMs << shift;
        return d <= 0 || d > maxDelayMs ? maxDelayMs : d;
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable c = t.getCause();
        if (c == null && t instanceof jakarta.jms.JMSException j) {
            c = j.getLinkedException();
        }
        if (c != null && c != t && c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
            sb.append(" (").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(')');
        }
        return sb.toString();
    }
}
