package io.weir.broker.share;

import io.weir.broker.common.Time;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of the share groups this broker coordinates (KIP-932's ShareGroupHeartbeat): members
 * join with epoch 0, are known at once (there is no rebalance barrier: a share-partition may be
 * consumed by several members, so a new assignment takes effect without revoking anything), leave
 * with epoch -1, and are removed when silent for the session timeout. The assignment is computed
 * here ({@link ShareGroupAssignor}) whenever the members, their subscriptions or the subscribed
 * topics' partitions change; each change bumps the group epoch, and a member's epoch becomes the
 * group epoch when it is sent its new assignment.
 *
 * <p>Membership lives in memory: after a coordinator failover members are told UNKNOWN_MEMBER_ID and
 * join again (a share group has no state that depends on its members: acquired records are released
 * by their share-partition leaders).
 *
 * <p>Thread-safe: each group is guarded by its own lock.
 */
public final class ShareGroupCoordinator {
    private static final Logger log = LoggerFactory.getLogger(ShareGroupCoordinator.class);

    private final ShareConfig config;
    private final Time time;
    private final Function<String, Optional<ShareGroupAssignor.TopicPartitions>> topics;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final java.util.function.Predicate<String> assignsEveryPartition;

    /** One group: its members and epochs. */
    private static final class Group {
        final String groupId;
        final Map<String, ShareMember> members = new TreeMap<>();
        int groupEpoch;
        int assignmentEpoch;
        Map<String, ShareGroupAssignor.TopicPartitions> topicsSeen = Map.of();
        boolean everyPartition;

        Group(String groupId) {
            this.groupId = groupId;
        }
    }

    /**
     * The answer to a heartbeat.
     *
     * @param assignment topic id → partitions when the member must be told its assignment, else null
     */
    public record HeartbeatResult(Errors error, String message, int memberEpoch, Map<Uuid, List<Integer>> assignment) {
        static HeartbeatResult error(Errors error, String message) {
            return new HeartbeatResult(error, message, -1, null);
        }
    }

    /** A member as described by ShareGroupDescribe. */
    public record MemberView(String memberId, String rackId, int memberEpoch, String clientId, String clientHost,
                             List<String> subscribedTopics, Map<Uuid, List<Integer>> assignment) {
    }

    /** A group as described by ShareGroupDescribe and listed by ListGroups. */
    public record GroupView(String groupId, String state, int groupEpoch, int assignmentEpoch, List<MemberView> members) {
    }

    /**
     * @param topics the id and partition count of a topic by name (empty when it does not exist)
     */
    public ShareGroupCoordinator(ShareConfig config, Time time, Function<String, Optional<ShareGroupAssignor.TopicPartitions>> topics) {
        this(config, time, topics, group -> false);
    }

    /**
     * @param topics                the id and partition count of a topic by name (empty when it does not exist)
     * @param assignsEveryPartition whether a group gives every member every partition
     *                              ({@link ShareGroupSettings#assignsEveryPartition}); read on every heartbeat
     */
    public ShareGroupCoordinator(ShareConfig config, Time time, Function<String, Optional<ShareGroupAssignor.TopicPartitions>> topics,
                                 java.util.function.Predicate<String> assignsEveryPartition) {
        this.config = config;
        this.time = time;
        this.topics = topics;
        this.assignsEveryPartition = assignsEveryPartition;
    }

    public ShareConfig config() {
        return config;
    }

    /**
     * One ShareGroupHeartbeat.
     *
     * @param subscribedTopics null when unchanged since the last heartbeat
     */
    public HeartbeatResult heartbeat(String groupId, String memberId, int memberEpoch, String rackId, List<String> subscribedTopics,
                                     String clientId, String clientHost) {
        if (memberId == null || memberId.isEmpty()) {
            return HeartbeatResult.error(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        }
        if (memberEpoch == 0 && (subscribedTopics == null || subscribedTopics.isEmpty())) {
            return HeartbeatResult.error(Errors.INVALID_REQUEST, "SubscribedTopicNames must be set in first request.");
        }
        if (memberEpoch < -1) {
            return HeartbeatResult.error(Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        }
        long now = time.milliseconds();
        Group group = memberEpoch == -1 ? groups.get(groupId) : groups.computeIfAbsent(groupId, Group::new);
        if (group == null) {
            return new HeartbeatResult(Errors.NONE, null, -1, null);
        }
        synchronized (group) {
            ShareMember member = group.members.get(memberId);
            if (memberEpoch == -1) {
                if (member != null) {
                    group.members.remove(memberId);
                    group.groupEpoch++;
                    log.info("Member {} left share group {} (epoch {})", memberId, groupId, group.groupEpoch);
                }
                return new HeartbeatResult(Errors.NONE, null, -1, null);
            }
            if (member == null) {
                if (memberEpoch != 0) {
                    return HeartbeatResult.error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in share group " + groupId);
                }
                if (group.members.size() >= config.maxGroupSize()) {
                    return HeartbeatResult.error(Errors.GROUP_MAX_SIZE_REACHED, "Share group " + groupId + " has reached its maximum size "
                            + config.maxGroupSize());
                }
                member = new ShareMember(memberId);
                group.members.put(memberId, member);
                group.groupEpoch++;
                log.info("Member {} (client {}) joined share group {} (epoch {})", memberId, clientId, groupId, group.groupEpoch);
            } else if (memberEpoch != 0 && memberEpoch != member.memberEpoch && memberEpoch != member.memberEpoch - 1) {
                return HeartbeatResult.error(Errors.FENCED_MEMBER_EPOCH, "Member epoch " + memberEpoch + " of " + memberId
                        + " is fenced; the current one is " + member.memberEpoch);
            }
            member.clientId = clientId;
            member.clientHost = clientHost;
            if (rackId != null) {
                member.rackId = rackId;
            }
            if (subscribedTopics != null && !subscribedTopics.equals(member.subscribedTopics)) {
                member.subscribedTopics = List.copyOf(subscribedTopics);
                group.groupEpoch++;
            }
            member.sessionDeadline = now + config.sessionTimeoutMs();
            maybeReassign(group);
            boolean tell = memberEpoch != member.memberEpoch || subscribedTopics != null || memberEpoch == 0;
            if (member.memberEpoch != group.assignmentEpoch) {
                member.memberEpoch = group.assignmentEpoch;
                tell = true;
            }
            return new HeartbeatResult(Errors.NONE, null, member.memberEpoch, tell ? member.assignment : null);
        }
    }

    /** Recomputes the assignment when the group epoch moved or a subscribed topic's partitions changed. */
    private void maybeReassign(Group group) {
        Map<String, ShareGroupAssignor.TopicPartitions> seen = new HashMap<>();
        for (ShareMember m : group.members.values()) {
            for (String t : m.subscribedTopics) {
                topics.apply(t).ifPresent(tp -> seen.put(t, tp));
            }
        }
        if (!seen.equals(group.topicsSeen)) {
            group.topicsSeen = seen;
            group.groupEpoch++;
        }
        boolean every = assignsEveryPartition.test(group.groupId);
        if (every != group.everyPartition) {
            group.everyPartition = every;
            group.groupEpoch++;
        }
        if (group.assignmentEpoch == group.groupEpoch) {
            return;
        }
        Map<String, List<String>> subscriptions = new HashMap<>();
        group.members.forEach((id, m) -> subscriptions.put(id, m.subscribedTopics));
        Map<String, Map<Uuid, List<Integer>>> assignment = ShareGroupAssignor.assign(subscriptions, seen, group.everyPartition);
        group.members.forEach((id, m) -> m.assignment = assignment.getOrDefault(id, Map.of()));
        group.assignmentEpoch = group.groupEpoch;
    }

    /** Removes members whose session expired; called periodically. */
    public void expireMembers() {
        long now = time.milliseconds();
        for (Group group : groups.values()) {
            synchronized (group) {
                List<String> expired = new ArrayList<>();
                group.members.forEach((id, m) -> {
                    if (m.sessionDeadline <= now) {
                        expired.add(id);
                    }
                });
                if (!expired.isEmpty()) {
                    expired.forEach(group.members::remove);
                    group.groupEpoch++;
                    log.info("Share group {}: member(s) {} expired after {} ms without a heartbeat", group.groupId, expired,
                            config.sessionTimeoutMs());
                }
            }
        }
    }

    /** The group, or empty when this coordinator does not know it. */
    public Optional<GroupView> describe(String groupId) {
        Group group = groups.get(groupId);
        if (group == null) {
            return Optional.empty();
        }
        synchronized (group) {
            List<MemberView> members = group.members.values().stream()
                    .map(m -> new MemberView(m.memberId, m.rackId, m.memberEpoch, m.clientId == null ? "" : m.clientId,
                            m.clientHost == null ? "" : m.clientHost, m.subscribedTopics, m.assignment))
                    .toList();
            return Optional.of(new GroupView(group.groupId, group.members.isEmpty() ? "Empty" : "Stable", group.groupEpoch,
                    group.assignmentEpoch, members));
        }
    }

    /** Whether this coordinator knows the share group. */
    public boolean exists(String groupId) {
        return groups.containsKey(groupId);
    }

    /** Makes an empty share group known (offsets were set for it by an administrator). */
    public void ensureGroup(String groupId) {
        groups.computeIfAbsent(groupId, Group::new);
    }

    public List<GroupView> list() {
        return groups.keySet().stream().map(this::describe).flatMap(Optional::stream).toList();
    }

    /** Deletes an empty group: NONE, GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP. */
    public Errors delete(String groupId) {
        Group group = groups.get(groupId);
        if (group == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        synchronized (group) {
            if (!group.members.isEmpty()) {
                return Errors.NON_EMPTY_GROUP;
            }
            groups.remove(groupId, group);
            return Errors.NONE;
        }
    }

    /** Forgets the groups {@code movedAway} selects (this broker no longer coordinates them). */
    public void unloadWhere(java.util.function.Predicate<String> movedAway) {
        groups.keySet().removeIf(movedAway);
    }
}
