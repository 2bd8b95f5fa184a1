package io.weir.broker.group;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;

/** Appends records to a partition of {@code __consumer_offsets}; completes when they are acknowledged (acks=all). */
@FunctionalInterface
public interface OffsetAppender {
    CompletableFuture<?> append(int partition, MemoryRecords records);
}
