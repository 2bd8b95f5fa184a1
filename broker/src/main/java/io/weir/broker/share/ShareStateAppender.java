package io.weir.broker.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;

/** Appends records to a partition of {@code __share_group_state}; completes when they are acknowledged (acks=all). */
@FunctionalInterface
public interface ShareStateAppender {
    CompletableFuture<?> append(int partition, MemoryRecords records);
}
