package io.weir.bench;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress line of a long benchmark: {@code run 3/12, 1m20s elapsed, ~4m10s left}. The estimate is the
 * mean duration of the runs done so far times the runs left. Not thread-safe: one harness thread calls it.
 */
public final class Progress {
    private final int total;
    private final LongSupplier nanoClock;
    private final long start;

    /** @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime} */
    public Progress(int total, LongSupplier nanoClock) {
        this.total = total;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    public int total() {
        return total;
    }

    /** The line after {@code done} of the runs finished (1-based: the run just completed). */
    public String after(int done) {
        long elapsed = nanoClock.getAsLong() - start;
        String left = done <= 0 || done >= total ? (done >= total ? "done" : "?")
                : "~" + duration((long) ((double) elapsed / done * (total - done))) + " left";
        return String.format(Locale.ROOT, "run %d/%d, %s elapsed, %s", done, total, duration(elapsed), left);
    }

    static String duration(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", s / 60 % 60) + "m";
    }
}
