package io.weir.broker.replication;

import io.weir.broker.log.LeaderEpochCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leader's and follower's replication decisions as pure functions over plain values, so that
 * they can be tested exhaustively and driven by a simulation: the high watermark, ISR shrink and
 * expand, and the truncation point of a follower.
 */
public final class ReplicaRules {
    private ReplicaRules() {
    }

    /**
     * The high watermark a leader may expose: the smallest log end offset over the ISR (the leader's
     * own included), never below the current one (it only moves forward while the leader leads).
     * A member whose log end is not known yet (-1) holds it where it is.
     */
    public static long highWatermark(long currentHw, int leaderId, long leaderLeo, List<Integer> isr,
                                     Map<Integer, Long> followerLeos) {
        long min = leaderLeo;
        for (int id : isr) {
            if (id == leaderId) {
                continue;
            }
            long leo = followerLeos.getOrDefault(id, -1L);
            if (leo < 0) {
                return currentHw;
            }
            min = Math.min(min, leo);
        }
        return Math.max(currentHw, min);
    }

    /**
     * The followers to remove from the ISR: those that have not been caught up with the leader's log
     * end for more than {@code maxLagMs} ({@code replica.lag.time.max.ms}). The leader never
     * removes itself.
     */
    public static List<Integer> laggingReplicas(int leaderId, List<Integer> isr, Map<Integer, Long> lastCaughtUpMs,
                                                long nowMs, long maxLagMs) {
        List<Integer> out = new ArrayList<>();
        for (int id : isr) {
            if (id != leaderId && nowMs - lastCaughtUpMs.getOrDefault(id, Long.MIN_VALUE / 2) > maxLagMs) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Whether a follower outside the ISR may join it: it must be an assigned replica and have
     * replicated at least up to the high watermark and to the start of the current leader epoch
     * (so it holds every record the ISR may have acknowledged).
     */
    public static boolean canJoinIsr(int replicaId, List<Integer> replicas, List<Integer> isr, long followerLeo,
                                     long highWatermark, long leaderEpochStartOffset) {
        return replicas.contains(replicaId) && !isr.contains(replicaId) && followerLeo >= highWatermark
                && followerLeo >= leaderEpochStartOffset;
    }

    /**
     * Where a follower truncates its log before fetching, from the leader's answer to
     * OffsetsForLeaderEpoch for the follower's latest epoch.
     *
     * @param leaderAnswer the epoch the leader knows (at most the one asked) and where it ended there
     * @param local        the follower's own cache, for where it ended that same epoch
     * @param localLeo     the follower's log end offset
     * @param localHw      the follower's high watermark (the fallback when the leader knows no such epoch)
     * @return the offset to truncate to (the follower keeps everything below it)
     */
    public static long truncationOffset(LeaderEpochCache.EpochEnd leaderAnswer, LeaderEpochCache local, long localLeo,
                                        long localHw) {
        if (leaderAnswer.epoch() == LeaderEpochCache.UNDEFINED_EPOCH || leaderAnswer.endOffset() < 0) {
            return Math.min(localHw, localLeo);
        }
        LeaderEpochCache.EpochEnd mine = local.endOffsetFor(leaderAnswer.epoch(), localLeo);
        if (mine.epoch() != leaderAnswer.epoch()) {
            // the follower never wrote in that epoch: keep what precedes it, up to the leader's end there
            return Math.min(Math.min(leaderAnswer.endOffset(), mine.endOffset() < 0 ? localHw : mine.endOffset()), localLeo);
        }
        return Math.min(Math.min(leaderAnswer.endOffset(), mine.endOffset()), localLeo);
    }
}
