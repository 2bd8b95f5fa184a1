package io.weir.bench.storage;

import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.GroupCommitFlusher;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogEnvironment;
import io.weir.broker.log.PartitionLog;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link PartitionLog} with the pieces a broker would give it (a one-thread scheduler for
 * post-roll fsyncs and deletions, a group-commit flusher), built directly rather than through a
 * {@code LogManager} so that nothing else runs beside the log being measured. Owns its scratch
 * directory and deletes it on close.
 */
public final class BenchLog implements AutoCloseable {
    private final Path dir;
    private final ThreadPoolScheduler scheduler;
    private final GroupCommitFlusher flusher;
    private final PartitionLog log;

    private BenchLog(Path dir, ThreadPoolScheduler scheduler, GroupCommitFlusher flusher, PartitionLog log) {
        this.dir = dir;
        this.scheduler = scheduler;
        this.flusher = flusher;
        this.log = log;
    }

    /** A new, empty log in a fresh scratch directory. */
    public static BenchLog create(String name, int segmentBytes, boolean groupCommit) {
        LogConfig config = LogConfig.defaults()
                .with(LogConfig.SEGMENT_BYTES, segmentBytes)
                .with(LogConfig.GROUP_COMMIT_ENABLE, groupCommit);
        Path dir = ScratchDir.create("weir-" + name + "-");
        ThreadPoolScheduler scheduler = new ThreadPoolScheduler("bench", 1);
        GroupCommitFlusher flusher = new GroupCommitFlusher("bench");
        LogEnvironment env = new LogEnvironment(Time.SYSTEM, scheduler, flusher);
        PartitionLog log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0), config, 0, 0, true, env);
        return new BenchLog(dir, scheduler, flusher, log);
    }

    public PartitionLog log() {
        return log;
    }

    public GroupCommitFlusher flusher() {
        return flusher;
    }

    /** Appends {@code batch} until the log holds at least {@code bytes}; for read benchmarks. */
    public void fill(ProducerBatch batch, long bytes) {
        while (log.size() < bytes) {
            log.appendAsLeader(batch.view(), 0);
        }
    }

    /** Throws the data away (no fsync of it), closes the log and its helpers, deletes the directory. */
    @Override
    public void close() {
        ScratchDir.discardLogData(dir);
        log.close();
        flusher.close();
        scheduler.close();
        ScratchDir.delete(dir);
    }
}
