package io.weir.broker.log;

import static io.weir.broker.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path root;

    private final MockTime time = new MockTime();
    private final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test-scheduler", 1);

    @AfterEach
    void tearDown() {
        scheduler.close();
    }

    private LogManagerConfig config(Path... dirs) {
        return LogManagerConfig.of(List.of(dirs), LogConfig.defaults().with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L)
                .with(LogConfig.SEGMENT_BYTES, 2048));
    }

    private LogManager start(LogManagerConfig config) {
        LogManager manager = new LogManager(config, time, scheduler);
        manager.startup();
        return manager;
    }

    @Test
    void spreadsLogsOverDirectoriesAndReloadsThemAfterACleanShutdown() {
        Path a = root.resolve("a");
        Path b = root.resolve("b");
        LogManager manager = start(config(a, b));
        for (int p = 0; p < 4; p++) {
            PartitionLog log = manager.getOrCreateLog(new TopicPartition("orders-eu", p));
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(TestRecords.batch("p" + p + "-" + i, 2, time.milliseconds()), 0);
            }
        }
        assertThat(a.resolve("orders-eu-0")).isDirectory();
        assertThat(b.resolve("orders-eu-1")).isDirectory();
        manager.close();
        assertThat(a.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).exists();
        assertThat(new OffsetCheckpointFile(a.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT)).read())
                .containsEntry(new TopicPartition("orders-eu", 0), 40L);

        LogManager again = start(config(a, b));
        try {
            assertThat(a.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).doesNotExist();
            assertThat(again.allLogs()).hasSize(4);
            PartitionLog log = again.getLog(new TopicPartition("orders-eu", 3)).orElseThrow();
            assertThat(log.logEndOffset()).isEqualTo(40);
            assertThat(log.recoveryPoint()).isEqualTo(40);
            assertThat(values(log)).hasSize(40).last().isEqualTo("p3-19-1");
        } finally {
            again.close();
        }
    }

    @Test
    void uncleanShutdownRecoversFromTheCheckpoint() {
        Path dir = root.resolve("d");
        LogManager manager = start(config(dir));
        PartitionLog log = manager.getOrCreateLog(new TopicPartition("t", 0));
        for (int i = 0; i < 50; i++) {
            log.appendAsLeader(TestRecords.batch("u" + i, 1, time.milliseconds()), 0);
        }
        manager.close();
        // simulate a crash: no marker, and a recovery point checkpoint from long ago
        assertThat(dir.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE).toFile().delete()).isTrue();
        new OffsetCheckpointFile(dir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT)).write(Map.of(new TopicPartition("t", 0), 3L));

        LogManager again = start(config(dir));
        try {
            PartitionLog reloaded = again.getLog(new TopicPartition("t", 0)).orElseThrow();
            assertThat(reloaded.logEndOffset()).isEqualTo(50);
            assertThat(reloaded.recoveryPoint()).isEqualTo(50);
            assertThat(values(reloaded)).hasSize(50);
        } finally {
            again.close();
        }
    }

    @Test
    void aLockedDirectoryRefusesASecondManager() {
        Path dir = root.resolve("locked");
        LogManager first = start(config(dir));
        try {
            LogManager second = new LogManager(config(dir), time, scheduler);
            assertThatThrownBy(second::startup).isInstanceOf(KafkaStorageException.class)
                    .hasMessageContaining(dir.toString()).hasMessageContaining("locked");
        } finally {
            first.close();
        }
        start(config(dir)).close();
    }

    @Test
    void foreignEntriesAreIgnoredAndLeftAlone() throws Exception {
        Path dir = root.resolve("f");
        LogManager manager = start(config(dir));
        manager.getOrCreateLog(new TopicPartition("t", 0)).appendAsLeader(TestRecords.batch("x", 1, 1), 0);
        manager.close();
        Files.createDirectories(dir.resolve("lost+found"));
        Files.writeString(dir.resolve("notes.txt"), "operator notes");
        Files.writeString(dir.resolve("t-0").resolve("README"), "not a segment");

        LogManager again = start(config(dir));
        try {
            assertThat(again.allLogs()).containsOnlyKeys(new TopicPartition("t", 0));
            assertThat(values(again.getLog(new TopicPartition("t", 0)).orElseThrow())).containsExactly("x-0");
            assertThat(dir.resolve("notes.txt")).hasContent("operator notes");
            assertThat(dir.resolve("t-0").resolve("README")).exists();
        } finally {
            again.close();
        }
    }

    @Test
    void deletedLogIsGoneAndNotReloaded() {
        Path dir = root.resolve("del");
        LogManager manager = start(config(dir));
        TopicPartition tp = new TopicPartition("gone", 0);
        manager.getOrCreateLog(tp).appendAsLeader(TestRecords.batch("g", 1, 1), 0);
        assertThat(manager.deleteLog(tp)).isTrue();
        assertThat(manager.getLog(tp)).isEmpty();
        assertThat(dir.resolve("gone-0")).doesNotExist();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Stream<Path> children = Files.list(dir)) {
                assertThat(children.filter(Files::isDirectory).count()).isZero();
            }
        });
        manager.close();
        LogManager again = start(config(dir));
        try {
            assertThat(again.allLogs()).isEmpty();
            assertThat(again.getOrCreateLog(tp).logEndOffset()).isZero();
        } finally {
            again.close();
        }
    }

    @Test
    void retentionRunsOverAllLogs() {
        Path dir = root.resolve("ret");
        LogManagerConfig config = LogManagerConfig.of(List.of(dir), LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 1024)
                .with(LogConfig.RETENTION_MS, 1000L).with(LogConfig.SEGMENT_DELETE_DELAY_MS, 0L));
        LogManager manager = start(config);
        try {
            PartitionLog log = manager.getOrCreateLog(new TopicPartition("r", 0));
            for (int i = 0; i < 30; i++) {
                log.appendAsLeader(TestRecords.batch("r" + i, 2, time.milliseconds()), 0);
            }
            time.advance(1001);
            int segments = log.numberOfSegments();
            assertThat(segments).isGreaterThan(1);
            assertThat(manager.cleanupLogs()).isEqualTo(segments - 1);
            assertThat(log.numberOfSegments()).isEqualTo(1);
            manager.checkpointLogStartOffsets();
            assertThat(new OffsetCheckpointFile(dir.resolve(LogFileNames.LOG_START_OFFSET_CHECKPOINT)).read())
                    .containsEntry(new TopicPartition("r", 0), log.logStartOffset());
        } finally {
            manager.close();
        }
    }

    @Test
    void logStartOffsetSurvivesARestart() {
        Path dir = root.resolve("start");
        LogManager manager = start(config(dir));
        PartitionLog log = manager.getOrCreateLog(new TopicPartition("s", 0));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(TestRecords.batch("s" + i, 1, 1), 0);
        }
        log.deleteRecordsBefore(7);
        manager.close();
        LogManager again = start(config(dir));
        try {
            assertThat(again.getLog(new TopicPartition("s", 0)).orElseThrow().logStartOffset()).isEqualTo(7);
        } finally {
            again.close();
        }
    }

    @Test
    void malformedCheckpointStopsStartupNamingTheFile() throws Exception {
        Path dir = root.resolve("bad");
        start(config(dir)).close();
        Files.writeString(dir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT), "0\n2\nt 0 x\n");
        LogManager manager = new LogManager(config(dir), time, scheduler);
        assertThatThrownBy(manager::startup).isInstanceOf(KafkaStorageException.class)
                .hasMessageContaining(LogFileNames.RECOVERY_POINT_CHECKPOINT).hasMessageContaining("line 2");
        // the failed start released the directory
        Files.delete(dir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT));
        start(config(dir)).close();
    }
}
