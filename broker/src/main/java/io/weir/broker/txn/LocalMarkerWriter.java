package io.weir.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Appends a transaction marker (a COMMIT or ABORT control batch) to a partition this broker leads,
 * and tells whoever keeps state in that partition (the group coordinator, for transactional
 * offsets). What WriteTxnMarkers does on a partition leader.
 */
@FunctionalInterface
public interface LocalMarkerWriter {
    /** Completes with NONE once the marker is replicated, or with the error for the partition. */
    CompletableFuture<Errors> write(TopicPartition tp, long producerId, short producerEpoch, int coordinatorEpoch,
                                    boolean commit);
}
