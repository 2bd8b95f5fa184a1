package io.weir.broker.log;

import static io.weir.broker.log.CompactionTestSupport.data;
import static io.weir.broker.log.CompactionTestSupport.keyed;
import static io.weir.broker.log.CompactionTestSupport.lastValues;
import static io.weir.broker.log.CompactionTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.log.CompactionTestSupport.KeyedRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleaning decisions and passes over real logs, run synchronously with a mock clock: last value per
 * key, offsets unchanged, tombstones and their horizon, the active segment, the last stable offset,
 * {@code min.compaction.lag.ms}, the dirty ratio, transactions, keyless produce, the checkpoint.
 */
class LogCleanerTest {
    private static final TopicPartition TP = new TopicPartition("c", 0);
    private static final CleanerConfig CLEANER = new CleanerConfig(true, 1, Double.MAX_VALUE, 1 << 20, 0.9, 100);

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

    private static LogConfig compacted() {
        return LogConfig.defaults().with(LogConfig.CLEANUP_POLICY, "compact").with(LogConfig.SEGMENT_BYTES, 64 * 1024)
                .with(LogConfig.DELETE_RETENTION_MS, 60_000L);
    }

    private PartitionLog open(LogConfig config, boolean clean) {
        return PartitionLog.open(dir.resolve("c-0"), TP, config, 0, 0, clean, new LogEnvironment(time, scheduler, flusher));
    }

    private LogCleaner cleaner(PartitionLog log) {
        return new LogCleaner(CLEANER, List.of(dir), () -> List.of(log), time);
    }

    /** {@code rounds} rounds over {@code keys} keys, one record per batch, a segment per round; all of it stable. */
    private void writeRounds(PartitionLog log, int keys, int rounds) {
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < keys; k++) {
                log.appendAsLeader(keyed(time.milliseconds(), "k" + k, "v" + round), 0);
            }
            log.roll();
        }
        log.lastStableOffset(log.logEndOffset());
    }

    @Test
    void aCleanerThreadAllocatesItsKeyMapWhenALogFirstNeedsCleaning() throws Exception {
        try (PartitionLog log = open(compacted(), true)) {
            List<PartitionLog> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
            LogCleaner cleaner = new LogCleaner(CLEANER, List.of(dir), () -> logs, time);
            cleaner.start();
            try {
                Thread.sleep(500); // several rounds of the thread (backoff 100 ms) with nothing to clean
                assertThat(cleaner.keyMapsAllocated()).as("no key map while no log needs cleaning").isZero();
                writeRounds(log, 10, 20);
                logs.add(log);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> cleaner.cleanedOffset(TP).isPresent());
                assertThat(cleaner.keyMapsAllocated()).as("one map, for the one thread").isEqualTo(1);
            } finally {
                cleaner.close();
            }
        }
    }

    @Test
    void keepsTheLastValuePerKeyAtItsOriginalOffset() throws Exception {
        try (PartitionLog log = open(compacted(), true)) {
            writeRounds(log, 10, 20);
            int segmentsBefore = log.numberOfSegments();
            LogCleaner cleaner = cleaner(log);
            Optional<Cleaner.Result> result = cleaner.cleanOnce(cleaner.newCleaner());
            assertThat(result).isPresent();
            assertThat(result.get().endOffset()).isEqualTo(200);
            List<KeyedRecord> left = data(log);
            assertThat(left).hasSize(10);
            for (int k = 0; k < 10; k++) {
                assertThat(left.get(k)).isEqualTo(new KeyedRecord(190 + k, "k" + k, "v19", false));
            }
            assertThat(log.numberOfSegments()).isLessThan(segmentsBefore);
            assertThat(log.logStartOffset()).isZero();
            assertThat(log.read(0, 1024, true).fetchOffsetMetadata().offset()).as("a fetch in the gap").isZero();
            assertThat(log.offsetForTimestamp(0)).map(TimestampOffset::offset).contains(190L);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("nothing dirty any more").isEmpty();
            assertThat(new OffsetCheckpointFile(dir.resolve(LogFileNames.CLEANER_OFFSET_CHECKPOINT)).read())
                    .containsEntry(TP, 200L);
            assertThat(cleaner(log).cleanedOffset(TP)).as("read back by a new cleaner").contains(200L);
            log.appendAsLeader(keyed(time.milliseconds(), "k3", "after"), 0);
        }
        try (PartitionLog log = open(compacted(), false)) {
            assertThat(data(log)).hasSize(11);
            assertThat(lastValues(log)).containsEntry("k3", "after").containsEntry("k9", "v19").hasSize(10);
        }
    }

    @Test
    void leavesTheActiveSegmentWhatIsAboveTheLastStableOffsetAndWhatIsYoungerThanTheMinimumLag() throws Exception {
        try (PartitionLog log = open(compacted(), true)) {
            for (int i = 0; i < 50; i++) {
                log.appendAsLeader(keyed(time.milliseconds(), "k", "v" + i), 0);
            }
            log.lastStableOffset(log.logEndOffset());
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("all in the active segment").isEmpty();
            log.roll();
            log.lastStableOffset(10); // as if the high watermark were at 10
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("segment 0 reaches past the last stable offset").isEmpty();
            log.lastStableOffset(log.logEndOffset());
            log.updateConfig(log.config().with(LogConfig.MIN_COMPACTION_LAG_MS, 60_000L));
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("younger than min.compaction.lag.ms").isEmpty();
            time.advance(60_001);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(data(log)).containsExactly(new KeyedRecord(49, "k", "v49", false));
        }
    }

    @Test
    void cleansOnlyOnceTheDirtyRatioIsReachedOrTheMaximumLagPassed() throws Exception {
        try (PartitionLog log = open(compacted().with(LogConfig.MIN_CLEANABLE_RATIO, 0.5), true)) {
            writeRounds(log, 50, 2);
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            log.appendAsLeader(keyed(time.milliseconds(), "k1", "new"), 0);
            log.roll();
            log.lastStableOffset(log.logEndOffset());
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("1 dirty record against 50 clean").isEmpty();
            log.updateConfig(log.config().with(LogConfig.MAX_COMPACTION_LAG_MS, 1_000L));
            time.advance(1_001);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("max.compaction.lag.ms passed").isPresent();
            assertThat(data(log)).hasSize(50);
            assertThat(lastValues(log)).containsEntry("k1", "new");
        }
    }

    @Test
    void tombstonesStayForDeleteRetentionAfterTheFirstPassThenGo() throws Exception {
        try (PartitionLog log = open(compacted(), true)) {
            for (int k = 0; k < 5; k++) {
                log.appendAsLeader(keyed(time.milliseconds(), "k" + k, "v"), 0);
            }
            log.appendAsLeader(keyed(time.milliseconds(), "k0", null), 0);
            // a batch mixing a value and a tombstone keeps its delete-horizon flag once the tombstone is gone
            log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(time.milliseconds(),
                    "k5".getBytes(), "v".getBytes()), new SimpleRecord(time.milliseconds(), "k1".getBytes(), null)), 0);
            log.roll();
            log.lastStableOffset(log.logEndOffset());
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(data(log)).extracting(KeyedRecord::key).containsExactly("k2", "k3", "k4", "k0", "k5", "k1");
            assertThat(data(log)).filteredOn(r -> r.value() == null).hasSize(2);
            time.advance(59_000);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("horizon not reached").isEmpty();
            time.advance(1_001);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("the horizon makes the log cleanable").isPresent();
            assertThat(data(log)).extracting(KeyedRecord::key).containsExactly("k2", "k3", "k4", "k5");
            time.advance(120_000);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("no horizon left to wait for").isEmpty();
        }
    }

    @Test
    void aLogTurnedCompactAtRunTimeIsCleanedAndItsKeylessRecordsGo() throws Exception {
        try (PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 1024), true)) {
            log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
                    new SimpleRecord(1L, null, "keyless".getBytes())), 0);
            for (int round = 0; round < 10; round++) {
                for (int k = 0; k < 10; k++) {
                    log.appendAsLeader(keyed(time.milliseconds(), "k" + k, "v" + round), 0);
                }
            }
            log.roll();
            log.lastStableOffset(log.logEndOffset());
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).as("delete policy: not the cleaner's").isEmpty();
            log.updateConfig(log.config().with(LogConfig.CLEANUP_POLICY, "compact,delete").with(LogConfig.MIN_CLEANABLE_RATIO, 0.01));
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(data(log)).hasSize(10).allSatisfy(r -> assertThat(r.value()).isEqualTo("v9"));
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).contains(7L);
        }
    }

    @Test
    void refusesKeylessRecordsWhileCompactedOnly() {
        try (PartitionLog log = open(compacted(), true)) {
            MemoryRecords keyless = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, "v".getBytes()));
            assertThatThrownBy(() -> log.appendAsLeader(keyless, 0)).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("without a key");
            MemoryRecords gzipped = MemoryRecords.withRecords(Compression.gzip().build(),
                    new SimpleRecord(1L, "k".getBytes(), "v".getBytes()), new SimpleRecord(1L, null, "v".getBytes()));
            assertThatThrownBy(() -> log.appendAsLeader(gzipped, 0)).isInstanceOf(InvalidRecordException.class);
            assertThat(log.logEndOffset()).isZero();
            log.updateConfig(log.config().with(LogConfig.CLEANUP_POLICY, "delete"));
            log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, "v".getBytes())), 0);
            assertThat(log.logEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void compactDeleteAppliesRetentionTooAndCompactAloneDoesNot() {
        try (PartitionLog log = open(compacted().with(LogConfig.RETENTION_MS, 1_000L), true)) {
            writeRounds(log, 3, 3);
            time.advance(10_000);
            assertThat(log.deleteRetentionBreachedSegments()).as("compact only").isZero();
            log.updateConfig(log.config().with(LogConfig.CLEANUP_POLICY, "compact,delete"));
            assertThat(log.config().cleanupPolicy()).isEqualTo("compact,delete");
            assertThat(log.deleteRetentionBreachedSegments()).isEqualTo(3);
        }
    }

    private static MemoryRecords txn(long producerId, int sequence, String key, String value) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence,
                new SimpleRecord(1L, key.getBytes(), value.getBytes()));
    }

    private static MemoryRecords marker(long producerId, boolean commit) {
        return MemoryRecords.withEndTransactionMarker(producerId, (short) 0,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 1));
    }

    @Test
    void removesAbortedRecordsKeepsMarkersWhileNeededAndProducerState() throws Exception {
        long a = 100;
        long b = 200;
        try (PartitionLog log = open(compacted(), true)) {
            log.appendAsLeader(keyed(1L, "x", "plain-1"), 0);          // 0
            log.appendAsLeader(txn(a, 0, "x", "aborted"), 0);           // 1
            log.appendAsLeader(txn(b, 0, "y", "committed"), 0);         // 2
            log.appendAsLeader(marker(a, false), 0, AppendOrigin.COORDINATOR); // 3
            log.appendAsLeader(marker(b, true), 0, AppendOrigin.COORDINATOR);  // 4
            log.appendAsLeader(keyed(1L, "z", "plain-2"), 0);          // 5
            log.roll();
            log.lastStableOffset(log.logEndOffset());
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            List<KeyedRecord> all = readAll(log);
            assertThat(data(log)).extracting(KeyedRecord::value)
                    .as("the aborted write neither survives nor hides the earlier value of x")
                    .containsExactly("plain-1", "committed", "plain-2");
            assertThat(all).filteredOn(KeyedRecord::control).extracting(KeyedRecord::offset).containsExactly(3L, 4L);
            assertThat(log.collectAbortedTransactions(0, log.logEndOffset())).extracting(AbortedTxn::producerId)
                    .containsExactly(a);
        }
        try (PartitionLog log = open(compacted(), false)) {
            assertThat(log.activeProducers()).extracting(ActiveProducer::producerId).contains(a, b);
            Map<Long, Integer> sequences = new HashMap<>();
            log.activeProducers().forEach(p -> sequences.put(p.producerId(), p.lastSequence()));
            assertThat(sequences).containsEntry(a, 0).containsEntry(b, 0);
            assertThat(log.lastStableOffset(log.logEndOffset())).as("no transaction left open").isEqualTo(log.logEndOffset());
        }
    }

    @Test
    void aCompactedLogReplicatesToAFollowerOverItsGaps() throws Exception {
        try (PartitionLog leader = open(compacted(), true);
             PartitionLog follower = PartitionLog.open(dir.resolve("c-0-follower"), TP, compacted(), 0, 0, true,
                     new LogEnvironment(time, scheduler, flusher))) {
            writeRounds(leader, 4, 5);
            LogCleaner cleaner = cleaner(leader);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            long next = 0;
            while (next < leader.logEndOffset()) {
                FetchDataInfo info = leader.read(next, 1, true); // one whole batch per fetch
                MemoryRecords fetched = MemoryRecords.readableRecords(info.records().readAll());
                follower.appendAsFollower(fetched);
                next = follower.logEndOffset();
            }
            assertThat(data(follower)).isEqualTo(data(leader));
            assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        }
    }

    @Test
    void cleanedOffsetFollowsATruncation() throws Exception {
        try (PartitionLog log = open(compacted(), true)) {
            writeRounds(log, 5, 4);
            LogCleaner cleaner = cleaner(log);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(cleaner.cleanedOffset(TP)).contains(20L);
            log.truncateTo(17);
            writeRounds(log, 5, 2);
            assertThat(cleaner.cleanOnce(cleaner.newCleaner())).isPresent();
            assertThat(cleaner.cleanedOffset(TP)).contains(log.logEndOffset());
            assertThat(data(log)).hasSize(5);
        }
        assertThat(Files.exists(dir.resolve(LogFileNames.CLEANER_OFFSET_CHECKPOINT))).isTrue();
    }
}
