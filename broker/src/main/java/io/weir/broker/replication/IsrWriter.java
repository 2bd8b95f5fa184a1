package io.weir.broker.replication;

import io.weir.broker.zk.LeaderAndIsr;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes a leader's ISR change to ZooKeeper, conditional on the partition epoch in {@code state}.
 * Returns the written state with its new partition epoch, or empty when the state changed meanwhile.
 */
@FunctionalInterface
public interface IsrWriter {
    Optional<LeaderAndIsr> write(TopicPartition tp, LeaderAndIsr state);
}
