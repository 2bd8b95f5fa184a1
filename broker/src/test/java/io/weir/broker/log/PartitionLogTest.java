package io.weir.broker.log;

import static io.weir.broker.log.LogTestSupport.readAll;
import static io.weir.broker.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path root;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test-scheduler", 1);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("test");
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void tearDown() {
        opened.forEach(PartitionLog::close);
        flusher.close();
        scheduler.close();
    }

    private PartitionLog open(LogConfig config) {
        return open(config, true);
    }

    private PartitionLog open(LogConfig config, boolean clean) {
        PartitionLog log = PartitionLog.open(root.resolve("orders-0"), TP, config, 0, 0, clean,
                new LogEnvironment(time, scheduler, flusher));
        opened.add(log);
        return log;
    }

    private static LogConfig config() {
        return LogConfig.defaults().with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L);
    }

    /** A batch whose records carry the given timestamps, values "v<ts>". */
    private static MemoryRecords timed(long... timestamps) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (long ts : timestamps) {
            b.append(ts, null, ("v" + ts).getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    @Test
    void appendAssignsConsecutiveOffsetsAndReadsBack() {
        PartitionLog log = open(config());
        LogAppendInfo first = log.appendAsLeader(TestRecords.batch("a", 3, 1000), 5);
        LogAppendInfo second = log.appendAsLeader(TestRecords.batch("b", 2, 2000), 5);
        assertThat(first.firstOffset()).isZero();
        assertThat(first.lastOffset()).isEqualTo(2);
        assertThat(second.firstOffset()).isEqualTo(3);
        assertThat(second.lastOffset()).isEqualTo(4);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(values(log)).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1");
        assertThat(readAll(log, 0)).extracting(LogTestSupport.Stored::offset).containsExactly(0L, 1L, 2L, 3L, 4L);

        MemoryRecords stored = MemoryRecords.readableRecords(log.read(0, 1 << 20, true).records().readAll());
        for (RecordBatch batch : stored.batches()) {
            assertThat(batch.isValid()).isTrue();
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(5);
        }
    }

    @Test
    void readInsideABatchStartsAtThatBatch() {
        PartitionLog log = open(config());
        log.appendAsLeader(TestRecords.batch("a", 3, 1), 0);
        log.appendAsLeader(TestRecords.batch("b", 3, 1), 0);
        FetchDataInfo info = log.read(4, 1 << 20, true);
        RecordBatch batch = MemoryRecords.readableRecords(info.records().readAll()).batches().iterator().next();
        assertThat(batch.baseOffset()).isEqualTo(3);
        assertThat(info.fetchOffsetMetadata().offset()).isEqualTo(4);
        assertThat(readAll(log, 4)).extracting(LogTestSupport.Stored::value).containsExactly("b-1", "b-2");
    }

    @Test
    void readOutOfRangeNamesTheOffsets() {
        PartitionLog log = open(config());
        log.appendAsLeader(TestRecords.batch("a", 3, 1), 0);
        assertThat(log.read(3, 1000, true).isEmpty()).isTrue();
        assertThatThrownBy(() -> log.read(4, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("Offset 4").hasMessageContaining("log end offset 3").hasMessageContaining("orders-0");
        assertThatThrownBy(() -> log.read(-1, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void maxBytesLimitsTheReadButOneBatchAlwaysComes() {
        PartitionLog log = open(config());
        log.appendAsLeader(TestRecords.sized(10, 100, 1), 0);
        log.appendAsLeader(TestRecords.sized(10, 100, 1), 0);
        int firstBatch = log.read(0, 1 << 20, true).records().size() / 2;
        assertThat(log.read(0, 10, true).records().size()).isEqualTo(firstBatch);
        assertThat(log.read(0, 10, false).records().size()).isEqualTo(10);
    }

    @Test
    void rollsBySizeAndReadsAcrossSegments() throws Exception {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024));
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(TestRecords.batch("r" + i, 2, 1), 0);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(3);
        for (LogSegment s : log.segments()) {
            assertThat(s.size()).isLessThanOrEqualTo(1024);
            assertThat(s.file().getFileName().toString()).matches("\\d{20}\\.log");
        }
        List<String> all = values(log);
        assertThat(all).hasSize(80);
        assertThat(all.get(79)).isEqualTo("r39-1");
        try (Stream<Path> files = Files.list(log.dir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".index")).count()).isEqualTo(log.numberOfSegments());
        }
    }

    @Test
    void rollsByAge() {
        PartitionLog log = open(config().with(LogConfig.ROLL_MS, 1000L));
        log.appendAsLeader(TestRecords.batch("a", 1, time.milliseconds()), 0);
        time.advance(500);
        log.appendAsLeader(TestRecords.batch("b", 1, time.milliseconds()), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        time.advance(501);
        log.appendAsLeader(TestRecords.batch("c", 1, time.milliseconds()), 0);
        assertThat(log.numberOfSegments()).isEqualTo(2);
        assertThat(log.activeSegment().baseOffset()).isEqualTo(2);
    }

    @Test
    void findsOffsetsByTimestamp() {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024).with(LogConfig.INDEX_INTERVAL_BYTES, 0));
        long ts = 10_000;
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(timed(ts, ts + 1, ts + 2), 0); // offsets 3i..3i+2
            ts += 10;
        }
        assertThat(log.numberOfSegments()).isGreaterThan(1);
        assertThat(log.offsetForTimestamp(0)).contains(new TimestampOffset(10_000, 0));
        assertThat(log.offsetForTimestamp(10_001)).contains(new TimestampOffset(10_001, 1));
        assertThat(log.offsetForTimestamp(10_003)).contains(new TimestampOffset(10_010, 3));
        assertThat(log.offsetForTimestamp(10_152)).contains(new TimestampOffset(10_152, 47));
        assertThat(log.offsetForTimestamp(10_292)).contains(new TimestampOffset(10_292, 89));
        assertThat(log.offsetForTimestamp(10_293)).isEmpty();
    }

    @Test
    void timestampLookupHandlesOutOfOrderTimestamps() {
        PartitionLog log = open(config().with(LogConfig.INDEX_INTERVAL_BYTES, 0));
        log.appendAsLeader(timed(500, 100), 0);   // 0,1
        log.appendAsLeader(timed(200, 300), 0);   // 2,3
        log.appendAsLeader(timed(900), 0);        // 4
        assertThat(log.offsetForTimestamp(150)).contains(new TimestampOffset(500, 0));
        assertThat(log.offsetForTimestamp(600)).contains(new TimestampOffset(900, 4));
    }

    @Test
    void truncateRemovesWholeBatchesAndAppendsContinue() {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(TestRecords.batch("t" + i, 2, 1), 0); // batch i holds 2i, 2i+1
        }
        int segmentsBefore = log.numberOfSegments();
        assertThat(log.truncateTo(21)).isEqualTo(20); // offset 21 sits inside batch 10 (20..21)
        assertThat(log.logEndOffset()).isEqualTo(20);
        assertThat(log.numberOfSegments()).isLessThan(segmentsBefore);
        assertThat(values(log)).hasSize(20).last().isEqualTo("t9-1");
        LogAppendInfo next = log.appendAsLeader(TestRecords.batch("n", 2, 1), 0);
        assertThat(next.firstOffset()).isEqualTo(20);
        assertThat(values(log)).hasSize(22).endsWith("n-0", "n-1");
        assertThat(log.truncateTo(100)).isEqualTo(22);
        assertThat(log.truncateTo(0)).isZero();
        assertThat(values(log)).isEmpty();
        assertThat(log.appendAsLeader(TestRecords.batch("z", 1, 1), 0).firstOffset()).isZero();
    }

    @Test
    void truncatingAtTheLogEndForgetsAnEpochThatWroteNothing() {
        PartitionLog log = open(config());
        log.appendAsLeader(TestRecords.batch("a", 3, 1), 0);
        log.leaderEpochCache().assign(3, 3); // led epoch 3 from offset 3, then lost leadership before any write
        assertThat(log.truncateTo(3)).isEqualTo(3);
        assertThat(log.leaderEpochCache().entries()).containsExactly(new LeaderEpochCache.EpochEnd(0, 0));
        assertThat(log.truncateTo(10)).isEqualTo(3);
        assertThat(values(log)).hasSize(3);
    }

    @Test
    void deleteRecordsBeforeMovesTheStartAndDropsWholeSegments() {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(TestRecords.batch("d" + i, 2, 1), i < 10 ? 0 : i < 20 ? 1 : 2);
        }
        int before = log.numberOfSegments();
        log.deleteRecordsBefore(33);
        assertThat(log.logStartOffset()).isEqualTo(33);
        assertThat(log.leaderEpochCache().entries()).as("epoch 0 ended below the start; epoch 1 holds it")
                .containsExactly(new LeaderEpochCache.EpochEnd(1, 33), new LeaderEpochCache.EpochEnd(2, 40));
        assertThat(log.numberOfSegments()).isLessThan(before);
        assertThat(log.segments().get(0).baseOffset()).isLessThanOrEqualTo(33);
        assertThat(readAll(log, 33).get(0).value()).isEqualTo("d16-1");
        assertThatThrownBy(() -> log.read(32, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.deleteRecordsBefore(61)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void timeRetentionDeletesOldSegmentsButNeverTheActiveOne() {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024).with(LogConfig.RETENTION_MS, 60_000L));
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(TestRecords.batch("old" + i, 2, time.milliseconds()), 0);
        }
        time.advance(30_000);
        assertThat(log.deleteRetentionBreachedSegments()).isZero();
        time.advance(30_001);
        int segments = log.numberOfSegments();
        assertThat(log.deleteRetentionBreachedSegments()).isEqualTo(segments - 1);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(log.activeSegment().baseOffset());
        assertThat(values(log)).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Stream<Path> files = Files.list(log.dir())) {
                assertThat(files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".deleted")).count())
                        .isEqualTo(1);
            }
        });
    }

    @Test
    void sizeRetentionKeepsTheNewestWholeSegments() {
        PartitionLog log = open(config().with(LogConfig.SEGMENT_BYTES, 1024).with(LogConfig.RETENTION_BYTES, 2048L));
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(TestRecords.batch("s" + i, 2, 1), 0);
        }
        long sizeBefore = log.size();
        assertThat(sizeBefore).isGreaterThan(2048);
        assertThat(log.deleteRetentionBreachedSegments()).isPositive();
        assertThat(log.size()).isLessThanOrEqualTo(2048 + 1024).isGreaterThan(sizeBefore - 2048 - 1024 > 0 ? 0 : 0);
        assertThat(log.size() - log.segments().get(0).size()).isLessThan(2048);
        assertThat(values(log)).last().isEqualTo("s39-1");
    }

    @Test
    void flushIntervalMessagesAdvancesTheRecoveryPoint() {
        PartitionLog log = open(config().with(LogConfig.FLUSH_INTERVAL_MESSAGES, 5L));
        log.appendAsLeader(TestRecords.batch("a", 3, 1), 0);
        assertThat(log.recoveryPoint()).isZero();
        assertThat(log.unflushedRecords()).isEqualTo(3);
        log.appendAsLeader(TestRecords.batch("b", 3, 1), 0);
        assertThat(log.recoveryPoint()).isEqualTo(6);
        assertThat(log.unflushedRecords()).isZero();
    }

    @Test
    void flushIntervalMsFlushesWhenDue() {
        PartitionLog log = open(config().with(LogConfig.FLUSH_INTERVAL_MS, 1000L));
        log.appendAsLeader(TestRecords.batch("a", 3, 1), 0);
        log.flushIfDue(time.milliseconds());
        assertThat(log.recoveryPoint()).isZero();
        time.advance(1000);
        log.flushIfDue(time.milliseconds());
        assertThat(log.recoveryPoint()).isEqualTo(3);
    }

    @Test
    void groupCommitCompletesOnlyAfterAnFsyncAndSharesFsyncs() throws Exception {
        PartitionLog log = open(config().with(LogConfig.GROUP_COMMIT_ENABLE, true));
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int id = t;
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        LogAppendInfo info = log.appendAsLeader(TestRecords.batch("g" + id + "-" + i, 1, 1), 0);
                        LogAppendInfo durable = log.awaitDurable(info).join();
                        // an acknowledged append is below the recovery point: it was covered by an fsync
                        assertThat(log.recoveryPoint()).isGreaterThanOrEqualTo(durable.nextOffset());
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(log.logEndOffset()).isEqualTo(threads * perThread);
        assertThat(flusher.fsyncs()).isPositive().isLessThanOrEqualTo(threads * perThread);
    }

    @Test
    void groupCommitOfSeveralLogsCoversEachAcknowledgedAppendOfEach() throws Exception {
        // one flusher, three logs written at once: a round fsyncs them in parallel; each request completes only once its
        // own log's fsync covers it
        List<PartitionLog> logs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            PartitionLog l = PartitionLog.open(root.resolve("multi-" + i), new TopicPartition("multi", i),
                    config().with(LogConfig.GROUP_COMMIT_ENABLE, true), 0, 0, true, new LogEnvironment(time, scheduler, flusher));
            opened.add(l);
            logs.add(l);
        }
        int perLog = 60;
        ExecutorService pool = Executors.newFixedThreadPool(logs.size() * 2);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        try {
            for (int t = 0; t < logs.size() * 2; t++) {
                PartitionLog log = logs.get(t % logs.size());
                int id = t;
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perLog / 2; i++) {
                        LogAppendInfo info = log.appendAsLeader(TestRecords.batch("m" + id + "-" + i, 1, 1), 0);
                        LogAppendInfo durable = log.awaitDurable(info).join();
                        assertThat(log.recoveryPoint()).isGreaterThanOrEqualTo(durable.nextOffset());
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (PartitionLog l : logs) {
            assertThat(l.logEndOffset()).isEqualTo(perLog);
            assertThat(l.recoveryPoint()).isEqualTo(perLog);
        }
        assertThat(flusher.fsyncs()).isPositive().isLessThanOrEqualTo(logs.size() * perLog);
    }

    @Test
    void withoutGroupCommitAwaitDurableCompletesAtOnce() {
        PartitionLog log = open(config());
        LogAppendInfo info = log.appendAsLeader(TestRecords.batch("x", 1, 1), 0);
        assertThat(log.awaitDurable(info)).isCompletedWithValue(info);
        assertThat(flusher.fsyncs()).isZero();
    }

    @Test
    void logAppendTimeReplacesProducerTimestamps() {
        PartitionLog log = open(config().with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        LogAppendInfo info = log.appendAsLeader(TestRecords.batch("l", 2, 5), 0);
        assertThat(info.logAppendTime()).isEqualTo(time.milliseconds());
        assertThat(readAll(log, 0)).allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(time.milliseconds()));
        RecordBatch stored = MemoryRecords.readableRecords(log.read(0, 1 << 20, true).records().readAll())
                .batches().iterator().next();
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.isValid()).isTrue();
    }

    @Test
    void compressedBatchesAreStoredVerbatim() {
        PartitionLog log = open(config());
        MemoryRecords compressed = TestRecords.batch("c", 100, 1, Compression.zstd().build());
        int size = compressed.sizeInBytes();
        log.appendAsLeader(compressed, 0);
        assertThat(log.size()).isEqualTo(size);
        assertThat(values(log)).hasSize(100).startsWith("c-0").endsWith("c-99");
    }

    @Test
    void reopenedLogKeepsDataAndKeepsAppendingToItsActiveSegment() {
        LogConfig config = config().with(LogConfig.SEGMENT_BYTES, 4096);
        long now = time.milliseconds();
        PartitionLog log = open(config);
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(timed(now + i), 0);
        }
        int segments = log.numberOfSegments();
        log.close();
        opened.remove(log);

        PartitionLog reopened = open(config);
        assertThat(reopened.logEndOffset()).isEqualTo(30);
        assertThat(reopened.numberOfSegments()).isEqualTo(segments);
        assertThat(reopened.offsetForTimestamp(now + 17)).contains(new TimestampOffset(now + 17, 17));
        reopened.appendAsLeader(timed(now + 100), 0);
        assertThat(reopened.numberOfSegments()).isEqualTo(segments);
        assertThat(values(reopened)).hasSize(31).last().isEqualTo("v" + (now + 100));
    }

    @Test
    void segmentAgeSurvivesARestartBecauseItComesFromTheRecords() {
        LogConfig config = config().with(LogConfig.ROLL_MS, 60_000L);
        PartitionLog log = open(config);
        log.appendAsLeader(timed(time.milliseconds()), 0);
        log.close();
        opened.remove(log);
        time.advance(60_001);
        PartitionLog reopened = open(config);
        reopened.appendAsLeader(timed(time.milliseconds()), 0);
        assertThat(reopened.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void followerAppendKeepsOffsetsAndRefusesGoingBackwards() {
        PartitionLog leader = open(config());
        leader.appendAsLeader(TestRecords.batch("f", 3, 1), 7);
        ByteBuffer replicated = leader.read(0, 1 << 20, true).records().readAll();

        PartitionLog follower = PartitionLog.open(root.resolve("orders-1"), new TopicPartition("orders", 1), config(), 0, 0,
                true, new LogEnvironment(time, scheduler, flusher));
        opened.add(follower);
        follower.appendAsFollower(MemoryRecords.readableRecords(replicated.duplicate()));
        assertThat(follower.logEndOffset()).isEqualTo(3);
        assertThatThrownBy(() -> follower.appendAsFollower(MemoryRecords.readableRecords(replicated.duplicate())))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("does not follow offset 2");
    }

    @Test
    void offsetMetadataLocatesBatches() {
        PartitionLog log = open(config());
        log.appendAsLeader(TestRecords.batch("a", 2, 1), 0);
        int firstSize = log.activeSegment().size();
        log.appendAsLeader(TestRecords.batch("b", 2, 1), 0);
        assertThat(log.offsetMetadata(2)).isEqualTo(new LogOffsetMetadata(2, 0, firstSize));
        assertThat(log.offsetMetadata(4)).isEqualTo(log.logEndOffsetMetadata());
        // a read bounded at offset 2 (a high watermark, later) sees only the first batch
        FetchDataInfo bounded = log.read(0, 1 << 20, log.offsetMetadata(2), true);
        assertThat(bounded.records().size()).isEqualTo(firstSize);
        assertThat(log.read(2, 1 << 20, log.offsetMetadata(2), true).isEmpty()).isTrue();
    }
}
