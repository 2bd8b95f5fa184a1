package io.weir.broker.log;

import static io.weir.broker.log.FaultTestSupport.TP;
import static io.weir.broker.log.FaultTestSupport.testBatch;
import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.log.FaultTestSupport.HeldTasksScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link java.nio.channels.FileChannel} is interruptible: when a thread with its interrupt flag
 * set reads from it (a fetch on a request thread being shut down, say), the JDK closes the channel
 * for every user. Appended bytes not yet fsynced can then no longer be fsynced through it, so the
 * log must not claim they are durable: neither by advancing its recovery point nor by completing a
 * group-commit wait.
 */
class InterruptedReaderTest {
    @TempDir
    Path tmp;

    private GroupCommitFlusher flusher;
    private LogEnvironment env;

    @BeforeEach
    void setUp() {
        flusher = new GroupCommitFlusher("interrupted-reader-test");
        env = new LogEnvironment(new MockTime(), new HeldTasksScheduler(), flusher);
    }

    @AfterEach
    void tearDown() {
        flusher.close();
    }

    @Test
    void flushDoesNotAdvanceTheRecoveryPointWithoutAnFsync() {
        LogConfig config = FaultTestSupport.smallSegments(64 * 1024);
        PartitionLog log = PartitionLog.open(tmp.resolve("faults-0"), TP, config, 0, 0, true, env);
        try {
            log.appendAsLeader(testBatch(0), 3);
            log.flush(log.logEndOffset());
            long flushed = log.recoveryPoint();
            log.appendAsLeader(testBatch(1), 3);
            long end = log.logEndOffset();

            readFromAnInterruptedThread(log);
            try {
                log.flush(end);
            } catch (KafkaStorageException e) {
                // refusing is fine: the point is not to claim what was not done
            }
            assertThat(log.recoveryPoint()).as("offsets %d..%d cannot have been fsynced: the segment's channel is closed",
                    flushed, end - 1).isEqualTo(flushed);
        } finally {
            release(log);
        }
    }

    @Test
    void groupCommitDoesNotAcknowledgeAnAppendItCouldNotFsync() {
        LogConfig config = FaultTestSupport.smallSegments(64 * 1024).with(LogConfig.GROUP_COMMIT_ENABLE, true);
        PartitionLog log = PartitionLog.open(tmp.resolve("faults-0"), TP, config, 0, 0, true, env);
        try {
            assertThat(log.awaitDurable(log.appendAsLeader(testBatch(0), 3))).succeedsWithin(Duration.ofSeconds(10));
            LogAppendInfo unsynced = log.appendAsLeader(testBatch(1), 3);

            readFromAnInterruptedThread(log);
            CompletableFuture<LogAppendInfo> ack = log.awaitDurable(unsynced);
            assertThat(ack).as("an acknowledgement needs an fsync covering the append; the segment's channel is closed")
                    .failsWithin(Duration.ofSeconds(10));
        } finally {
            release(log);
        }
    }

    /** Closing fsyncs; with the channel gone it may rightly refuse, and then the files are released without it. */
    private static void release(PartitionLog log) {
        try {
            log.close();
        } catch (KafkaStorageException e) {
            log.closeWithoutFlush();
        }
    }

    /** Reads the log's first batch on a thread whose interrupt flag is set; the JDK closes the segment's channel. */
    private static void readFromAnInterruptedThread(PartitionLog log) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                log.read(0, 1, true).records().readAll();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "interrupted-reader");
        reader.start();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(failure.get()).as("the interrupted read failed (the channel is now closed)")
                .isInstanceOf(KafkaStorageException.class);
        assertThat(log.activeSegment().channel().isOpen()).isFalse();
    }
}
