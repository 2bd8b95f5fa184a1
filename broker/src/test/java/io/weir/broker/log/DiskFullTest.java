package io.weir.broker.log;

import static io.weir.broker.log.FaultTestSupport.T0;
import static io.weir.broker.log.FaultTestSupport.TP;
import static io.weir.broker.log.FaultTestSupport.assertSamePrefix;
import static io.weir.broker.log.FaultTestSupport.batches;
import static io.weir.broker.log.FaultTestSupport.testBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import io.weir.broker.log.DiskFaults.WriteFault;
import io.weir.broker.log.FaultTestSupport.HeldTasksScheduler;
import io.weir.broker.log.FaultTestSupport.StoredBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A disk that fills up under the log ({@link DiskFaults}): a write that stores part of its bytes and
 * fails, a short write followed by a failure, a segment file that cannot be created, an fsync that
 * fails. Each time the caller gets a {@link KafkaStorageException} naming the file (and, for a
 * failed append, the offset), the log stays exactly as it was before the failed call, nothing is
 * acknowledged that was not fsynced, and once space is back the log carries on at the same offset,
 * also across a clean or unclean reopen.
 */
class DiskFullTest {
    private static final int SEGMENT_BYTES = 2048;

    @TempDir
    Path tmp;

    private final DiskFaults faults = new DiskFaults();
    private final HeldTasksScheduler scheduler = new HeldTasksScheduler();
    private GroupCommitFlusher flusher;
    private LogEnvironment env;
    private Path dir;

    @BeforeEach
    void setUp() {
        flusher = new GroupCommitFlusher("disk-full-test");
        env = new LogEnvironment(new MockTime(), scheduler, flusher, faults.opener());
        dir = tmp.resolve("faults-0");
    }

    @AfterEach
    void tearDown() {
        flusher.close();
    }

    @ParameterizedTest
    @EnumSource(value = WriteFault.class, names = {"PARTIAL_THEN_ENOSPC", "SHORT_WRITE_THEN_ENOSPC"})
    void failedWriteLeavesTheLogAsItWas(WriteFault fault) throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES);
        List<StoredBatch> kept = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < 5; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            List<StoredBatch> before = batches(log);
            long end = log.logEndOffset();
            LogSegment active = log.activeSegment();
            long sizeBefore = Files.size(active.file());
            long maxTimestampBefore = active.maxTimestamp();

            faults.failWrites(fault);
            assertThatThrownBy(() -> log.appendAsLeader(testBatch(100), 3))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(active.file().toString())
                    .hasMessageContaining("offset " + end)
                    .hasMessageContaining(DiskFaults.ENOSPC);
            assertThat(faults.failedWrites()).isEqualTo(1);
            assertThat(faults.fileSizeAtLastWriteFailure()).as("part of the batch reached the file before the failure")
                    .isGreaterThan(sizeBefore);

            assertUnchanged(log, before, end, sizeBefore);
            assertThat(active.maxTimestamp()).as("the failed batch's timestamp is not indexed").isEqualTo(maxTimestampBefore);
            assertThat(log.offsetForTimestamp(T0 + 10L * 100)).isEmpty();

            faults.heal();
            LogAppendInfo info = log.appendAsLeader(testBatch(101), 3);
            assertThat(info.firstOffset()).as("the next append takes the offset the failed one would have had").isEqualTo(end);
            kept.addAll(batches(log));
            assertSamePrefix(kept.subList(0, before.size()), before, before.size(), "after the disk has space again");
            assertThat(kept.get(before.size()).values()).allSatisfy(v -> assertThat(v).startsWith("b101-"));
        }
        assertReopensWith(config, kept);
    }

    @Test
    void failedWriteOfSeveralBatchesStoresNoneOfThem() throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES);
        List<StoredBatch> before;
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            log.appendAsLeader(testBatch(0), 3);
            before = batches(log);
            long end = log.logEndOffset();
            long sizeBefore = Files.size(log.activeSegment().file());
            MemoryRecords three = concat(testBatch(1), testBatch(2), testBatch(3));

            faults.failWrites(WriteFault.PARTIAL_THEN_ENOSPC); // half of three batches: the first whole, the second torn
            assertThatThrownBy(() -> log.appendAsLeader(three, 3))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(log.activeSegment().file().toString())
                    .hasMessageContaining("offset " + end);
            assertThat(faults.fileSizeAtLastWriteFailure() - sizeBefore).as("more than one whole batch reached the file")
                    .isGreaterThan(testBatch(1).sizeInBytes());
            assertUnchanged(log, before, end, sizeBefore);
            faults.heal();
        }
        assertReopensWith(config, before);
    }

    /** The write that fails is the first one into a segment just rolled. */
    @Test
    void failedWriteIntoANewSegment() throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES);
        List<StoredBatch> kept;
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            int next = fillFirstSegment(log);
            List<StoredBatch> before = batches(log);
            long end = log.logEndOffset();
            Path newSegment = LogFileNames.logFile(dir, end);

            faults.failWrites(WriteFault.PARTIAL_THEN_ENOSPC);
            assertThatThrownBy(() -> log.appendAsLeader(testBatch(next), 3))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(newSegment.toString())
                    .hasMessageContaining("offset " + end);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(newSegment).exists().isEmptyFile();
            assertSamePrefix(batches(log), before, before.size(), "after the failed first write of a segment");

            faults.heal();
            assertThat(log.appendAsLeader(testBatch(next), 3).firstOffset()).isEqualTo(end);
            assertThat(log.activeSegment().baseOffset()).isEqualTo(end);
            kept = batches(log);
        }
        assertReopensWith(config, kept);
    }

    /** No room even for a new segment file: the roll fails and the append with it, nothing else changes. */
    @Test
    void segmentFileThatCannotBeCreated() throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES);
        List<StoredBatch> kept;
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            int next = fillFirstSegment(log);
            List<StoredBatch> before = batches(log);
            long end = log.logEndOffset();
            long sizeBefore = Files.size(log.activeSegment().file());
            Path newSegment = LogFileNames.logFile(dir, end);

            faults.failOpen(true);
            assertThatThrownBy(() -> log.appendAsLeader(testBatch(next), 3))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(newSegment.toString());
            assertThat(faults.failedOpens()).isEqualTo(1);
            assertThat(log.numberOfSegments()).isEqualTo(1);
            assertUnchanged(log, before, end, sizeBefore);

            faults.heal();
            assertThat(log.appendAsLeader(testBatch(next), 3).firstOffset()).isEqualTo(end);
            assertThat(log.numberOfSegments()).isEqualTo(2);
            kept = batches(log);
        }
        assertReopensWith(config, kept);
    }

    @Test
    void failedFsyncKeepsTheRecoveryPointAndCanBeRetried() throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES);
        List<StoredBatch> kept;
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            kept = batches(log);
            faults.failForce(true);
            assertThatThrownBy(() -> log.flush(log.logEndOffset()))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(log.activeSegment().file().toString());
            assertThat(log.recoveryPoint()).as("nothing was made durable").isZero();
            assertSamePrefix(batches(log), kept, kept.size(), "after the failed fsync");

            faults.heal();
            log.flush(log.logEndOffset());
            assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
        }
        assertReopensWith(config, kept);
    }

    /**
     * With group commit an append is acknowledged only once an fsync covers it. While fsyncs fail,
     * no waiting append may be acknowledged, however many share the failed fsync; once they work
     * again, new appends are acknowledged.
     */
    @Test
    void groupCommitNeverAcknowledgesAnAppendWhoseFsyncFailed() throws Exception {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES).with(LogConfig.GROUP_COMMIT_ENABLE, true);
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            LogAppendInfo durable = log.appendAsLeader(testBatch(0), 3);
            assertThat(log.awaitDurable(durable)).succeedsWithin(Duration.ofSeconds(10));
            long recoveryPoint = log.recoveryPoint();
            assertThat(recoveryPoint).isEqualTo(durable.nextOffset());

            faults.failForce(true);
            ExecutorService appenders = Executors.newFixedThreadPool(4);
            try {
                List<Future<CompletableFuture<LogAppendInfo>>> submitted = new ArrayList<>();
                for (int i = 1; i <= 40; i++) {
                    int n = i;
                    submitted.add(appenders.submit(() -> log.awaitDurable(log.appendAsLeader(testBatch(n), 3))));
                }
                for (Future<CompletableFuture<LogAppendInfo>> f : submitted) {
                    assertThat(f.get()).failsWithin(Duration.ofSeconds(10))
                            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                            .withCauseInstanceOf(KafkaStorageException.class)
                            .withMessageContaining(dir.toString());
                }
            } finally {
                appenders.shutdownNow();
            }
            assertThat(faults.failedForces()).isPositive();
            assertThat(log.recoveryPoint()).as("no fsync succeeded").isEqualTo(recoveryPoint);

            faults.heal();
            LogAppendInfo after = log.appendAsLeader(testBatch(99), 3);
            assertThat(log.awaitDurable(after)).succeedsWithin(Duration.ofSeconds(10));
            assertThat(log.recoveryPoint()).isGreaterThanOrEqualTo(after.nextOffset());
        }
    }

    /**
     * With {@code flush.messages=1} every append is fsynced before it returns. When that fsync fails
     * the append is reported as failed, so it must not stay in the log either: otherwise the
     * producer, told it failed, retries and the records are stored twice, and readers and followers
     * see records whose append failed.
     */
    @Test
    void failedFsyncOfAnAppendThatFlushesEveryMessageLeavesNoTrace() throws IOException {
        LogConfig config = FaultTestSupport.smallSegments(SEGMENT_BYTES).with(LogConfig.FLUSH_INTERVAL_MESSAGES, 1L);
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(testBatch(i), 3);
            }
            List<StoredBatch> before = batches(log);
            long end = log.logEndOffset();
            long sizeBefore = Files.size(log.activeSegment().file());

            faults.failForce(true);
            assertThatThrownBy(() -> log.appendAsLeader(testBatch(100), 3))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(log.activeSegment().file().toString());
            assertUnchanged(log, before, end, sizeBefore);

            faults.heal();
            assertThat(log.appendAsLeader(testBatch(101), 3).firstOffset()).isEqualTo(end);
        }
    }

    private static void assertUnchanged(PartitionLog log, List<StoredBatch> before, long end, long sizeBefore) {
        assertThat(log.logEndOffset()).as("log end offset").isEqualTo(end);
        assertThat(log.logEndOffsetMetadata().positionInSegment()).as("log end position").isEqualTo((int) sizeBefore);
        try {
            assertThat(Files.size(log.activeSegment().file())).as("file cut back to its size before the append")
                    .isEqualTo(sizeBefore);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertSamePrefix(batches(log), before, before.size(), "after the failed append");
    }

    /** Reopens after a clean stop, then as after a crash, and checks both hold exactly {@code expected}. */
    private void assertReopensWith(LogConfig config, List<StoredBatch> expected) throws IOException {
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, true, env)) {
            assertSamePrefix(batches(log), expected, expected.size(), "reopened after a clean stop");
        }
        try (PartitionLog log = PartitionLog.open(dir, TP, config, 0, 0, false, env)) {
            assertSamePrefix(batches(log), expected, expected.size(), "reopened after an unclean stop");
            long end = log.logEndOffset();
            assertThat(log.appendAsLeader(testBatch(200), 3).firstOffset()).isEqualTo(end);
        }
    }

    /** Appends until the next batch would not fit the first segment; returns that next batch's number. */
    private static int fillFirstSegment(PartitionLog log) {
        int i = 0;
        while (true) {
            MemoryRecords next = testBatch(i);
            int size = log.activeSegment().size();
            if (size > 0 && size + next.sizeInBytes() > SEGMENT_BYTES) {
                assertThat(log.numberOfSegments()).isEqualTo(1);
                return i;
            }
            log.appendAsLeader(next, 3);
            i++;
        }
    }

    private static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords p : parts) {
            size += p.sizeInBytes();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) {
            buf.put(p.buffer().duplicate());
        }
        return MemoryRecords.readableRecords(buf.flip());
    }
}
