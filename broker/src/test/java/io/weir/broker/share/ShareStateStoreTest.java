package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.FencedStateEpochException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Share-partition states written to a real log, replayed, fenced and kept bounded by compaction. */
class ShareStateStoreTest {
    @TempDir
    Path dir;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");
    private final ShareKey key = new ShareKey("g", Uuid.randomUuid(), 3);

    @AfterEach
    void tearDown() {
        flusher.close();
        scheduler.close();
    }

    private PartitionLog open() {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 16 * 1024).with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L);
        return PartitionLog.open(dir.resolve("__share_group_state-0"), new TopicPartition("__share_group_state", 0), config, 0, 0,
                true, new LogEnvironment(time, scheduler, flusher));
    }

    private ShareStateStore store(PartitionLog log) {
        return new ShareStateStore((p, records, durable) -> CompletableFuture.completedFuture(log.appendAsLeader(records, 0)), 1, time);
    }

    private static ShareSnapshot snapshot(int stateEpoch, long start) {
        return new ShareSnapshot(stateEpoch, start, List.of(new StateBatch(start + 1, start + 2, DeliveryState.ACKNOWLEDGED, 1),
                new StateBatch(start + 3, start + 3, DeliveryState.AVAILABLE, 4)));
    }

    @Test
    void replayRestoresTheLatestStateAndHonoursTombstones() {
        try (PartitionLog log = open()) {
            ShareStateStore store = store(log);
            ShareKey other = new ShareKey("h", key.topicId(), 0);
            store.write(key, 1, snapshot(0, 5)).join();
            store.write(key, 1, snapshot(0, 9)).join();
            store.write(other, 1, snapshot(0, 1)).join();
            store.delete(other).join();

            ShareStateStore replayed = store(log);
            replayed.load(log);
            assertThat(replayed.read(key)).contains(snapshot(0, 9));
            assertThat(replayed.read(other)).isEmpty();
            assertThat(replayed.readGroup("g")).containsOnlyKeys(key);
        }
    }

    @Test
    void olderLeaderAndStateEpochsAreFenced() {
        try (PartitionLog log = open()) {
            ShareStateStore store = store(log);
            store.write(key, 5, snapshot(2, 5)).join();
            assertThatThrownBy(() -> store.write(key, 4, snapshot(2, 6))).isInstanceOf(FencedLeaderEpochException.class);
            assertThatThrownBy(() -> store.write(key, 5, snapshot(1, 6))).isInstanceOf(FencedStateEpochException.class);
            store.write(key, -1, snapshot(3, 0)).join(); // an administrator's reset, in the next state epoch
            assertThat(store.read(key)).contains(snapshot(3, 0));
            assertThatThrownBy(() -> store.write(key, 5, snapshot(2, 7))).as("the old leader's copy is stale")
                    .isInstanceOf(FencedStateEpochException.class);
        }
    }

    @Test
    void compactionKeepsOnlyTheLiveStates() {
        try (PartitionLog log = open()) {
            ShareStateStore store = store(log);
            for (int i = 0; i < 2000; i++) {
                store.write(key, 1, snapshot(0, i)).join();
            }
            long before = log.size();
            assertThat(store.maybeCompact(0, log, 32 * 1024)).isTrue();
            assertThat(log.size()).isLessThan(before);
            ShareStateStore replayed = store(log);
            replayed.load(log);
            assertThat(replayed.read(key)).contains(snapshot(0, 1999));
        }
    }
}
