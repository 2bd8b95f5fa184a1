package io.weir.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockScheduler;
import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classic group's metadata record: written to a real offsets log when a rebalance completes, and loaded by the
 * coordinator that takes the partition over, so a member goes on at its generation there.
 */
class GroupFailoverTest {
    private static final int SESSION = 10_000;
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime();
    private final MockScheduler scheduler = new MockScheduler(time);
    private final ThreadPoolScheduler logScheduler = new ThreadPoolScheduler("test", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");

    @AfterEach
    void tearDown() {
        flusher.close();
        logScheduler.close();
    }

    private PartitionLog open() {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 16 * 1024).with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L);
        return PartitionLog.open(dir.resolve("__consumer_offsets-0"), new TopicPartition("__consumer_offsets", 0), config, 0, 0,
                true, new LogEnvironment(time, logScheduler, flusher));
    }

    /** A coordinator writing to {@code log}; its timers run only when {@code timers} is advanced. */
    private GroupCoordinator coordinator(PartitionLog log, MockScheduler timers) {
        return new GroupCoordinator(new GroupConfig(1_000, 60_000, 0, 5, 1, 4 * 1024, 4096),
                (p, records) -> CompletableFuture.completedFuture(log.appendAsLeader(records, 0)), timers, time);
    }

    private static LinkedHashMap<String, byte[]> protocols() {
        LinkedHashMap<String, byte[]> m = new LinkedHashMap<>();
        m.put("range", "sub".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    private static JoinResult join(GroupCoordinator c, String memberId, String instanceId) {
        return c.join("g", memberId, instanceId, "client", "/127.0.0.1", SESSION, 30_000, "consumer", protocols(), false).join();
    }

    @Test
    void theNextCoordinatorKnowsTheGenerationAndTheMembers() {
        try (PartitionLog log = open()) {
            GroupCoordinator first = coordinator(log, new MockScheduler(time));
            JoinResult a = join(first, "", null);
            first.sync("g", 1, a.memberId(), null, null, null, Map.of(a.memberId(), new byte[] {7})).join();
            assertThat(first.commitOffsets("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(3, -1, "m", 0)))
                    .join().values()).containsOnly(Errors.NONE);

            GroupCoordinator next = coordinator(log, scheduler);
            next.loadOffsets(log);

            assertThat(next.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.NONE);
            assertThat(next.commitOffsets("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(4, -1, "m", 0)))
                    .join().values()).containsOnly(Errors.NONE);
            assertThat(next.commitOffsets("g", a.memberId(), null, 0, Map.of(TP, new CommittedOffset(4, -1, "m", 0)))
                    .join().values()).containsOnly(Errors.ILLEGAL_GENERATION);
            GroupCoordinator.GroupDescription d = next.describe("g");
            assertThat(d.state()).isEqualTo(GroupState.STABLE);
            assertThat(d.protocolName()).isEqualTo("range");
            assertThat(d.members()).singleElement().satisfies(m -> {
                assertThat(m.memberId()).isEqualTo(a.memberId());
                assertThat(m.assignment()).containsExactly(7);
            });
            assertThat(next.sync("g", 1, a.memberId(), null, null, null, Map.of()).join().assignment()).containsExactly(7);
        }
    }

    @Test
    void aMemberThatNeverComesBackExpiresOnTheNextCoordinator() {
        try (PartitionLog log = open()) {
            GroupCoordinator first = coordinator(log, new MockScheduler(time));
            JoinResult a = join(first, "", null);
            first.sync("g", 1, a.memberId(), null, null, null, Map.of()).join();

            GroupCoordinator next = coordinator(log, scheduler);
            next.loadOffsets(log);
            scheduler.advance(SESSION + 1);
            assertThat(next.describe("g").state()).isEqualTo(GroupState.EMPTY);
            assertThat(next.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            // the empty generation is stored too: a third coordinator starts the group from it
            GroupCoordinator third = coordinator(log, new MockScheduler(time));
            third.loadOffsets(log);
            JoinResult b = join(third, "", null);
            assertThat(b.generationId()).isEqualTo(3);
        }
    }

    @Test
    void compactionKeepsTheGroupAndUnloadingAnswersWaitingMembersNotCoordinator() {
        try (PartitionLog log = open()) {
            GroupCoordinator c = coordinator(log, new MockScheduler(time));
            JoinResult a = join(c, "", "instance-a");
            c.sync("g", 1, a.memberId(), null, null, null, Map.of(a.memberId(), new byte[] {1})).join();
            for (int i = 0; i < 400; i++) {
                c.commitOffsets("g", a.memberId(), "instance-a", 1, Map.of(TP, new CommittedOffset(i, -1, "meta-" + i, 0))).join();
            }
            assertThat(c.maybeCompact(0, log)).isTrue();

            CompletableFuture<JoinResult> b = c.join("g", "", null, "client", "/127.0.0.1", SESSION, 30_000, "consumer",
                    protocols(), false);
            assertThat(b).isNotDone(); // waits for the first member to rejoin
            c.unloadOffsets(0);
            assertThat(b.join().error()).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(c.describe("g")).isNull();

            c.loadOffsets(log);
            GroupCoordinator.GroupDescription d = c.describe("g");
            assertThat(d.state()).isEqualTo(GroupState.STABLE);
            assertThat(d.members()).singleElement().satisfies(m -> {
                assertThat(m.memberId()).isEqualTo(a.memberId());
                assertThat(m.groupInstanceId()).isEqualTo("instance-a");
            });
            assertThat(c.fetchOffsets("g", List.of(TP)).get(TP).offset()).isEqualTo(399);
        }
    }

    @Test
    void recordsOfAnotherVersionOrTruncatedAreNotGroups() {
        GroupRecords.StoredGroup g = new GroupRecords.StoredGroup("consumer", 4, "range", "m1", 10, List.of(
                new GroupRecords.StoredMember("m1", null, "c", "/h", 30_000, 10_000, new byte[] {1, 2}, new byte[] {3})));
        byte[] value = GroupRecords.value(g);
        GroupRecords.StoredGroup back = GroupRecords.decodeValue(ByteBuffer.wrap(value));
        assertThat(back.generationId()).isEqualTo(4);
        assertThat(back.members().get(0).subscription()).containsExactly(1, 2);
        assertThat(GroupRecords.decodeValue(ByteBuffer.wrap(java.util.Arrays.copyOf(value, value.length - 3)))).isNull();
        value[1] = 9;
        assertThat(GroupRecords.decodeValue(ByteBuffer.wrap(value))).isNull();
        assertThat(GroupRecords.decodeKey(ByteBuffer.wrap(GroupRecords.key("grp")))).isEqualTo("grp");
        assertThat(GroupRecords.keyVersion(ByteBuffer.wrap(OffsetRecords.key("grp", TP)))).isEqualTo(OffsetRecords.VERSION);
    }
}
