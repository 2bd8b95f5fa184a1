package io.weir.bench.sbs;

import java.util.Arrays;
import java.util.Locale;

/**
 * The figures of one failover run, computed from per-record send and acknowledgement times (pure; the
 * {@link Failover} workload collects the times). All times are {@code System.nanoTime} values of the
 * harness JVM; {@link #NOT_ACKED} marks a record that was never acknowledged.
 *
 * @param acked        records acknowledged
 * @param failoverNanos from the kill to the first acknowledgement of a record sent after it, or -1 if none
 * @param stallNanos   the longest time without any acknowledgement from the kill to {@code end}
 * @param maxAckNanos  the longest send-to-acknowledgement time of a record sent from {@code kill - 2 s} on
 */
record FailoverStats(long acked, long failoverNanos, long stallNanos, long maxAckNanos) {
    static final long NOT_ACKED = Long.MIN_VALUE;
    private static final long IN_FLIGHT_WINDOW_NANOS = 2_000_000_000L;

    static FailoverStats of(long[] sendNanos, long[] ackNanos, int sent, long killNanos, long endNanos) {
        long acked = 0;
        long firstAfterKill = Long.MAX_VALUE;
        long maxAck = 0;
        long[] after = new long[sent];
        int nAfter = 0;
        for (int i = 0; i < sent; i++) {
            if (ackNanos[i] == NOT_ACKED) {
                continue;
            }
            acked++;
            if (sendNanos[i] >= killNanos) {
                firstAfterKill = Math.min(firstAfterKill, ackNanos[i]);
            }
            if (sendNanos[i] >= killNanos - IN_FLIGHT_WINDOW_NANOS) {
                maxAck = Math.max(maxAck, ackNanos[i] - sendNanos[i]);
            }
            if (ackNanos[i] >= killNanos) {
                after[nAfter++] = ackNanos[i];
            }
        }
        Arrays.sort(after, 0, nAfter);
        long stall = 0;
        long prev = killNanos;
        for (int i = 0; i < nAfter; i++) {
            stall = Math.max(stall, after[i] - prev);
            prev = after[i];
        }
        stall = Math.max(stall, endNanos - prev); // silence until the end counts too
        return new FailoverStats(acked, firstAfterKill == Long.MAX_VALUE ? -1 : firstAfterKill - killNanos, stall, maxAck);
    }

    /**
     * Checks the records read back against the acknowledged ones.
     *
     * @param logSeqs the sequence numbers read back, in log order
     */
    static Verdict verify(long[] logSeqs, int logCount, long[] ackNanos, int sent) {
        int[] seen = new int[sent];
        long outOfOrder = 0;
        long foreign = 0;
        long last = -1;
        for (int i = 0; i < logCount; i++) {
            long seq = logSeqs[i];
            if (seq >= 0 && seq < sent) {
                seen[(int) seq]++;
            } else {
                foreign++;
            }
            if (seq <= last) {
                outOfOrder++;
            }
            last = seq;
        }
        long lost = 0;
        long duplicated = 0;
        long unackedPresent = 0;
        long acked = 0;
        for (int i = 0; i < sent; i++) {
            boolean ack = ackNanos[i] != NOT_ACKED;
            acked += ack ? 1 : 0;
            lost += ack && seen[i] == 0 ? 1 : 0;
            duplicated += seen[i] > 1 ? 1 : 0;
            unackedPresent += !ack && seen[i] > 0 ? 1 : 0;
        }
        return new Verdict(logCount, acked, lost, duplicated, outOfOrder, unackedPresent, foreign);
    }

    /** What reading the partition back found. */
    record Verdict(long read, long acked, long lost, long duplicated, long outOfOrder, long unackedPresent, long foreign) {
        boolean ok() {
            return lost == 0 && duplicated == 0 && outOfOrder == 0 && foreign == 0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "read back %d records: %d of %d acknowledged lost, %d duplicated, %d out of order, %d unknown, "
                            + "%d unacknowledged present: %s",
                    read, lost, acked, duplicated, outOfOrder, foreign, unackedPresent, ok() ? "ok" : "ACKNOWLEDGED WRITES DAMAGED");
        }
    }
}
