package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flush whose fsync finished just before a truncation must not raise the recovery point over the
 * truncated offsets: appends that reuse them were never fsynced and must not be acknowledged as durable.
 */
class FlushTruncateRaceTest {
    @TempDir
    Path dir;

    @Test
    void aTruncationDuringAFlushKeepsTheRecoveryPointHonest() throws Exception {
        DiskFaults disk = new DiskFaults();
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler("race", 1);
             GroupCommitFlusher flusher = new GroupCommitFlusher("race")) {
            LogConfig config = LogConfig.defaults().with(LogConfig.GROUP_COMMIT_ENABLE, true);
            try (PartitionLog log = PartitionLog.open(dir.resolve("race-0"), new TopicPartition("race", 0), config, 0, 0, true,
                    new LogEnvironment(new MockTime(), scheduler, flusher, disk.opener()))) {
                for (int i = 0; i < 10; i++) {
                    log.appendAsLeader(TestRecords.batch("a" + i, 10, 1), 0);
                }
                CountDownLatch fsynced = new CountDownLatch(1);
                CountDownLatch truncated = new CountDownLatch(1);
                AtomicBoolean first = new AtomicBoolean(true);
                disk.afterForce(() -> {
                    if (first.compareAndSet(true, false)) {
                        fsynced.countDown();
                        try {
                            truncated.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> log.flush(100));
                assertThat(fsynced.await(10, TimeUnit.SECONDS)).isTrue();
                log.truncateTo(50);
                LogAppendInfo reused = null;
                for (int i = 0; i < 5; i++) {
                    reused = log.appendAsLeader(TestRecords.batch("b" + i, 10, 1), 0);
                }
                truncated.countDown();
                flush.get(10, TimeUnit.SECONDS);
                assertThat(reused.lastOffset()).isEqualTo(99);
                assertThat(log.recoveryPoint()).isLessThanOrEqualTo(50);
                disk.afterForce(() -> { });
                // the reused offsets become durable only through a new fsync
                int forcesBefore = disk.forces();
                log.awaitDurable(reused).get(10, TimeUnit.SECONDS);
                assertThat(disk.forces()).isGreaterThan(forcesBefore);
                assertThat(log.recoveryPoint()).isEqualTo(100);
            }
        }
    }
}
