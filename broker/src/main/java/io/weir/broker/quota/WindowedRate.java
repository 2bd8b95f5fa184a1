package io.weir.broker.quota;

/**
 * A rate measured as Kafka measures quota rates: values recorded into {@code samples} windows of
 * {@code windowMs} each (a window starts at its first record), windows older than
 * {@code samples × windowMs} forgotten, and the sum divided by the time the kept windows span, counted
 * as at least {@code samples - 1} full windows (so a first burst is not read as a huge rate).
 *
 * <p>Thread-safe (synchronized; each quota entity has its own).
 */
final class WindowedRate {
    private static final long UNSET = Long.MIN_VALUE;

    private final int samples;
    private final long windowMs;
    private final long[] start;
    private final double[] value;
    private int current;
    private volatile long lastRecordMs;

    WindowedRate(int samples, long windowMs) {
        if (samples < 2 || windowMs < 1) {
            throw new IllegalArgumentException("A rate needs at least 2 windows of at least 1 ms, not " + samples + " of " + windowMs);
        }
        this.samples = samples;
        this.windowMs = windowMs;
        this.start = new long[samples];
        this.value = new double[samples];
        java.util.Arrays.fill(start, UNSET);
    }

    synchronized void record(double v, long nowMs) {
        purge(nowMs);
        if (start[current] == UNSET) {
            start[current] = nowMs;
        } else if (nowMs >= start[current] + windowMs) {
            current = (current + 1) % samples;
            start[current] = nowMs;
            value[current] = 0;
        }
        value[current] += v;
        lastRecordMs = nowMs;
    }

    /** The rate per second now (0 when nothing was recorded within the kept windows). */
    synchronized double perSecond(long nowMs) {
        purge(nowMs);
        double total = 0;
        for (int i = 0; i < samples; i++) {
            if (start[i] != UNSET) {
                total += value[i];
            }
        }
        return total == 0 ? 0 : total * 1000.0 / spanMs(nowMs);
    }

    /** The time the rate is measured over now, in ms: at least {@code samples - 1} windows. */
    synchronized long spanMs(long nowMs) {
        long oldest = nowMs;
        for (int i = 0; i < samples; i++) {
            if (start[i] != UNSET) {
                oldest = Math.min(oldest, start[i]);
            }
        }
        long elapsed = Math.max(0, nowMs - oldest);
        long full = elapsed / windowMs;
        if (full < samples - 1) {
            elapsed += (samples - 1 - full) * windowMs;
        }
        return Math.max(elapsed, 1);
    }

    long lastRecordMs() {
        return lastRecordMs;
    }

    private void purge(long nowMs) {
        long expireAge = samples * windowMs;
        for (int i = 0; i < samples; i++) {
            if (start[i] != UNSET && nowMs - start[i] >= expireAge) {
                start[i] = UNSET;
                value[i] = 0;
            }
        }
    }
}
