package io.weir.broker.log;

import java.util.List;

/**
 * Whether a compacted log needs cleaning now, and how urgently (Kafka's rules): its dirty ratio (bytes
 * not yet cleaned over all cleanable bytes) reached {@code min.cleanable.dirty.ratio}; or a dirty record
 * is older than {@code max.compaction.lag.ms}; or a tombstone or marker in the clean section reached its
 * delete horizon. Only whole inactive segments below the first uncleanable offset count
 * ({@link PartitionLog#firstUncleanableOffset}).
 *
 * @param log                    the log
 * @param firstDirtyOffset       where the dirty section starts
 * @param firstUncleanableOffset where cleanable data ends
 * @param cleanBytes             bytes of the clean section
 * @param dirtyBytes             bytes of the dirty section
 * @param forced                 cleaned whatever the ratio (max compaction lag, or a delete horizon reached)
 */
record CleaningDecision(PartitionLog log, long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes,
                        long dirtyBytes, boolean forced) {

    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    boolean shouldClean() {
        if (forced) {
            return true;
        }
        return dirtyBytes > 0 && dirtyRatio() >= log.config().minCleanableDirtyRatio();
    }

    /** Forced logs first, then the dirtiest. */
    double priority() {
        return forced ? 2 + dirtyRatio() : dirtyRatio();
    }

    /**
     * @param cleanedOffset      the checkpointed clean offset (the log start when never cleaned)
     * @param pendingHorizonMs   the earliest delete horizon the last pass left behind, or Long.MAX_VALUE
     */
    static CleaningDecision assess(PartitionLog log, long cleanedOffset, long pendingHorizonMs, long now) {
        long firstDirty = Math.max(log.logStartOffset(), Math.min(cleanedOffset, log.logEndOffset()));
        long firstUncleanable = Math.max(firstDirty, log.firstUncleanableOffset(now));
        List<LogSegment> segments = log.segments();
        long clean = 0;
        long dirty = 0;
        long oldestDirtyStart = Long.MAX_VALUE;
        for (int i = 0; i + 1 < segments.size(); i++) {
            LogSegment s = segments.get(i);
            long end = segments.get(i + 1).baseOffset();
            if (end > firstUncleanable) {
                break;
            }
            if (end <= firstDirty) {
                clean += s.size();
            } else {
                dirty += s.size();
                oldestDirtyStart = Math.min(oldestDirtyStart, s.rollingTimestamp());
            }
        }
        long maxLag = log.config().maxCompactionLagMs();
        boolean lagExceeded = dirty > 0 && maxLag != Long.MAX_VALUE && oldestDirtyStart < now - maxLag;
        boolean horizonReached = clean > 0 && pendingHorizonMs <= now;
        return new CleaningDecision(log, firstDirty, firstUncleanable, clean, dirty, lagExceeded || horizonReached);
    }
}
