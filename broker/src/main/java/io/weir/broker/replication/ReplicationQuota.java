package io.weir.broker.replication;

import io.weir.broker.common.Time;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * A replication throttle (Kafka's KIP-73), one for the leader side and one for the follower side of a
 * broker: a byte rate ({@code leader.replication.throttled.rate} / {@code follower.replication.throttled.rate},
 * dynamic broker settings) that applies only to the partitions a topic names in
 * {@code leader.replication.throttled.replicas} / {@code follower.replication.throttled.replicas}, and
 * only to replicas outside the ISR: a reassignment's new replicas catch up at the set pace while the
 * in-sync ones are never held back.
 *
 * <p>The rate is measured as Kafka measures it: bytes over the last 11 one-second windows, divided by
 * the time they span but never less than 10 seconds (so a short burst at the start is allowed).
 * Thread-safe.
 */
public final class ReplicationQuota {
    public static final String LEADER_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_RATE = "follower.replication.throttled.rate";
    public static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";
    /** No throttle. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    private static final int WINDOWS = 11;
    private static final long WINDOW_MS = 1000;

    private final Time time;
    private final long[] windowBytes = new long[WINDOWS];
    private final long[] windowStart = new long[WINDOWS];
    private volatile long rateBytesPerSecond = UNLIMITED;
    private volatile Predicate<TopicPartition> throttled = tp -> false;
    private volatile long throttledTimes;

    public ReplicationQuota(Time time) {
        this.time = time;
        java.util.Arrays.fill(windowStart, Long.MIN_VALUE);
    }

    public void setRate(long bytesPerSecond) {
        this.rateBytesPerSecond = bytesPerSecond <= 0 ? UNLIMITED : bytesPerSecond;
    }

    public long rate() {
        return rateBytesPerSecond;
    }

    /** Which partitions the throttle applies to (from the topics' throttled-replicas settings). */
    public void setThrottledPartitions(Predicate<TopicPartition> partitions) {
        this.throttled = partitions;
    }

    public boolean isThrottled(TopicPartition tp) {
        return rateBytesPerSecond != UNLIMITED && throttled.test(tp);
    }

    /** Counts bytes of throttled partitions moved now. */
    public synchronized void record(long bytes) {
        long now = time.milliseconds();
        long start = now - now % WINDOW_MS;
        int i = (int) ((now / WINDOW_MS) % WINDOWS);
        if (windowStart[i] != start) {
            windowStart[i] = start;
            windowBytes[i] = 0;
        }
        windowBytes[i] += bytes;
    }

    /** Whether throttled partitions must wait: the measured rate is above the limit. Counted when true. */
    public synchronized boolean isQuotaExceeded() {
        long rate = rateBytesPerSecond;
        if (rate == UNLIMITED) {
            return false;
        }
        long now = time.milliseconds();
        long oldest = now - WINDOWS * WINDOW_MS;
        long bytes = 0;
        long first = Long.MAX_VALUE;
        for (int i = 0; i < WINDOWS; i++) {
            if (windowStart[i] > oldest) {
                bytes += windowBytes[i];
                first = Math.min(first, windowStart[i]);
            }
        }
        if (bytes == 0) {
            return false;
        }
        long spanMs = Math.max(now - first, (WINDOWS - 1) * WINDOW_MS);
        boolean exceeded = bytes * 1000.0 / spanMs > rate;
        if (exceeded) {
            throttledTimes++;
        }
        return exceeded;
    }

    /** How many times a throttled partition was held back (for tests and operators). */
    public long throttledTimes() {
        return throttledTimes;
    }

    /**
     * Whether a topic's throttled-replicas setting ({@code "*"}, or {@code partition:broker} pairs
     * separated by commas) names {@code broker} for {@code partition}.
     */
    public static boolean names(String setting, int partition, int broker) {
        if (setting == null || setting.isBlank()) {
            return false;
        }
        if (setting.trim().equals("*")) {
            return true;
        }
        String pair = partition + ":" + broker;
        for (String entry : setting.split(",")) {
            if (entry.trim().equals(pair)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks a throttled-replicas setting: {@code "*"} or {@code partition:broker} pairs.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static void validate(String setting) {
        String trimmed = setting.trim();
        if (trimmed.isEmpty() || trimmed.equals("*")) {
            return;
        }
        for (String entry : trimmed.split(",")) {
            String[] parts = entry.trim().split(":");
            try {
                if (parts.length != 2 || Integer.parseInt(parts[0]) < 0 || Integer.parseInt(parts[1]) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + entry.trim() + "' is not a partition:broker pair (or use *)");
            }
        }
    }
}
