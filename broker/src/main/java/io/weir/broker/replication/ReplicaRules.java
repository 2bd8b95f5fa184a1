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
     * One round of a follower's truncation: the offset to truncate to (everything below it is kept)
     * and whether the follower then agrees with the leader ({@code complete}) or must ask again with
     * its latest epoch, which the truncation has made older.
     */
    public record Truncation(long offset, boolean complete) {
    }

    /**
     * Where a follower truncates its log before fetching, from the leader's answer to
     * OffsetsForLeaderEpoch for the follower's latest epoch (KIP-101, with KIP-279's repeated rounds).
     * The leader answers the largest epoch it knows not above the one asked, and where that epoch
     * ended in its log:
     * <ul>
     *   <li>when the follower also wrote in the answered epoch, both logs agree up to where the
     *       shorter of the two ended that epoch: truncate there, done;</li>
     *   <li>when the follower never had the answered epoch (after unclean elections the two
     *       histories can interleave epochs the other never saw), everything it holds from its next
     *       epoch on came from a leader the current one did not follow: truncate to the end of its
     *       own largest epoch below the answer and ask again with that epoch. Each such round drops
     *       at least one epoch from the follower's cache, so the rounds end;</li>
     *   <li>when the follower has no epochs (or the leader answers an offset without an epoch),
     *       keep at most what the leader has;</li>
     *   <li>when the leader cannot answer (no epochs at all), keep what is committed, the high watermark.</li>
     * </ul>
     * The result is never above {@code localLeo}.
     *
     * @param leaderAnswer the epoch the leader knows (at most the one asked) and where it ended there
     * @param local        the follower's own cache, for where it ended that same epoch
     * @param localLeo     the follower's log end offset
     * @param localHw      the follower's high watermark (the fallback when the leader has no epochs)
     */
    public static Truncation truncation(LeaderEpochCache.EpochEnd leaderAnswer, LeaderEpochCache local, long localLeo,
                                        long localHw) {
        if (leaderAnswer.endOffset() == LeaderEpochCache.UNDEFINED_OFFSET) {
            return new Truncation(Math.min(localHw, localLeo), true);
        }
        LeaderEpochCache.EpochEnd mine = leaderAnswer.epoch() == LeaderEpochCache.UNDEFINED_EPOCH
                ? new LeaderEpochCache.EpochEnd(LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_OFFSET)
                : local.endOffsetFor(leaderAnswer.epoch(), localLeo);
        if (mine.epoch() == LeaderEpochCache.UNDEFINED_EPOCH) {
            return new Truncation(Math.min(leaderAnswer.endOffset(), localLeo), true);
        }
        if (mine.epoch() != leaderAnswer.epoch()) {
            return new Truncation(Math.min(mine.endOffset(), localLeo), false);
        }
        return new Truncation(Math.min(Math.min(leaderAnswer.endOffset(), mine.endOffset()), localLeo), true);
    }
}
