package io.weir.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets written to a real log, replayed, and kept bounded by compaction. */
class OffsetStoreTest {
    @TempDir
    Path dir;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");

    @AfterEach
    void tearDown() {
        flusher.close();
        scheduler.close();
    }

    private PartitionLog open() {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 16 * 1024).with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L);
        return PartitionLog.open(dir.resolve("__consumer_offsets-0"), new TopicPartition("__consumer_offsets", 0), config, 0, 0,
                true, new LogEnvironment(time, scheduler, flusher));
    }

    private static OffsetStore store(PartitionLog log, MockTime time) {
        return new OffsetStore((p, records) -> CompletableFuture.completedFuture(log.appendAsLeader(records, 0)), g -> 0, time);
    }

    @Test
    void replayRestoresTheLatestOffsetsAndHonoursTombstones() {
        try (PartitionLog log = open()) {
            OffsetStore store = store(log, time);
            TopicPartition t0 = new TopicPartition("orders", 0);
            TopicPartition t1 = new TopicPartition("orders", 1);
            store.commit("g1", Map.of(t0, new CommittedOffset(5, 2, "m1", 10), t1, new CommittedOffset(7, -1, null, 10))).join();
            store.commit("g1", Map.of(t0, new CommittedOffset(9, 3, "m2", 11))).join();
            store.commit("g2", Map.of(t0, new CommittedOffset(1, -1, "", 12))).join();
            store.delete("g2", null).join();
            store.delete("g1", java.util.List.of(t1)).join();

            OffsetStore replayed = store(log, time);
            replayed.load(log);
            assertThat(replayed.offsets("g1")).containsOnlyKeys(t0);
            assertThat(replayed.offsets("g1").get(t0)).isEqualTo(new CommittedOffset(9, 3, "m2", 11));
            assertThat(replayed.offsets("g2")).isEmpty();
        }
    }

    @Test
    void compactionBoundsTheLogAndKeepsEveryLiveOffset() {
        try (PartitionLog log = open()) {
            OffsetStore store = store(log, time);
            for (int i = 0; i < 3000; i++) {
                store.commit("group-" + (i % 10), Map.of(new TopicPartition("t", i % 3), new CommittedOffset(i, -1, "meta", i))).join();
            }
            long before = log.size();
            assertThat(before).isGreaterThan(64 * 1024);
            assertThat(store.maybeCompact(0, log, 32 * 1024)).isTrue();
            assertThat(log.size()).isLessThan(before / 4);
            assertThat(store.maybeCompact(0, log, 32 * 1024)).isFalse();

            OffsetStore replayed = store(log, time);
            replayed.load(log);
            for (int g = 0; g < 10; g++) {
                assertThat(replayed.offsets("group-" + g)).isEqualTo(store.offsets("group-" + g)).hasSize(3);
            }
        }
    }
}
