package io.weir.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;

/** Appends records to a {@code __transaction_state} partition; completes once acknowledged by the ISR. */
@FunctionalInterface
public interface StateAppender {
    CompletableFuture<?> append(int partition, MemoryRecords records);
}
