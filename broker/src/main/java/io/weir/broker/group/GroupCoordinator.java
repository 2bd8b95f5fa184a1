package io.weir.broker.group;

import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of Kafka's classic protocol: JoinGroup/SyncGroup/Heartbeat/LeaveGroup with
 * generations, member ids, static membership and session/rebalance timeouts; the assignment itself
 * is computed by the group leader's client, as in Kafka. Committed offsets go through the
 * {@link OffsetStore}.
 *
 * <p>Each group's state changes under that group's monitor; futures are completed after it is
 * released. Timers (session expiry, rebalance deadlines) run on the scheduler and re-check state under
 * the monitor, so a late timer is harmless. Thread-safe.
 */
public final class GroupCoordinator {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    public static final String UNKNOWN_MEMBER_ID = "";

    private final GroupConfig config;
    private final GroupSettings settings;
    private final Scheduler scheduler;
    private final Time time;
    private final OffsetStore offsets;
    private final ConcurrentHashMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();
    /** Offsets partitions being replayed: their groups are not known yet (COORDINATOR_LOAD_IN_PROGRESS). */
    private final java.util.Set<Integer> loading = ConcurrentHashMap.newKeySet();

    /** A member named in a LeaveGroup. */
    public record MemberIdentity(String memberId, String groupInstanceId) {
    }

    /** A group as ListGroups shows it. */
    public record GroupOverview(String groupId, String protocolType, GroupState state) {
    }

    /** A member as DescribeGroups shows it. */
    public record MemberDescription(String memberId, String groupInstanceId, String clientId, String clientHost,
                                    byte[] metadata, byte[] assignment) {
    }

    /** A group as DescribeGroups shows it. */
    public record GroupDescription(String groupId, GroupState state, String protocolType, String protocolName,
                                   List<MemberDescription> members) {
    }

    public GroupCoordinator(GroupConfig config, OffsetAppender appender, Scheduler scheduler, Time time) {
        this(config, GroupSettings.NONE, appender, scheduler, time);
    }

    /** @param settings per-group overrides of {@code config} (the initial rebalance delay) */
    public GroupCoordinator(GroupConfig config, GroupSettings settings, OffsetAppender appender, Scheduler scheduler, Time time) {
        this.config = config;
        this.settings = settings;
        this.scheduler = scheduler;
        this.time = time;
        this.offsets = new OffsetStore(appender, this::partitionFor, time);
    }

    public GroupConfig config() {
        return config;
    }

    /** The {@code __consumer_offsets} partition that holds a group, as Kafka computes it. */
    public int partitionFor(String groupId) {
        return (groupId.hashCode() & 0x7fffffff) % config.offsetsTopicPartitions();
    }

    /**
     * Becomes the coordinator of the groups in one partition of {@code __consumer_offsets}: replays it
     * (what a previous coordinator of these groups held in memory is discarded first). A group whose metadata
     * record is there comes back as it was stored (generation, leader, members and their assignments, each
     * member with a fresh session timeout), so its members go on heartbeating and committing at their
     * generation; a group this broker already holds in memory (it kept the leadership) stays as it is.
     */
    public void loadOffsets(io.weir.broker.log.PartitionLog partitionLog) {
        int partition = partitionLog.topicPartition().partition();
        loading.add(partition);
        int restored = 0;
        try {
            offsets.unload(partition);
            offsets.load(partitionLog);
            for (Map.Entry<String, GroupRecords.StoredGroup> e : offsets.storedGroups(partition).entrySet()) {
                restored += restoreGroup(e.getKey(), e.getValue()) ? 1 : 0;
            }
        } finally {
            loading.remove(partition);
        }
        if (restored > 0) {
            log.info("Restored {} group(s) from {}", restored, partitionLog.topicPartition());
        }
    }

    /** Whether the groups of {@code groupId}'s offsets partition are being loaded (the client asks again shortly). */
    public boolean isLoading(String groupId) {
        return !loading.isEmpty() && loading.contains(partitionFor(groupId));
    }

    private boolean restoreGroup(String groupId, GroupRecords.StoredGroup stored) {
        ClassicGroup group = ClassicGroup.restore(groupId, stored);
        synchronized (group) {
            if (groups.putIfAbsent(groupId, group) != null) {
                return false;
            }
            for (GroupMember m : group.members.values()) {
                touch(group, m); // each member has a full session timeout to find this coordinator
            }
            log.info("Group {} restored in generation {} ({}) with {} member(s), leader {}", groupId, group.generationId,
                    group.state, group.members.size(), group.leaderId);
            return true;
        }
    }

    /**
     * Stops coordinating the groups of one {@code __consumer_offsets} partition (another broker leads it now):
     * their state is dropped and calls waiting on them are answered NOT_COORDINATOR, so the members find the
     * new coordinator, which loads the groups from the partition.
     */
    public void unloadOffsets(int partition) {
        offsets.unload(partition);
        List<Runnable> afterUnlock = new ArrayList<>();
        for (ClassicGroup group : List.copyOf(groups.values())) {
            if (partitionFor(group.groupId) != partition) {
                continue;
            }
            synchronized (group) {
                cancelRebalanceTimer(group);
                for (GroupMember m : group.members.values()) {
                    if (m.awaitingJoin != null) {
                        CompletableFuture<JoinResult> f = m.awaitingJoin;
                        m.awaitingJoin = null;
                        afterUnlock.add(() -> f.complete(JoinResult.error(Errors.NOT_COORDINATOR, m.memberId)));
                    }
                    if (m.awaitingSync != null) {
                        CompletableFuture<SyncResult> f = m.awaitingSync;
                        m.awaitingSync = null;
                        afterUnlock.add(() -> f.complete(SyncResult.error(Errors.NOT_COORDINATOR)));
                    }
                }
                group.state = GroupState.DEAD;
                groups.remove(group.groupId, group);
            }
        }
        afterUnlock.forEach(Runnable::run);
    }

    /** Writes the group's metadata record (under the group's monitor, so records follow the state's order). */
    private CompletableFuture<?> storeGroup(ClassicGroup group) {
        String groupId = group.groupId;
        int generation = group.generationId;
        return offsets.storeGroup(groupId, group.stored(time.milliseconds())).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("Writing the metadata of group {} in generation {} failed: {}", groupId, generation, e.toString());
            }
        });
    }

    /** Bounds the size of one offsets partition (see {@link OffsetStore#maybeCompact}). */
    public boolean maybeCompact(int partition, io.weir.broker.log.PartitionLog partitionLog) {
        return offsets.maybeCompact(partition, partitionLog, 2L * config.offsetsTopicSegmentBytes());
    }

    private ClassicGroup group(String groupId) {
        return groups.computeIfAbsent(groupId, ClassicGroup::new);
    }

    // ---------------------------------------------------------------- JoinGroup

    /**
     * Handles a JoinGroup.
     *
     * @param requireKnownMemberId JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id
     */
    public CompletableFuture<JoinResult> join(String groupId, String memberId, String groupInstanceId, String clientId,
                                              String clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs,
                                              String protocolType, LinkedHashMap<String, byte[]> protocols,
                                              boolean requireKnownMemberId) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.INVALID_GROUP_ID, memberId));
        }
        if (sessionTimeoutMs < config.minSessionTimeoutMs() || sessionTimeoutMs > config.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, memberId));
        }
        List<Runnable> afterUnlock = new ArrayList<>();
        CompletableFuture<JoinResult> result;
        ClassicGroup group = group(groupId);
        boolean mayStart;
        synchronized (group) {
            // only a join that adds a member to an empty group starts its first rebalance (not a MEMBER_ID_REQUIRED round)
            mayStart = group.state == GroupState.EMPTY && !(requireKnownMemberId && (memberId == null || memberId.isEmpty())
                    && groupInstanceId == null);
        }
        // the group's own delay is looked up outside its monitor: the lookup may block briefly (a ZooKeeper read)
        int initialDelayMs = mayStart ? initialRebalanceDelayMs(groupId) : -1;
        synchronized (group) {
            if (initialDelayMs >= 0 && group.state == GroupState.EMPTY) {
                group.initialRebalanceDelayMs = initialDelayMs;
            }
            result = doJoin(group, memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs,
                    Math.max(rebalanceTimeoutMs, sessionTimeoutMs), protocolType, protocols, requireKnownMemberId, afterUnlock);
        }
        afterUnlock.forEach(Runnable::run);
        return result;
    }

    private int initialRebalanceDelayMs(String groupId) {
        try {
            return settings.initialRebalanceDelayMs(groupId, config.initialRebalanceDelayMs());
        } catch (RuntimeException e) {
            log.warn("Cannot read the initial rebalance delay of group {}: using the broker's ({} ms): {}", groupId,
                    config.initialRebalanceDelayMs(), e.toString());
            return config.initialRebalanceDelayMs();
        }
    }

    /** The delay of an empty group's first rebalance: its own (looked up when it was joined), else the broker's. */
    private int initialDelayMs(ClassicGroup group) {
        return group.initialRebalanceDelayMs >= 0 ? group.initialRebalanceDelayMs : config.initialRebalanceDelayMs();
    }

    private CompletableFuture<JoinResult> doJoin(ClassicGroup group, String memberId, String instanceId, String clientId,
                                                 String clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs,
                                                 String protocolType, LinkedHashMap<String, byte[]> protocols,
                                                 boolean requireKnownMemberId, List<Runnable> afterUnlock) {
        if (group.state == GroupState.DEAD) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.COORDINATOR_NOT_AVAILABLE, memberId));
        }
        if (!group.supportsProtocols(protocolType, protocols.keySet())) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
        }
        boolean unknown = memberId == null || memberId.isEmpty();
        if (unknown && instanceId != null && group.staticMembers.containsKey(instanceId)) {
            return replaceStaticMember(group, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                    protocolType, protocols, afterUnlock);
        }
        if (unknown) {
            if (group.members.size() + group.pendingMembers.size() >= config.maxGroupSize()) {
                return CompletableFuture.completedFuture(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
            }
            String newId = (instanceId != null ? instanceId : clientId) + "-" + UUID.randomUUID();
            if (requireKnownMemberId && instanceId == null) {
                group.pendingMembers.add(newId);
                schedulePendingExpiry(group, newId, sessionTimeoutMs);
                return CompletableFuture.completedFuture(JoinResult.error(Errors.MEMBER_ID_REQUIRED, newId));
            }
            return addMember(group, newId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                    protocolType, protocols, afterUnlock);
        }
        if (group.pendingMembers.remove(memberId)) {
            return addMember(group, memberId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                    protocolType, protocols, afterUnlock);
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        if (instanceId != null && !memberId.equals(group.staticMembers.get(instanceId))) {
            return CompletableFuture.completedFuture(JoinResult.error(Errors.FENCED_INSTANCE_ID, memberId));
        }
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        boolean changed = !member.sameProtocols(protocols);
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.protocols = protocols;
        touch(group, member);
        switch (group.state) {
            case PREPARING_REBALANCE -> {
                replaceJoinFuture(member, future, afterUnlock);
                maybeCompleteJoin(group, afterUnlock);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                if (changed || memberId.equals(group.leaderId) && group.state == GroupState.STABLE) {
                    member.awaitingJoin = future;
                    prepareRebalance(group, "member " + memberId + " rejoined" + (changed ? " with new metadata" : " as leader"),
                            afterUnlock);
                    // the only member (a lone Connect worker after a config change, a single consumer changing its
                    // subscription) has just rejoined: the join phase is over now, not at the rebalance timeout
                    maybeCompleteJoin(group, afterUnlock);
                } else {
                    // nothing changed: the member lost our answer; give it the current generation again
                    future.complete(joinResult(group, member));
                }
            }
            default -> future.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        return future;
    }

    private void replaceJoinFuture(GroupMember member, CompletableFuture<JoinResult> future, List<Runnable> afterUnlock) {
        CompletableFuture<JoinResult> previous = member.awaitingJoin;
        member.awaitingJoin = future;
        if (previous != null) {
            afterUnlock.add(() -> previous.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId)));
        }
    }

    private CompletableFuture<JoinResult> addMember(ClassicGroup group, String memberId, String instanceId, String clientId,
                                                    String clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs,
                                                    String protocolType, LinkedHashMap<String, byte[]> protocols,
                                                    List<Runnable> afterUnlock) {
        GroupMember member = new GroupMember(memberId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                protocolType, protocols);
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        member.awaitingJoin = future;
        if (group.members.isEmpty()) {
            group.protocolType = protocolType;
        }
        group.members.put(memberId, member);
        if (instanceId != null) {
            group.staticMembers.put(instanceId, memberId);
        }
        touch(group, member);
        if (group.state != GroupState.PREPARING_REBALANCE) {
            prepareRebalance(group, "member " + memberId + " joined", afterUnlock);
        }
        maybeCompleteJoin(group, afterUnlock);
        return future;
    }

    private CompletableFuture<JoinResult> replaceStaticMember(ClassicGroup group, String instanceId, String clientId,
                                                              String clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs,
                                                              String protocolType, LinkedHashMap<String, byte[]> protocols,
                                                              List<Runnable> afterUnlock) {
        String oldId = group.staticMembers.get(instanceId);
        GroupMember old = group.members.remove(oldId);
        String newId = instanceId + "-" + UUID.randomUUID();
        GroupMember member = new GroupMember(newId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                protocolType, protocols);
        member.assignment = old.assignment;
        group.members.put(newId, member);
        group.staticMembers.put(instanceId, newId);
        boolean wasLeader = oldId.equals(group.leaderId);
        if (wasLeader) {
            group.leaderId = newId;
        }
        // the old instance is fenced: its pending calls fail
        if (old.awaitingJoin != null) {
            CompletableFuture<JoinResult> f = old.awaitingJoin;
            afterUnlock.add(() -> f.complete(JoinResult.error(Errors.FENCED_INSTANCE_ID, oldId)));
        }
        if (old.awaitingSync != null) {
            CompletableFuture<SyncResult> f = old.awaitingSync;
            afterUnlock.add(() -> f.complete(SyncResult.error(Errors.FENCED_INSTANCE_ID)));
        }
        touch(group, member);
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        if (group.state == GroupState.STABLE && old.sameProtocols(protocols) && !wasLeader) {
            // a static member restarting with the same subscription keeps its assignment: no rebalance
            log.info("Static member {} of group {} rejoined as {}; no rebalance", instanceId, group.groupId, newId);
            storeGroup(group);
            future.complete(joinResult(group, member));
            return future;
        }
        member.awaitingJoin = future;
        if (group.state != GroupState.PREPARING_REBALANCE) {
            prepareRebalance(group, "static member " + instanceId + " rejoined", afterUnlock);
        }
        maybeCompleteJoin(group, afterUnlock);
        return future;
    }

    private void prepareRebalance(ClassicGroup group, String reason, List<Runnable> afterUnlock) {
        if (group.state == GroupState.COMPLETING_REBALANCE) {
            for (GroupMember m : group.members.values()) {
                if (m.awaitingSync != null) {
                    CompletableFuture<SyncResult> f = m.awaitingSync;
                    m.awaitingSync = null;
                    afterUnlock.add(() -> f.complete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS)));
                }
            }
        }
        boolean initial = group.state == GroupState.EMPTY;
        group.state = GroupState.PREPARING_REBALANCE;
        cancelRebalanceTimer(group);
        int generation = group.generationId;
        long delay;
        if (initial && initialDelayMs(group) > 0) {
            group.initialDelayRunning = true;
            delay = Math.min(initialDelayMs(group), group.maxRebalanceTimeoutMs());
        } else {
            group.initialDelayRunning = false;
            delay = group.maxRebalanceTimeoutMs();
        }
        group.rebalanceTimer = scheduler.scheduleOnce("rebalance-" + group.groupId, () -> onRebalanceTimer(group, generation), delay);
        log.info("Preparing to rebalance group {} in generation {} ({})", group.groupId, generation, reason);
    }

    private void onRebalanceTimer(ClassicGroup group, int generation) {
        List<Runnable> afterUnlock = new ArrayList<>();
        synchronized (group) {
            if (group.state != GroupState.PREPARING_REBALANCE || group.generationId != generation) {
                return;
            }
            if (group.initialDelayRunning) {
                group.initialDelayRunning = false;
                if (!group.allMembersJoined()) {
                    int remaining = group.maxRebalanceTimeoutMs() - initialDelayMs(group);
                    if (remaining > 0) {
                        group.rebalanceTimer = scheduler.scheduleOnce("rebalance-" + group.groupId,
                                () -> onRebalanceTimer(group, generation), remaining);
                        return;
                    }
                }
            }
            completeJoin(group, afterUnlock);
        }
        afterUnlock.forEach(Runnable::run);
    }

    private void maybeCompleteJoin(ClassicGroup group, List<Runnable> afterUnlock) {
        if (group.state == GroupState.PREPARING_REBALANCE && !group.initialDelayRunning && group.allMembersJoined()) {
            completeJoin(group, afterUnlock);
        }
    }

    /** Ends the join phase: members that did not rejoin are removed, a new generation starts. */
    private void completeJoin(ClassicGroup group, List<Runnable> afterUnlock) {
        cancelRebalanceTimer(group);
        for (GroupMember m : group.membersNotRejoined()) {
            log.info("Removing member {} from group {}: it did not rejoin in time", m.memberId, group.groupId);
            removeMemberState(group, m);
        }
        group.pendingMembers.clear();
        group.generationId++;
        if (group.members.isEmpty()) {
            group.state = GroupState.EMPTY;
            group.protocolName = null;
            group.leaderId = null;
            log.info("Group {} is empty in generation {}", group.groupId, group.generationId);
            storeGroup(group);
            return;
        }
        group.protocolName = group.selectProtocol();
        if (group.leaderId == null || !group.members.containsKey(group.leaderId)) {
            group.leaderId = group.members.keySet().iterator().next();
        }
        group.state = GroupState.COMPLETING_REBALANCE;
        for (GroupMember m : group.members.values()) {
            CompletableFuture<JoinResult> f = m.awaitingJoin;
            m.awaitingJoin = null;
            m.assignment = new byte[0];
            touch(group, m);
            JoinResult r = joinResult(group, m);
            afterUnlock.add(() -> f.complete(r));
        }
        log.info("Group {} completed its rebalance: generation {}, protocol {}, leader {}, {} member(s)", group.groupId,
                group.generationId, group.protocolName, group.leaderId, group.members.size());
    }

    private JoinResult joinResult(ClassicGroup group, GroupMember member) {
        List<JoinResult.JoinedMember> list = List.of();
        if (member.memberId.equals(group.leaderId)) {
            list = group.members.values().stream().map(m -> new JoinResult.JoinedMember(m.memberId, m.groupInstanceId,
                    m.protocols.get(group.protocolName))).toList();
        }
        return new JoinResult(Errors.NONE, group.generationId, group.protocolType, group.protocolName, group.leaderId,
                member.memberId, list, false);
    }

    private void cancelRebalanceTimer(ClassicGroup group) {
        if (group.rebalanceTimer != null) {
            group.rebalanceTimer.cancel(false);
            group.rebalanceTimer = null;
        }
    }

    // ---------------------------------------------------------------- SyncGroup, Heartbeat, LeaveGroup

    public CompletableFuture<SyncResult> sync(String groupId, int generationId, String memberId, String groupInstanceId,
                                              String protocolType, String protocolName, Map<String, byte[]> assignments) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
        }
        List<Runnable> afterUnlock = new ArrayList<>();
        CompletableFuture<SyncResult> future = new CompletableFuture<>();
        synchronized (group) {
            Errors error = validateMember(group, memberId, groupInstanceId, generationId);
            if (error == Errors.NONE && (protocolType != null && !protocolType.equals(group.protocolType)
                    || protocolName != null && !protocolName.equals(group.protocolName))) {
                error = Errors.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (error != Errors.NONE) {
                return CompletableFuture.completedFuture(SyncResult.error(error));
            }
            GroupMember member = group.members.get(memberId);
            touch(group, member);
            switch (group.state) {
                case PREPARING_REBALANCE -> future.complete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
                case COMPLETING_REBALANCE -> {
                    member.awaitingSync = future;
                    if (memberId.equals(group.leaderId)) {
                        for (GroupMember m : group.members.values()) {
                            byte[] a = assignments.get(m.memberId);
                            m.assignment = a == null ? new byte[0] : a;
                        }
                        group.state = GroupState.STABLE;
                        Map<CompletableFuture<SyncResult>, SyncResult> replies = new java.util.HashMap<>();
                        for (GroupMember m : group.members.values()) {
                            if (m.awaitingSync != null) {
                                replies.put(m.awaitingSync, new SyncResult(Errors.NONE, group.protocolType, group.protocolName,
                                        m.assignment));
                                m.awaitingSync = null;
                            }
                        }
                        // the members hear of the new generation once it is durable: a coordinator taking over the
                        // group then knows it, so their commits and heartbeats stay valid there
                        CompletableFuture<?> written = storeGroup(group);
                        afterUnlock.add(() -> written.whenComplete((v, e) -> replies.forEach((f, r) ->
                                f.complete(e == null ? r : SyncResult.error(Errors.COORDINATOR_NOT_AVAILABLE)))));
                        log.info("Group {} is stable in generation {}", groupId, group.generationId);
                    }
                }
                case STABLE -> future.complete(new SyncResult(Errors.NONE, group.protocolType, group.protocolName,
                        member.assignment));
                default -> future.complete(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        afterUnlock.forEach(Runnable::run);
        return future;
    }

    public Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (group) {
            Errors error = validateMember(group, memberId, groupInstanceId, generationId);
            if (error != Errors.NONE) {
                return error;
            }
            touch(group, group.members.get(memberId));
            return group.state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    private Errors validateMember(ClassicGroup group, String memberId, String instanceId, int generationId) {
        if (group.state == GroupState.DEAD || group.state == GroupState.EMPTY) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (instanceId != null) {
            String current = group.staticMembers.get(instanceId);
            if (current != null && !current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (!group.members.containsKey(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    /** LeaveGroup: removes the members; the rest rebalance. */
    public Map<MemberIdentity, Errors> leave(String groupId, List<MemberIdentity> leaving) {
        Map<MemberIdentity, Errors> results = new LinkedHashMap<>();
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            leaving.forEach(m -> results.put(m, Errors.UNKNOWN_MEMBER_ID));
            return results;
        }
        List<Runnable> afterUnlock = new ArrayList<>();
        synchronized (group) {
            boolean removed = false;
            for (MemberIdentity id : leaving) {
                String memberId = id.memberId();
                if ((memberId == null || memberId.isEmpty()) && id.groupInstanceId() != null) {
                    memberId = group.staticMembers.get(id.groupInstanceId());
                } else if (id.groupInstanceId() != null && !Objects.equals(group.staticMembers.get(id.groupInstanceId()), memberId)) {
                    results.put(id, Errors.FENCED_INSTANCE_ID);
                    continue;
                }
                GroupMember member = memberId == null ? null : group.members.get(memberId);
                if (member == null) {
                    if (memberId != null && group.pendingMembers.remove(memberId)) {
                        results.put(id, Errors.NONE);
                        continue;
                    }
                    results.put(id, Errors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                log.info("Member {} leaves group {}", memberId, groupId);
                failPending(member, afterUnlock);
                removeMemberState(group, member);
                results.put(id, Errors.NONE);
                removed = true;
            }
            if (removed) {
                onMembershipShrunk(group, "members left", afterUnlock);
            }
        }
        afterUnlock.forEach(Runnable::run);
        return results;
    }

    private void onMembershipShrunk(ClassicGroup group, String reason, List<Runnable> afterUnlock) {
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> {
                if (group.members.isEmpty()) {
                    cancelRebalanceTimer(group);
                    group.generationId++;
                    group.state = GroupState.EMPTY;
                    group.leaderId = null;
                    group.protocolName = null;
                    storeGroup(group);
                } else {
                    prepareRebalance(group, reason, afterUnlock);
                }
            }
            case PREPARING_REBALANCE -> maybeCompleteJoin(group, afterUnlock);
            default -> {
            }
        }
    }

    private static void failPending(GroupMember member, List<Runnable> afterUnlock) {
        if (member.awaitingJoin != null) {
            CompletableFuture<JoinResult> f = member.awaitingJoin;
            afterUnlock.add(() -> f.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId)));
        }
        if (member.awaitingSync != null) {
            CompletableFuture<SyncResult> f = member.awaitingSync;
            afterUnlock.add(() -> f.complete(SyncResult.error(Errors.UNKNOWN_MEMBER_ID)));
        }
    }

    private static void removeMemberState(ClassicGroup group, GroupMember member) {
        group.members.remove(member.memberId);
        if (member.groupInstanceId != null && member.memberId.equals(group.staticMembers.get(member.groupInstanceId))) {
            group.staticMembers.remove(member.groupInstanceId);
        }
        if (member.memberId.equals(group.leaderId)) {
            group.leaderId = null;
        }
    }

    /** Resets a member's session deadline and arms a check for it. */
    private void touch(ClassicGroup group, GroupMember member) {
        long deadline = time.milliseconds() + member.sessionTimeoutMs;
        member.heartbeatDeadlineMs = deadline;
        String memberId = member.memberId;
        scheduler.scheduleOnce("session-" + group.groupId, () -> onSessionCheck(group, memberId, deadline),
                member.sessionTimeoutMs);
    }

    private void onSessionCheck(ClassicGroup group, String memberId, long deadline) {
        List<Runnable> afterUnlock = new ArrayList<>();
        synchronized (group) {
            GroupMember member = group.members.get(memberId);
            if (member == null || member.heartbeatDeadlineMs != deadline || time.milliseconds() < deadline) {
                return; // a newer heartbeat armed a newer check
            }
            if (member.awaitingJoin != null && group.state == GroupState.PREPARING_REBALANCE) {
                return; // waiting in the join phase: the rebalance timeout governs it
            }
            log.info("Member {} of group {} missed its session timeout of {} ms; removing it", memberId, group.groupId,
                    member.sessionTimeoutMs);
            failPending(member, afterUnlock);
            removeMemberState(group, member);
            onMembershipShrunk(group, "member " + memberId + " expired", afterUnlock);
        }
        afterUnlock.forEach(Runnable::run);
    }

    private void schedulePendingExpiry(ClassicGroup group, String memberId, int sessionTimeoutMs) {
        scheduler.scheduleOnce("pending-" + group.groupId, () -> {
            List<Runnable> afterUnlock = new ArrayList<>();
            synchronized (group) {
                if (group.pendingMembers.remove(memberId)) {
                    maybeCompleteJoin(group, afterUnlock);
                }
            }
            afterUnlock.forEach(Runnable::run);
        }, sessionTimeoutMs);
    }

    // ---------------------------------------------------------------- offsets

    /**
     * Commits offsets for a group member (generation and member checked), or for no member at all
     * (generation -1: a consumer using {@code assign}, or an admin) while the group has no members.
     *
     * @return per-partition errors, completed once the commit is durable
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(String groupId, String memberId, String groupInstanceId,
                                                                       int generationId,
                                                                       Map<TopicPartition, CommittedOffset> commits) {
        Map<TopicPartition, Errors> results = new LinkedHashMap<>();
        if (groupId == null || groupId.isEmpty()) {
            commits.keySet().forEach(tp -> results.put(tp, Errors.INVALID_GROUP_ID));
            return CompletableFuture.completedFuture(results);
        }
        ClassicGroup group = group(groupId);
        synchronized (group) {
            Errors error;
            if (generationId < 0 && group.isEmpty()) {
                error = group.state == GroupState.DEAD ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NONE;
            } else if (group.state == GroupState.COMPLETING_REBALANCE) {
                error = validateMember(group, memberId, groupInstanceId, generationId);
                if (error == Errors.NONE) {
                    error = Errors.REBALANCE_IN_PROGRESS;
                }
            } else {
                error = validateMember(group, memberId, groupInstanceId, generationId);
            }
            if (error != Errors.NONE) {
                Errors e = error;
                commits.keySet().forEach(tp -> results.put(tp, e));
                return CompletableFuture.completedFuture(results);
            }
            if (group.members.containsKey(memberId)) {
                touch(group, group.members.get(memberId));
            }
        }
        Map<TopicPartition, CommittedOffset> valid = new LinkedHashMap<>();
        commits.forEach((tp, o) -> {
            if (o.metadata() != null && o.metadata().length() > config.offsetMetadataMaxBytes()) {
                results.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
            } else {
                valid.put(tp, o);
                results.put(tp, Errors.NONE);
            }
        });
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        return offsets.commit(groupId, valid).handle((v, e) -> {
            if (e != null) {
                log.error("Writing offsets of group {} failed", groupId, e);
                valid.keySet().forEach(tp -> results.put(tp, Errors.COORDINATOR_NOT_AVAILABLE));
            }
            return results;
        });
    }

    /**
     * TxnOffsetCommit: offsets of a transaction, visible once its COMMIT marker reaches the group's
     * offsets partition. A member named in the request is checked as for OffsetCommit; a request
     * without one (generation -1) is accepted as Kafka does.
     *
     * @return per-partition errors, completed once the write is durable
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commitTransactionalOffsets(String groupId, long producerId,
                                                                                    short producerEpoch, String memberId,
                                                                                    String groupInstanceId, int generationId,
                                                                                    Map<TopicPartition, CommittedOffset> commits) {
        Map<TopicPartition, Errors> results = new LinkedHashMap<>();
        ClassicGroup group = groups.get(groupId);
        if (group != null && generationId >= 0 && memberId != null && !memberId.isEmpty()) {
            synchronized (group) {
                Errors error = validateMember(group, memberId, groupInstanceId, generationId);
                if (error != Errors.NONE) {
                    commits.keySet().forEach(tp -> results.put(tp, error));
                    return CompletableFuture.completedFuture(results);
                }
            }
        }
        Map<TopicPartition, CommittedOffset> valid = new LinkedHashMap<>();
        commits.forEach((tp, o) -> {
            if (o.metadata() != null && o.metadata().length() > config.offsetMetadataMaxBytes()) {
                results.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
            } else {
                valid.put(tp, o);
                results.put(tp, Errors.NONE);
            }
        });
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        return offsets.commitTransactional(groupId, producerId, producerEpoch, valid).handle((v, e) -> {
            if (e != null) {
                Errors error = Errors.forException(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
                log.info("Writing transactional offsets of group {} for producer {} failed: {}", groupId, producerId, error);
                valid.keySet().forEach(tp -> results.put(tp, error == Errors.UNKNOWN_SERVER_ERROR
                        ? Errors.COORDINATOR_NOT_AVAILABLE : error));
            }
            return results;
        });
    }

    /**
     * A transaction marker was written to offsets partition {@code partition}: the producer's pending
     * offsets of the groups stored there are committed or dropped.
     */
    public void completeTransaction(long producerId, boolean commit, int partition) {
        offsets.completeTransaction(producerId, commit, partition);
    }

    /**
     * Whether a transaction that is not decided yet holds an offset of the group for {@code tp}: a
     * consumer asking for stable offsets (KIP-447) must wait, or it would start from an offset the
     * transaction is about to replace.
     */
    public boolean hasPendingTransactionalOffset(String groupId, TopicPartition tp) {
        return offsets.hasPending(groupId, tp);
    }

    /** Committed offsets of a group: all of them when {@code partitions} is null. */
    public Map<TopicPartition, CommittedOffset> fetchOffsets(String groupId, Collection<TopicPartition> partitions) {
        Map<TopicPartition, CommittedOffset> all = offsets.offsets(groupId);
        if (partitions == null) {
            return all;
        }
        Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, all.get(tp));
        }
        return out;
    }

    /**
     * Deletes committed offsets of partitions the group does not consume.
     *
     * @param subscribedTopics the topics the group's members subscribe to (decoded by the caller)
     */
    public CompletableFuture<Map<TopicPartition, Errors>> deleteOffsets(String groupId, Collection<TopicPartition> partitions,
                                                                       java.util.function.Function<byte[], Collection<String>> subscribedTopics) {
        Map<TopicPartition, Errors> results = new LinkedHashMap<>();
        ClassicGroup group = groups.get(groupId);
        if (group == null && offsets.offsets(groupId).isEmpty()) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupIdNotFoundException(
                    "Group " + groupId + " does not exist"));
        }
        java.util.Set<String> subscribed = new java.util.HashSet<>();
        if (group != null) {
            synchronized (group) {
                if ("consumer".equals(group.protocolType) && group.protocolName != null) {
                    for (GroupMember m : group.members.values()) {
                        subscribed.addAll(subscribedTopics.apply(m.protocols.get(group.protocolName)));
                    }
                }
            }
        }
        List<TopicPartition> doomed = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (subscribed.contains(tp.topic())) {
                results.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                results.put(tp, Errors.NONE);
                doomed.add(tp);
            }
        }
        return offsets.delete(groupId, doomed).thenApply(v -> results);
    }

    // ---------------------------------------------------------------- admin

    public List<GroupOverview> listGroups() {
        List<GroupOverview> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ClassicGroup g : groups.values()) {
            synchronized (g) {
                if (g.state != GroupState.DEAD && (!g.isEmpty() || !offsets.offsets(g.groupId).isEmpty())) {
                    out.add(new GroupOverview(g.groupId, g.protocolType == null ? "" : g.protocolType, g.state));
                    seen.add(g.groupId);
                }
            }
        }
        for (String id : offsets.groupsWithOffsets()) {
            if (seen.add(id)) {
                out.add(new GroupOverview(id, "", GroupState.EMPTY));
            }
        }
        return out;
    }

    /** The group, or null when it is unknown. */
    public GroupDescription describe(String groupId) {
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return offsets.offsets(groupId).isEmpty() ? null : new GroupDescription(groupId, GroupState.EMPTY, "", "", List.of());
        }
        synchronized (g) {
            if (g.state == GroupState.DEAD) {
                return null;
            }
            List<MemberDescription> members = g.members.values().stream().map(m -> new MemberDescription(m.memberId,
                    m.groupInstanceId, m.clientId, m.clientHost,
                    g.protocolName == null ? new byte[0] : m.protocols.getOrDefault(g.protocolName, new byte[0]),
                    g.state == GroupState.STABLE ? m.assignment : new byte[0])).toList();
            return new GroupDescription(groupId, g.state, g.protocolType == null ? "" : g.protocolType,
                    g.state == GroupState.STABLE || g.state == GroupState.COMPLETING_REBALANCE ? g.protocolName : "", members);
        }
    }

    /** Deletes an empty group and its offsets. */
    public CompletableFuture<Errors> deleteGroup(String groupId) {
        ClassicGroup g = groups.get(groupId);
        if (g == null && offsets.offsets(groupId).isEmpty()) {
            return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
        }
        if (g != null) {
            synchronized (g) {
                if (!g.isEmpty()) {
                    return CompletableFuture.completedFuture(Errors.NON_EMPTY_GROUP);
                }
                g.state = GroupState.DEAD;
                groups.remove(groupId, g);
            }
        }
        return offsets.delete(groupId, null).thenCompose(v -> offsets.deleteGroup(groupId))
                .handle((v, e) -> e == null ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE);
    }
}
