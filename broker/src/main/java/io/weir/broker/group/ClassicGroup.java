package io.weir.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One group of the classic protocol: its state, generation, chosen protocol, leader and members.
 * Decisions that depend only on this state (which protocol wins, who leads, whether a rebalance can
 * complete) are plain methods here; the {@link GroupCoordinator} drives the transitions.
 *
 * <p>Not thread-safe: every access holds the group's monitor ({@code synchronized (group)}).
 */
final class ClassicGroup {
    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
    final Set<String> pendingMembers = new HashSet<>();
    /** group.instance.id → member id of static members. */
    final Map<String, String> staticMembers = new HashMap<>();
    ScheduledFuture<?> rebalanceTimer;
    /** The first rebalance of an empty group waits this long for more members before completing. */
    boolean initialDelayRunning;
    /**
     * The delay of this group's first rebalance when empty ({@link GroupSettings#INITIAL_REBALANCE_DELAY_MS}), looked up
     * when a member joined it empty; -1: the broker's.
     */
    int initialRebalanceDelayMs = -1;

    ClassicGroup(String groupId) {
        this.groupId = groupId;
    }

    /**
     * The group as its metadata record stored it: stable with its members and their assignments (each member's
     * protocols are the chosen one only, with the subscription it joined with), or empty at its generation.
     */
    static ClassicGroup restore(String groupId, GroupRecords.StoredGroup stored) {
        ClassicGroup group = new ClassicGroup(groupId);
        group.generationId = stored.generationId();
        group.protocolType = stored.protocolType() == null || stored.protocolType().isEmpty() ? null : stored.protocolType();
        if (stored.members().isEmpty() || stored.protocolName() == null) {
            return group;
        }
        group.protocolName = stored.protocolName();
        for (GroupRecords.StoredMember m : stored.members()) {
            LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
            protocols.put(stored.protocolName(), m.subscription());
            GroupMember member = new GroupMember(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.sessionTimeoutMs(), m.rebalanceTimeoutMs(), group.protocolType, protocols);
            member.assignment = m.assignment();
            group.members.put(member.memberId, member);
            if (member.groupInstanceId != null) {
                group.staticMembers.put(member.groupInstanceId, member.memberId);
            }
        }
        group.leaderId = group.members.containsKey(stored.leaderId()) ? stored.leaderId() : group.members.keySet().iterator().next();
        group.state = GroupState.STABLE;
        return group;
    }

    /** What the group's metadata record stores now: its members only when it is stable. */
    GroupRecords.StoredGroup stored(long nowMs) {
        List<GroupRecords.StoredMember> stored = new ArrayList<>();
        if (state == GroupState.STABLE) {
            for (GroupMember m : members.values()) {
                stored.add(new GroupRecords.StoredMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                        m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.protocols.getOrDefault(protocolName, new byte[0]),
                        m.assignment == null ? new byte[0] : m.assignment));
            }
        }
        return new GroupRecords.StoredGroup(protocolType == null ? "" : protocolType, generationId,
                stored.isEmpty() ? null : protocolName, stored.isEmpty() ? null : leaderId, nowMs, stored);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** Whether {@code protocolType} and the protocol names are compatible with the members'. */
    boolean supportsProtocols(String type, Set<String> names) {
        if (members.isEmpty()) {
            return type != null && !type.isEmpty() && !names.isEmpty();
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        Set<String> common = candidateProtocols();
        common.retainAll(names);
        return !common.isEmpty();
    }

    /** The protocol names every member supports. */
    Set<String> candidateProtocols() {
        Set<String> common = null;
        for (GroupMember m : members.values()) {
            if (common == null) {
                common = new HashSet<>(m.protocols.keySet());
            } else {
                common.retainAll(m.protocols.keySet());
            }
        }
        return common == null ? new HashSet<>() : common;
    }

    /** The protocol most members prefer among those all support (ties: the first such in member order). */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember m : members.values()) {
            for (String name : m.protocols.keySet()) {
                if (candidates.contains(name)) {
                    votes.merge(name, 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("Group " + groupId + " has no common protocol"));
    }

    /** Whether every member has (re)joined and the rebalance may complete. */
    boolean allMembersJoined() {
        if (!pendingMembers.isEmpty()) {
            return false;
        }
        for (GroupMember m : members.values()) {
            if (m.awaitingJoin == null) {
                return false;
            }
        }
        return true;
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    List<GroupMember> membersNotRejoined() {
        List<GroupMember> out = new ArrayList<>();
        for (GroupMember m : members.values()) {
            if (m.awaitingJoin == null) {
                out.add(m);
            }
        }
        return out;
    }
}
