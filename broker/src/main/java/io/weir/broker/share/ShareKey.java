package io.weir.broker.share;

import org.apache.kafka.common.Uuid;

/** A share-partition: a share group's view of one partition of a topic. */
public record ShareKey(String groupId, Uuid topicId, int partition) {
    @Override
    public String toString() {
        return groupId + ":" + topicId + ":" + partition;
    }
}
