package io.weir.broker.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a JoinGroup.
 *
 * @param members the members with their metadata for the chosen protocol: only the leader gets them
 */
public record JoinResult(Errors error, int generationId, String protocolType, String protocolName, String leaderId,
                         String memberId, List<JoinedMember> members, boolean skipAssignment) {

    /** A member as the leader's assignor sees it. */
    public record JoinedMember(String memberId, String groupInstanceId, byte[] metadata) {
    }

    public static JoinResult error(Errors error, String memberId) {
        return new JoinResult(error, -1, null, null, "", memberId, List.of(), false);
    }
}
