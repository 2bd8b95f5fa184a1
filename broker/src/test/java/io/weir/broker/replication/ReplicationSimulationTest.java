package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.controller.PartitionChangeBuilder;
import io.weir.broker.log.LeaderEpochCache;
import io.weir.broker.zk.LeaderAndIsr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A seeded, deterministic simulation of one partition replicated on three brokers (RF=3,
 * min.insync.replicas=2), driven only by the pure decision classes: {@link PartitionChangeBuilder}
 * (the controller), {@link ReplicaRules} (high watermark, ISR shrink/expand, truncation) and
 * {@link LeaderEpochCache} (in memory). In the spirit of Kafka's {@code RaftEventSimulationTest}.
 *
 * <p>Model: simulated time; the controller owns the versioned partition state (every write bumps
 * the partition epoch; leader-initiated ISR changes are conditional on it) and pushes it to live
 * brokers; a leader appends client writes and acknowledges them only when the high watermark passes
 * them with an ISR of at least min.insync; followers fetch over a lossy, delaying network and
 * truncate (OffsetsForLeaderEpoch, in as many rounds as it takes) when they start following. A
 * crash keeps the log (the page cache survives a process crash, the broker's default durability)
 * and loses the in-memory state.
 *
 * <p>Invariants: when a follower's truncation completes, its log is a prefix of the leader's; and
 * after every step: at most one leader per leader epoch; the HW never goes
 * back on a leader; every acknowledged record is present, identical, on every ISR member (never lost
 * while unclean election is off); ISR members agree with the leader below its HW.
 *
 * <p>{@code -Dweir.sim.seeds=20000} runs more seeds, {@code -Dweir.sim.steps=N} longer runs,
 * {@code -Dweir.sim.seed=S} replays one seed (its trace is printed on failure), or starts the range there.
 * The Maven profile {@code -Psim-long} runs both tests for 20,000 seeds and for 2,000 long runs. The
 * two tests share nothing and run concurrently.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Execution(ExecutionMode.CONCURRENT)
class ReplicationSimulationTest {
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);
    private static final int MIN_ISR = 2;
    private static final long MAX_LAG_MS = 1_000;
    private static final int CONTROLLER_EPOCH = 1;

    /** Unclean election stays disabled (the default): no acknowledged write may ever be lost. */
    @Test
    void replicationKeepsItsInvariantsUnderRandomFaults() {
        run(false);
    }

    /**
     * The controller's unclean-election setting is toggled at random: acknowledged writes an unclean
     * leader lacks may be lost, but the logs must still converge. Unclean elections interleave epochs
     * that one replica has and another never saw, which is what needs the follower's repeated
     * OffsetsForLeaderEpoch rounds (seeds 22 and 50 found the two ways a single round went wrong).
     */
    @Test
    void replicationWithUncleanElectionsKeepsLogsConsistent() {
        run(true);
    }

    private static void run(boolean uncleanToggles) {
        long first = Long.getLong("weir.sim.seed", 0L);
        int seeds = Integer.getInteger("weir.sim.seeds", Long.getLong("weir.sim.seed") != null ? 1 : 200);
        int steps = Integer.getInteger("weir.sim.steps", 300);
        Stats total = new Stats();
        for (long seed = first; seed < first + seeds; seed++) {
            Sim sim = new Sim(seed, uncleanToggles);
            try {
                for (int i = 0; i < steps; i++) {
                    sim.step(i);
                    sim.checkInvariants();
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Simulation failed at seed " + seed + " (replay with -Dweir.sim.seed=" + seed
                        + "): " + e.getMessage() + "\ntrace:\n" + String.join("\n", sim.trace), e);
            }
            total.add(sim.stats);
        }
        System.out.println("replication simulation: " + seeds + " seeds x " + steps + " steps: " + total);
        // the simulation must really exercise the protocol, or it proves nothing
        assertThat(total.acked).as("acknowledged writes").isGreaterThan(seeds);
        assertThat(total.leaderChanges).as("leader changes").isGreaterThan(seeds);
        if (!uncleanToggles) {
            assertThat(total.lostByUnclean + total.uncleanElections).as("no unclean election").isZero();
        }
        assertThat(total.truncatedRecords).as("records truncated by followers").isGreaterThan(0);
        assertThat(total.isrShrinks).as("ISR shrinks").isGreaterThan(0);
        assertThat(total.isrExpands).as("ISR expands").isGreaterThan(0);
        if (uncleanToggles && seeds >= 100) {
            assertThat(total.uncleanElections).as("unclean elections").isGreaterThan(0);
            assertThat(total.repeatedTruncationRounds).as("repeated truncation rounds").isGreaterThan(0);
        }
    }

    /** A record in a log. */
    record Entry(long offset, int epoch, String payload) {
    }

    static final class Stats {
        long acked;
        long leaderChanges;
        long truncatedRecords;
        long isrShrinks;
        long isrExpands;
        long uncleanElections;
        long lostByUnclean;
        long repeatedTruncationRounds;

        void add(Stats o) {
            acked += o.acked;
            leaderChanges += o.leaderChanges;
            truncatedRecords += o.truncatedRecords;
            isrShrinks += o.isrShrinks;
            isrExpands += o.isrExpands;
            uncleanElections += o.uncleanElections;
            lostByUnclean += o.lostByUnclean;
            repeatedTruncationRounds += o.repeatedTruncationRounds;
        }

        @Override
        public String toString() {
            return "acked=" + acked + " leaderChanges=" + leaderChanges + " truncatedRecords=" + truncatedRecords
                    + " isrShrinks=" + isrShrinks + " isrExpands=" + isrExpands + " uncleanElections="
                    + uncleanElections + " lostByUnclean=" + lostByUnclean + " repeatedTruncationRounds="
                    + repeatedTruncationRounds;
        }
    }

    enum Role { NONE, LEADER, FOLLOWER }

    /** One broker's replica of the partition. The log and epoch cache survive a crash; the rest does not. */
    static final class Replica {
        final int id;
        final List<Entry> log = new ArrayList<>();
        final LeaderEpochCache cache = LeaderEpochCache.inMemory();
        long hw;
        boolean alive = true;
        int incarnation;
        // in-memory state, lost on crash
        Role role = Role.NONE;
        LeaderAndIsr state; // the last state the controller sent, null after a restart
        boolean needsTruncation;
        long epochStart;
        final Map<Integer, Long> followerLeos = new HashMap<>();
        final Map<Integer, Long> lastCaughtUp = new HashMap<>();
        final TreeMap<Long, Entry> pendingAcks = new TreeMap<>();

        Replica(int id) {
            this.id = id;
        }

        long leo() {
            return log.size();
        }

        int knownEpoch() {
            return state == null ? -1 : state.leaderEpoch();
        }

        void truncateTo(long offset) {
            while (log.size() > offset) {
                log.remove(log.size() - 1);
            }
            cache.truncateFromEnd(offset);
            hw = Math.min(hw, offset);
        }
    }

    /** A fetch response in flight. */
    record FetchResponse(long deliverAt, long seq, int follower, int incarnation, int leaderEpoch, long fetchOffset,
                         List<Entry> records, long leaderHw) {
    }

    static final class Sim {
        final Random rnd;
        final List<String> trace = new ArrayList<>();
        final Stats stats = new Stats();
        final Map<Integer, Replica> replicas = new TreeMap<>();
        final PriorityQueue<FetchResponse> inFlight = new PriorityQueue<>(
                (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.seq, b.seq));
        long seq;
        long now;
        int step;
        // controller
        LeaderAndIsr current;
        Set<Integer> controllerLive = new HashSet<>(REPLICAS);
        boolean uncleanAllowed;
        // observers for the invariants
        final Map<Integer, Integer> leaderOfEpoch = new HashMap<>();
        final Map<String, Long> leaderHwSeen = new HashMap<>();
        final TreeMap<Long, Entry> acked = new TreeMap<>();
        int payloads;

        final boolean uncleanToggles;

        Sim(long seed, boolean uncleanToggles) {
            this.uncleanToggles = uncleanToggles;
            rnd = new Random(seed);
            for (int id : REPLICAS) {
                replicas.put(id, new Replica(id));
            }
            current = PartitionChangeBuilder.initial(REPLICAS, controllerLive, CONTROLLER_EPOCH).withPartitionEpoch(0);
            log("initial " + current);
            leaderOfEpoch.put(current.leaderEpoch(), current.leader());
            broadcast();
        }

        void log(String s) {
            trace.add("t=" + now + " #" + step + " " + s);
        }

        void step(int i) {
            step = i;
            now += rnd.nextInt(150);
            deliverDue();
            int r = rnd.nextInt(100);
            if (r < 30) {
                clientWrite(1 + rnd.nextInt(3));
            } else if (r < 60) {
                fetchRound();
            } else if (r < 68) {
                isrCheck();
            } else if (r < 74) {
                crash();
            } else if (r < 82) {
                restart();
            } else if (r < 92) {
                controllerReacts();
            } else if (r < 95) {
                preferredElection();
            } else if (r < 97 && uncleanToggles) {
                uncleanAllowed = !uncleanAllowed;
                log("unclean.leader.election.enable=" + uncleanAllowed);
            } else {
                log("tick");
            }
        }

        // ---- controller ----

        void controllerReacts() {
            Set<Integer> live = new HashSet<>();
            replicas.values().stream().filter(r -> r.alive).forEach(r -> live.add(r.id));
            controllerLive = live;
            Optional<PartitionChangeBuilder.Change> change = PartitionChangeBuilder.onLiveBrokers(REPLICAS, current, live,
                    uncleanAllowed, CONTROLLER_EPOCH);
            log("controller sees live=" + new TreeMap<>(toMap(live)).keySet() + " unclean=" + uncleanAllowed);
            change.ifPresent(c -> apply(c.state(), c.unclean()));
            broadcast(); // also tells restarted brokers the current state
        }

        void preferredElection() {
            Optional<PartitionChangeBuilder.Change> change = PartitionChangeBuilder.preferredLeader(REPLICAS, current,
                    controllerLive, CONTROLLER_EPOCH);
            log("preferred election " + (change.isPresent() ? "" : "(nothing to do)"));
            change.ifPresent(c -> {
                apply(c.state(), c.unclean());
                broadcast();
            });
        }

        private static Map<Integer, Boolean> toMap(Set<Integer> s) {
            Map<Integer, Boolean> m = new HashMap<>();
            s.forEach(i -> m.put(i, true));
            return m;
        }

        void apply(LeaderAndIsr next, boolean unclean) {
            LeaderAndIsr written = next.withPartitionEpoch(current.partitionEpoch() + 1);
            if (written.leaderEpoch() != current.leaderEpoch()) {
                stats.leaderChanges++;
            }
            if (written.leaderEpoch() < current.leaderEpoch()) {
                throw new AssertionError("leader epoch went back: " + current + " -> " + written);
            }
            current = written;
            log("controller writes " + current + (unclean ? " UNCLEAN" : ""));
            if (current.hasLeader()) {
                Integer before = leaderOfEpoch.putIfAbsent(current.leaderEpoch(), current.leader());
                if (before != null && before != current.leader()) {
                    throw new AssertionError("two leaders for epoch " + current.leaderEpoch() + ": " + before + " and "
                            + current.leader());
                }
            }
            if (unclean) {
                stats.uncleanElections++;
                // acknowledged writes the unclean leader lacks are lost by design; stop checking them
                List<Entry> leaderLog = replicas.get(current.leader()).log;
                int before = acked.size();
                acked.values().removeIf(e -> e.offset() >= leaderLog.size() || !leaderLog.get((int) e.offset()).equals(e));
                stats.lostByUnclean += before - acked.size();
                log("unclean election: " + (before - acked.size()) + " acknowledged records may be lost");
            }
        }

        void broadcast() {
            for (Replica r : replicas.values()) {
                if (r.alive) {
                    receiveState(r, current);
                }
            }
        }

        /** A leader's conditional ISR write (Kafka's AlterPartition / ZK conditional update). */
        boolean alterIsr(Replica leader, List<Integer> newIsr) {
            if (leader.state.partitionEpoch() != current.partitionEpoch()
                    || leader.state.leaderEpoch() != current.leaderEpoch()) {
                log("ISR change by " + leader.id + " to " + newIsr + " rejected (stale partition epoch "
                        + leader.state.partitionEpoch() + " vs " + current.partitionEpoch() + ")");
                return false;
            }
            current = current.withIsr(newIsr).withPartitionEpoch(current.partitionEpoch() + 1);
            log("leader " + leader.id + " writes " + current);
            broadcast();
            return true;
        }

        // ---- brokers ----

        void receiveState(Replica r, LeaderAndIsr s) {
            if (r.state != null && (s.leaderEpoch() < r.state.leaderEpoch()
                    || s.leaderEpoch() == r.state.leaderEpoch() && s.partitionEpoch() <= r.state.partitionEpoch())) {
                return; // stale or already known
            }
            boolean newEpoch = s.leaderEpoch() != r.knownEpoch();
            r.state = s;
            if (!newEpoch) {
                if (r.role == Role.LEADER) {
                    updateHw(r); // the ISR changed
                }
                return;
            }
            failPending(r);
            r.followerLeos.clear();
            r.lastCaughtUp.clear();
            if (s.leader() == r.id) {
                r.role = Role.LEADER;
                r.needsTruncation = false;
                r.cache.assign(s.leaderEpoch(), r.leo());
                r.epochStart = r.cache.entries().stream().filter(e -> e.epoch() == s.leaderEpoch())
                        .mapToLong(LeaderEpochCache.EpochEnd::endOffset).findFirst().orElse(r.leo());
                for (int id : s.isr()) {
                    r.lastCaughtUp.put(id, now);
                }
                log("broker " + r.id + " leads epoch " + s.leaderEpoch() + " leo=" + r.leo() + " hw=" + r.hw);
            } else if (s.hasLeader()) {
                r.role = Role.FOLLOWER;
                r.needsTruncation = true;
                log("broker " + r.id + " follows " + s.leader() + " in epoch " + s.leaderEpoch());
            } else {
                r.role = Role.NONE;
                r.needsTruncation = true;
                log("broker " + r.id + " sees no leader in epoch " + s.leaderEpoch());
            }
        }

        void failPending(Replica r) {
            if (!r.pendingAcks.isEmpty()) {
                log("broker " + r.id + " fails " + r.pendingAcks.size() + " pending writes");
                r.pendingAcks.clear();
            }
        }

        Optional<Replica> activeLeader() {
            if (!current.hasLeader()) {
                return Optional.empty();
            }
            Replica r = replicas.get(current.leader());
            return r.alive && r.role == Role.LEADER && r.knownEpoch() == current.leaderEpoch()
                    ? Optional.of(r) : Optional.empty();
        }

        void clientWrite(int n) {
            // the client sends to the broker it believes leads: any live broker that thinks it leads
            List<Replica> leaders = replicas.values().stream().filter(r -> r.alive && r.role == Role.LEADER).toList();
            if (leaders.isEmpty()) {
                log("client write: no leader");
                return;
            }
            Replica leader = leaders.get(rnd.nextInt(leaders.size()));
            if (leader.state.isr().size() < MIN_ISR) {
                log("client write to " + leader.id + ": NOT_ENOUGH_REPLICAS (isr " + leader.state.isr() + ")");
                return;
            }
            for (int i = 0; i < n; i++) {
                Entry e = new Entry(leader.leo(), leader.knownEpoch(), "p" + (payloads++));
                leader.log.add(e);
                leader.pendingAcks.put(e.offset(), e);
            }
            log("client writes " + n + " to " + leader.id + " leo=" + leader.leo());
            updateHw(leader);
        }

        void updateHw(Replica leader) {
            long hw = ReplicaRules.highWatermark(leader.hw, leader.id, leader.leo(), leader.state.isr(),
                    leader.followerLeos);
            if (hw != leader.hw) {
                log("leader " + leader.id + " hw " + leader.hw + " -> " + hw);
            }
            leader.hw = hw;
            while (!leader.pendingAcks.isEmpty() && leader.pendingAcks.firstKey() < hw) {
                Entry e = leader.pendingAcks.pollFirstEntry().getValue();
                if (leader.state.isr().size() >= MIN_ISR) {
                    Entry before = acked.put(e.offset(), e);
                    if (before != null && !before.equals(e)) {
                        throw new AssertionError("offset " + e.offset() + " acknowledged twice: " + before + " and " + e);
                    }
                    stats.acked++;
                } else {
                    log("write " + e + " fails: NOT_ENOUGH_REPLICAS_AFTER_APPEND");
                }
            }
        }

        void fetchRound() {
            for (Replica f : replicas.values()) {
                if (!f.alive || f.role != Role.FOLLOWER) {
                    continue;
                }
                Replica leader = replicas.get(f.state.leader());
                if (!leader.alive || leader.role != Role.LEADER || leader.knownEpoch() != f.knownEpoch()) {
                    continue; // not reachable yet / fenced
                }
                if (rnd.nextInt(10) == 0) {
                    log("request from " + f.id + " lost");
                    continue;
                }
                if (f.needsTruncation) {
                    truncate(f, leader);
                    continue;
                }
                fetch(f, leader);
            }
        }

        /** One OffsetsForLeaderEpoch round; the follower fetches once a round completes. */
        void truncate(Replica f, Replica leader) {
            LeaderEpochCache.EpochEnd answer = leader.cache.endOffsetFor(f.cache.latestEpoch(), leader.leo());
            ReplicaRules.Truncation to = ReplicaRules.truncation(answer, f.cache, f.leo(), f.hw);
            log("broker " + f.id + " (cache " + starts(f.cache) + " leo=" + f.leo() + " hw=" + f.hw + ") asks epoch "
                    + f.cache.latestEpoch() + ", leader " + leader.id + " (cache " + starts(leader.cache) + " leo="
                    + leader.leo() + ") answers " + answer + ", truncates " + f.leo() + " -> " + to.offset()
                    + (to.complete() ? "" : ", asks again"));
            if (to.offset() < f.leo()) {
                stats.truncatedRecords += f.leo() - to.offset();
            }
            f.truncateTo(to.offset());
            f.needsTruncation = !to.complete();
            if (!to.complete()) {
                stats.repeatedTruncationRounds++;
            } else if (!f.log.equals(leader.log.subList(0, (int) Math.min(f.leo(), leader.leo())))) {
                throw new AssertionError("broker " + f.id + " finished truncating but is no prefix of leader " + leader.id
                        + "'s log");
            }
        }

        void fetch(Replica f, Replica leader) {
            long offset = f.leo();
            if (offset > leader.leo()) {
                // OFFSET_OUT_OF_RANGE: as the real fetcher, find the common point again (OffsetsForLeaderEpoch)
                log("fetch from " + f.id + " at " + offset + " beyond leader leo " + leader.leo() + ": out of range");
                f.needsTruncation = true;
                return;
            }
            leader.followerLeos.put(f.id, offset);
            if (offset >= leader.leo()) {
                leader.lastCaughtUp.put(f.id, now);
            }
            updateHw(leader);
            if (!leader.state.isr().contains(f.id) && ReplicaRules.canJoinIsr(f.id, REPLICAS, leader.state.isr(), offset,
                    leader.hw, leader.epochStart)) {
                List<Integer> isr = new ArrayList<>(leader.state.isr());
                isr.add(f.id);
                if (alterIsr(leader, isr)) {
                    stats.isrExpands++;
                }
            }
            int max = 1 + rnd.nextInt(4);
            List<Entry> records = List.copyOf(leader.log.subList((int) offset, (int) Math.min(leader.leo(), offset + max)));
            if (rnd.nextInt(10) == 0) {
                log("response to " + f.id + " lost");
                return;
            }
            inFlight.add(new FetchResponse(now + rnd.nextInt(300), seq++, f.id, f.incarnation, leader.knownEpoch(),
                    offset, records, leader.hw));
        }

        void deliverDue() {
            while (!inFlight.isEmpty() && inFlight.peek().deliverAt() <= now) {
                FetchResponse resp = inFlight.poll();
                Replica f = replicas.get(resp.follower());
                if (!f.alive || f.incarnation != resp.incarnation() || f.role != Role.FOLLOWER
                        || f.knownEpoch() != resp.leaderEpoch() || f.leo() != resp.fetchOffset() || f.needsTruncation) {
                    continue; // stale
                }
                for (Entry e : resp.records()) {
                    if (e.offset() != f.leo()) {
                        throw new AssertionError("gap in fetched records: " + e + " at leo " + f.leo());
                    }
                    f.cache.assign(e.epoch(), e.offset());
                    f.log.add(e);
                }
                f.hw = Math.min(resp.leaderHw(), f.leo()); // as Partition.updateFollowerHighWatermark: may go down
                if (!resp.records().isEmpty()) {
                    log("broker " + f.id + " appends " + resp.records().size() + " leo=" + f.leo() + " hw=" + f.hw);
                }
            }
        }

        void isrCheck() {
            Optional<Replica> maybe = activeLeader();
            if (maybe.isEmpty()) {
                return;
            }
            Replica leader = maybe.get();
            List<Integer> lagging = ReplicaRules.laggingReplicas(leader.id, leader.state.isr(), leader.lastCaughtUp, now,
                    MAX_LAG_MS);
            if (lagging.isEmpty()) {
                return;
            }
            List<Integer> isr = new ArrayList<>(leader.state.isr());
            isr.removeAll(lagging);
            log("leader " + leader.id + " finds " + lagging + " lagging");
            if (alterIsr(leader, isr)) {
                stats.isrShrinks++;
            }
        }

        void crash() {
            List<Replica> live = replicas.values().stream().filter(r -> r.alive).toList();
            if (live.isEmpty()) {
                return;
            }
            Replica r = live.get(rnd.nextInt(live.size()));
            r.alive = false;
            r.role = Role.NONE;
            r.state = null;
            r.pendingAcks.clear();
            r.followerLeos.clear();
            r.lastCaughtUp.clear();
            log("broker " + r.id + " crashes (log kept: leo=" + r.leo() + " hw=" + r.hw + ")");
        }

        void restart() {
            List<Replica> dead = replicas.values().stream().filter(r -> !r.alive).toList();
            if (dead.isEmpty()) {
                return;
            }
            Replica r = dead.get(rnd.nextInt(dead.size()));
            r.alive = true;
            r.incarnation++;
            log("broker " + r.id + " restarts (leo=" + r.leo() + " hw=" + r.hw + ")");
        }

        // ---- invariants ----

        void checkInvariants() {
            Map<Integer, Integer> leadersByEpoch = new HashMap<>();
            for (Replica r : replicas.values()) {
                if (r.alive && r.role == Role.LEADER) {
                    Integer other = leadersByEpoch.put(r.knownEpoch(), r.id);
                    if (other != null) {
                        throw new AssertionError("brokers " + other + " and " + r.id + " both lead epoch " + r.knownEpoch());
                    }
                    Integer elected = leaderOfEpoch.get(r.knownEpoch());
                    if (elected == null || elected != r.id) {
                        throw new AssertionError("broker " + r.id + " leads epoch " + r.knownEpoch() + " but "
                                + elected + " was elected");
                    }
                    String key = r.id + "@" + r.knownEpoch();
                    long seen = leaderHwSeen.getOrDefault(key, -1L);
                    if (r.hw < seen) {
                        throw new AssertionError("leader " + r.id + " hw went back in epoch " + r.knownEpoch() + ": " + seen
                                + " -> " + r.hw);
                    }
                    leaderHwSeen.put(key, r.hw);
                }
                if (r.hw > r.leo()) {
                    throw new AssertionError("broker " + r.id + " hw " + r.hw + " above its leo " + r.leo());
                }
            }
            for (int id : current.isr()) {
                Replica m = replicas.get(id);
                for (Entry e : acked.values()) {
                    if (e.offset() >= m.leo() || !m.log.get((int) e.offset()).equals(e)) {
                        throw new AssertionError("acknowledged " + e + " missing on ISR member " + id + " (isr "
                                + current.isr() + ", its log " + tail(m.log, e.offset()) + ")");
                    }
                }
            }
            Optional<Replica> leader = activeLeader();
            if (leader.isPresent()) {
                Replica l = leader.get();
                for (int id : current.isr()) {
                    Replica m = replicas.get(id);
                    if (m.leo() < l.hw) {
                        throw new AssertionError("ISR member " + id + " leo " + m.leo() + " below leader hw " + l.hw);
                    }
                    if (!m.log.subList(0, (int) l.hw).equals(l.log.subList(0, (int) l.hw))) {
                        throw new AssertionError("ISR member " + id + " diverges from leader " + l.id + " below hw " + l.hw);
                    }
                }
            }
        }

        private static String starts(LeaderEpochCache cache) {
            StringBuilder b = new StringBuilder("{");
            cache.entries().forEach(e -> b.append(b.length() > 1 ? ", " : "").append(e.epoch()).append('@').append(e.endOffset()));
            return b.append('}').toString();
        }

        private static String tail(List<Entry> log, long from) {
            int start = (int) Math.max(0, Math.min(log.size(), from - 2));
            return "size " + log.size() + " " + log.subList(start, (int) Math.min(log.size(), from + 3));
        }
    }
}
