package io.weir.broker.log;

import io.weir.broker.common.Time;

/**
 * Holds a thread's I/O to a rate ({@code log.cleaner.io.max.bytes.per.second}): callers report the bytes
 * they read or wrote, and once a check period has passed, a caller that is ahead of the rate sleeps for as
 * long as the rate says those bytes should have taken. Shared by the cleaner threads, so the budget is
 * the broker's, not each thread's.
 *
 * <p>Thread-safe.
 */
final class Throttler {
    private static final long CHECK_PERIOD_NS = 100_000_000L;

    private final double bytesPerSecond;
    private final Time time;
    private long periodStartNs;
    private double observedSinceStart;

    Throttler(double bytesPerSecond, Time time) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("The I/O rate must be positive, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.time = time;
        this.periodStartNs = time.nanoseconds();
    }

    boolean unlimited() {
        return bytesPerSecond == Double.MAX_VALUE || Double.isInfinite(bytesPerSecond);
    }

    /**
     * Reports {@code bytes} of I/O and sleeps while over the rate.
     *
     * @return milliseconds slept
     */
    long maybeThrottle(long bytes) throws InterruptedException {
        if (unlimited()) {
            return 0;
        }
        long sleepMs;
        synchronized (this) {
            observedSinceStart += bytes;
            long now = time.nanoseconds();
            long elapsedNs = now - periodStartNs;
            if (elapsedNs < CHECK_PERIOD_NS) {
                return 0;
            }
            double wantedNs = observedSinceStart / bytesPerSecond * 1e9;
            sleepMs = (long) ((wantedNs - elapsedNs) / 1e6);
            periodStartNs = now;
            observedSinceStart = 0;
            if (sleepMs <= 0) {
                return 0;
            }
            periodStartNs = now + sleepMs * 1_000_000L;
        }
        time.sleep(sleepMs);
        return sleepMs;
    }
}
