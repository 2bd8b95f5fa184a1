package io.weir.broker.share;

import java.util.List;
import java.util.Map;

/**
 * One member of a share group, as its coordinator knows it. Mutable; guarded by its group's lock.
 */
final class ShareMember {
    final String memberId;
    String clientId;
    String clientHost;
    String rackId;
    List<String> subscribedTopics = List.of();
    int memberEpoch;
    long sessionDeadline;
    /** topic id → partitions, as last computed. */
    Map<org.apache.kafka.common.Uuid, List<Integer>> assignment = Map.of();

    ShareMember(String memberId) {
        this.memberId = memberId;
    }
}
