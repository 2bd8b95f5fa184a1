package io.weir.broker.log;

import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;

/**
 * What a {@link PartitionLog} needs from its owner: the clock, the background scheduler (segment
 * flushes after a roll, delayed deletion of segment files), the group-commit flusher of its log
 * directory, and how to open segment files.
 */
public record LogEnvironment(Time time, Scheduler scheduler, GroupCommitFlusher flusher, FileChannelOpener opener) {

    public LogEnvironment(Time time, Scheduler scheduler, GroupCommitFlusher flusher) {
        this(time, scheduler, flusher, FileChannelOpener.DEFAULT);
    }
}
