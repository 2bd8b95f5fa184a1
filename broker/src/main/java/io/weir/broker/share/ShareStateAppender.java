package io.weir.broker.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Appends records to a partition of {@code __share_group_state}. A durable append completes when the records are
 * acknowledged as acks=all (and, under {@code log.flush.group.commit.enable}, fsynced); a background one completes once
 * appended to the leader's log: nobody waits for it, it asks for no fsync of its own, and the next durable append to the
 * partition covers it (each state record is a whole snapshot of its share-partition, so a later one supersedes it
 * anyway).
 */
@FunctionalInterface
public interface ShareStateAppender {
    CompletableFuture<?> append(int partition, MemoryRecords records, boolean durable);
}
