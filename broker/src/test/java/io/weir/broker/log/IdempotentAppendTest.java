package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A retried idempotent batch is answered with its first offsets and never stored twice, also after a restart. */
class IdempotentAppendTest {
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
        return PartitionLog.open(dir.resolve("t-0"), new TopicPartition("t", 0), LogConfig.defaults(), 0, 0, true,
                new LogEnvironment(time, scheduler, flusher));
    }

    private static MemoryRecords batch(long producerId, short epoch, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence, records);
    }

    @Test
    void retriedBatchIsNotStoredTwice() {
        try (PartitionLog log = open()) {
            LogAppendInfo first = log.appendAsLeader(batch(42, (short) 0, 0, "a", "b"), 0);
            LogAppendInfo retry = log.appendAsLeader(batch(42, (short) 0, 0, "a", "b"), 0);
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(first.firstOffset());
            assertThat(retry.lastOffset()).isEqualTo(first.lastOffset());
            assertThat(log.logEndOffset()).isEqualTo(2);
            log.appendAsLeader(batch(42, (short) 0, 2, "c"), 0);
            assertThatThrownBy(() -> log.appendAsLeader(batch(42, (short) 0, 9, "z"), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class).hasMessageContaining("expected 3");
            assertThat(LogTestSupport.values(log)).containsExactly("a", "b", "c");
        }
        try (PartitionLog reopened = open()) {
            LogAppendInfo retry = reopened.appendAsLeader(batch(42, (short) 0, 2, "c"), 0);
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(2);
            assertThat(reopened.appendAsLeader(batch(42, (short) 0, 3, "d"), 0).firstOffset()).isEqualTo(3);
        }
    }
}
