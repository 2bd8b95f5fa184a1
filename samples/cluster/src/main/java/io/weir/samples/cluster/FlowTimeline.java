package io.weir.samples.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * When messages went by (a send completed, a message was received), to say how long a failover paused the flow:
 * the longest gap between two consecutive events from the last one before the kill on. Thread-safe.
 */
final class FlowTimeline {

    private final List<Long> nanos = new ArrayList<>();

    synchronized void record(long nanoTime) {
        nanos.add(nanoTime);
    }

    /** The longest gap, in milliseconds, between consecutive events from the last one at or before {@code killNanos} on. */
    synchronized long longestGapAfterMs(long killNanos) {
        long longest = 0;
        Long previous = null;
        for (long t : nanos) {
            if (t <= killNanos) {
                previous = t;
                continue;
            }
            if (previous != null) {
                longest = Math.max(longest, t - previous);
            }
            previous = t;
        }
        return longest / 1_000_000;
    }
}
