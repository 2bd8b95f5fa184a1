package io.weir.broker.log;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.common.Scheduler;
import io.weir.broker.common.Time;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every partition log of a broker across one or more data directories.
 *
 * <p>At {@link #startup()} it locks each directory, loads every {@code <topic>-<partition>}
 * directory in it (in parallel, {@code num.recovery.threads.per.data.dir} threads per directory),
 * recovering them when the directory lacks the clean-shutdown marker, and schedules retention,
 * time-based flushes and the recovery-point / log-start-offset checkpoints. {@link #close()} flushes
 * and closes every log, writes the checkpoints and, only when all of that succeeded, the
 * clean-shutdown marker.
 *
 * <p>Thread-safe. Lifecycle: {@code LATENT → STARTED → CLOSED}.
 */
public final class LogManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final LogManagerConfig config;
    private final Time time;
    private final Scheduler scheduler;
    private final FileChannelOpener opener;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Map<Path, LogDirectory> dirs = new LinkedHashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final Object creationLock = new Object();
    private volatile LogCleaner cleaner;

    /** One data directory: its lock, checkpoints and group-commit flusher. */
    private record LogDirectory(Path path, FileChannel lockChannel, FileLock lock, OffsetCheckpointFile recoveryPoints,
                                OffsetCheckpointFile logStartOffsets, GroupCommitFlusher flusher) {
    }

    public LogManager(LogManagerConfig config, Time time, Scheduler scheduler) {
        this(config, time, scheduler, FileChannelOpener.DEFAULT);
    }

    public LogManager(LogManagerConfig config, Time time, Scheduler scheduler, FileChannelOpener opener) {
        this.config = config;
        this.time = time;
        this.scheduler = scheduler;
        this.opener = opener;
    }

    /**
     * Locks the directories, loads every log and starts the background tasks.
     *
     * @throws KafkaStorageException when a directory cannot be created or locked, or a log cannot be loaded
     */
    public void startup() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("LogManager already started or closed");
        }
        try {
            Map<Path, Boolean> cleanShutdown = new HashMap<>();
            for (Path path : config.logDirs()) {
                dirs.put(path, openDirectory(path));
                cleanShutdown.put(path, Files.exists(path.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)));
            }
            loadLogs(cleanShutdown);
            for (Path path : dirs.keySet()) {
                Files.deleteIfExists(path.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE));
            }
        } catch (IOException | RuntimeException e) {
            releaseDirectories();
            state.set(State.CLOSED);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new KafkaStorageException("Cannot start the log manager: " + e, e);
        }
        cleaner = new LogCleaner(config.cleaner(), dirs.keySet(), logs::values, time);
        cleaner.start();
        schedule("log-retention", this::cleanupLogs, config.retentionCheckIntervalMs());
        schedule("log-flusher", this::flushDirtyLogs, config.flushCheckIntervalMs());
        schedule("recovery-point-checkpoint", this::checkpointRecoveryPoints, config.recoveryPointCheckpointIntervalMs());
        schedule("log-start-offset-checkpoint", this::checkpointLogStartOffsets, config.logStartOffsetCheckpointIntervalMs());
        schedule("producer-id-expiration", this::removeExpiredProducers, config.producerIdExpirationCheckIntervalMs());
        log.info("Log manager started with {} log(s) in {}", logs.size(), config.logDirs());
    }

    private void schedule(String name, Runnable task, long periodMs) {
        if (periodMs == Long.MAX_VALUE) {
            return;
        }
        ScheduledFuture<?> f = scheduler.schedulePeriodic(name, task, periodMs, periodMs);
        if (f != null) {
            tasks.add(f);
        }
    }

    private LogDirectory openDirectory(Path path) throws IOException {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot create log directory " + path + ": " + e, e);
        }
        if (!Files.isDirectory(path) || !Files.isWritable(path)) {
            throw new KafkaStorageException("Log directory " + path + " is not a writable directory");
        }
        FileChannel lockChannel = FileChannel.open(path.resolve(LogFileNames.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new KafkaStorageException("Log directory " + path + " is locked by another broker (" + LogFileNames.LOCK_FILE + ")");
        }
        return new LogDirectory(path, lockChannel, lock,
                new OffsetCheckpointFile(path.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT)),
                new OffsetCheckpointFile(path.resolve(LogFileNames.LOG_START_OFFSET_CHECKPOINT)),
                new GroupCommitFlusher(path.getFileName().toString()));
    }

    private void loadLogs(Map<Path, Boolean> cleanShutdown) throws IOException {
        List<ExecutorService> pools = new ArrayList<>();
        List<Future<PartitionLog>> loads = new ArrayList<>();
        try {
            for (LogDirectory dir : dirs.values()) {
                boolean clean = cleanShutdown.get(dir.path());
                Map<TopicPartition, Long> recoveryPoints = dir.recoveryPoints().read();
                Map<TopicPartition, Long> logStarts = dir.logStartOffsets().read();
                ExecutorService pool = Executors.newFixedThreadPool(config.recoveryThreadsPerDir(),
                        new NamedThreadFactory("log-recovery-" + dir.path().getFileName(), true));
                pools.add(pool);
                for (Path child : listDirectory(dir.path())) {
                    String name = child.getFileName().toString();
                    if (!Files.isDirectory(child)) {
                        continue;
                    }
                    if (name.endsWith(LogFileNames.DELETE_DIR_SUFFIX)) {
                        scheduler.scheduleOnce("delete-" + name, () -> deleteRecursively(child), 0);
                        continue;
                    }
                    TopicPartition tp = LogFileNames.parsePartitionDir(name);
                    if (tp == null) {
                        log.warn("Ignoring foreign directory {} in log directory {}", child, dir.path());
                        continue;
                    }
                    LogEnvironment env = new LogEnvironment(time, scheduler, dir.flusher(), opener);
                    loads.add(pool.submit(() -> PartitionLog.open(child, tp, config.logDefaults(),
                            recoveryPoints.getOrDefault(tp, 0L), logStarts.getOrDefault(tp, 0L), clean, env)));
                }
            }
            for (Future<PartitionLog> f : loads) {
                PartitionLog loaded = f.get();
                PartitionLog previous = logs.put(loaded.topicPartition(), loaded);
                if (previous != null) {
                    throw new KafkaStorageException("Partition " + loaded.topicPartition() + " exists in two log directories: "
                            + previous.dir() + " and " + loaded.dir());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStorageException("Interrupted while loading logs", e);
        } catch (ExecutionException e) {
            closeLoaded(loads);
            Throwable cause = e.getCause();
            throw cause instanceof KafkaStorageException kse ? kse
                    : new KafkaStorageException("Cannot load a log: " + cause, cause);
        } finally {
            pools.forEach(ExecutorService::shutdownNow);
        }
    }

    private void closeLoaded(List<Future<PartitionLog>> loads) {
        for (Future<PartitionLog> f : loads) {
            try {
                if (f.isDone() && !f.isCancelled()) {
                    f.get().closeWithoutFlush();
                }
            } catch (InterruptedException | ExecutionException ignored) {
                // a failed load closed its own segments
            }
        }
        logs.clear();
    }

    private static List<Path> listDirectory(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        children.sort(Comparator.naturalOrder());
        return children;
    }

    /** The log cleaner of compacted logs (null before {@link #startup()}). */
    public LogCleaner cleaner() {
        return cleaner;
    }

    public Optional<PartitionLog> getLog(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Map<TopicPartition, PartitionLog> allLogs() {
        return Map.copyOf(logs);
    }

    /** The log of {@code tp}, created in the directory holding the fewest logs when absent. */
    public PartitionLog getOrCreateLog(TopicPartition tp, LogConfig logConfig) {
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        synchronized (creationLock) {
            checkStarted();
            existing = logs.get(tp);
            if (existing != null) {
                return existing;
            }
            LogDirectory dir = leastLoadedDirectory();
            Path partitionDir = dir.path().resolve(LogFileNames.partitionDirName(tp));
            PartitionLog created = PartitionLog.open(partitionDir, tp, logConfig, 0, 0, true,
                    new LogEnvironment(time, scheduler, dir.flusher(), opener));
            try {
                OffsetCheckpointFile.fsyncDirectory(dir.path());
            } catch (IOException e) {
                created.closeWithoutFlush();
                throw new KafkaStorageException("Cannot fsync log directory " + dir.path() + ": " + e, e);
            }
            logs.put(tp, created);
            log.info("Created log for {} in {}", tp, partitionDir);
            return created;
        }
    }

    public PartitionLog getOrCreateLog(TopicPartition tp) {
        return getOrCreateLog(tp, config.logDefaults());
    }

    private LogDirectory leastLoadedDirectory() {
        Map<Path, Integer> counts = new HashMap<>();
        dirs.keySet().forEach(p -> counts.put(p, 0));
        for (PartitionLog l : logs.values()) {
            counts.computeIfPresent(l.dir().getParent(), (p, n) -> n + 1);
        }
        Path least = dirs.keySet().stream().min(Comparator.comparingInt(counts::get)).orElseThrow();
        return dirs.get(least);
    }

    /**
     * Removes the log of {@code tp}: its directory is renamed to {@code <topic>-<partition>.<id>-delete}
     * at once (so a restart never loads it again) and removed in the background.
     *
     * @return whether there was such a log
     */
    public boolean deleteLog(TopicPartition tp) {
        PartitionLog removed;
        synchronized (creationLock) {
            removed = logs.remove(tp);
        }
        if (removed == null) {
            return false;
        }
        Path target = removed.dir().resolveSibling(LogFileNames.partitionDirName(tp) + "."
                + UUID.randomUUID().toString().replace("-", "") + LogFileNames.DELETE_DIR_SUFFIX);
        removed.closeWithoutFlush();
        removed.renameDir(target);
        long delay = removed.config().fileDeleteDelayMs();
        scheduler.scheduleOnce("delete-" + tp, () -> deleteRecursively(target), delay);
        log.info("Deleted log for {} (files in {} go after {} ms)", tp, target, delay);
        return true;
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.error("Cannot delete {}", root, e);
        }
    }

    /** Forgets, in every log, the producers idle for {@code producer.id.expiration.ms}; returns how many. */
    public int removeExpiredProducers() {
        int total = 0;
        for (PartitionLog l : logs.values()) {
            try {
                total += l.removeExpiredProducers(config.producerIdExpirationMs());
            } catch (RuntimeException e) {
                log.error("Producer-id expiration of {} failed", l.topicPartition(), e);
            }
        }
        return total;
    }

    /** Applies retention to every log; returns the segments deleted. */
    public int cleanupLogs() {
        int total = 0;
        for (PartitionLog l : logs.values()) {
            try {
                total += l.deleteRetentionBreachedSegments();
            } catch (RuntimeException e) {
                log.error("Retention of {} failed", l, e);
            }
        }
        return total;
    }

    /** Flushes every log whose {@code flush.ms} has passed. */
    public void flushDirtyLogs() {
        long now = time.milliseconds();
        for (PartitionLog l : logs.values()) {
            try {
                l.flushIfDue(now);
            } catch (RuntimeException e) {
                log.error("Flush of {} failed", l, e);
            }
        }
    }

    public void checkpointRecoveryPoints() {
        for (LogDirectory dir : dirs.values()) {
            dir.recoveryPoints().write(offsetsIn(dir, PartitionLog::recoveryPoint));
        }
    }

    public void checkpointLogStartOffsets() {
        for (LogDirectory dir : dirs.values()) {
            dir.logStartOffsets().write(offsetsIn(dir, PartitionLog::logStartOffset));
        }
    }

    private Map<TopicPartition, Long> offsetsIn(LogDirectory dir, java.util.function.ToLongFunction<PartitionLog> f) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (PartitionLog l : logs.values()) {
            if (l.dir().getParent().equals(dir.path())) {
                offsets.put(l.topicPartition(), f.applyAsLong(l));
            }
        }
        return offsets;
    }

    private void checkStarted() {
        if (state.get() != State.STARTED) {
            throw new IllegalStateException("LogManager is " + state.get());
        }
    }

    /**
     * Flushes and closes every log, writes the checkpoints and the clean-shutdown marker, and
     * releases the directories. The marker is written only when every step succeeded, so a failed
     * close leads to recovery at the next start.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
            state.set(State.CLOSED);
            return;
        }
        tasks.forEach(t -> t.cancel(false));
        closeCleaner();
        boolean clean = true;
        for (LogDirectory dir : dirs.values()) {
            dir.flusher().close();
        }
        for (PartitionLog l : logs.values()) {
            try {
                l.close();
            } catch (RuntimeException e) {
                clean = false;
                log.error("Closing {} failed; the next start will recover it", l, e);
            }
        }
        try {
            checkpointRecoveryPoints();
            checkpointLogStartOffsets();
        } catch (RuntimeException e) {
            clean = false;
            log.error("Writing checkpoints at shutdown failed", e);
        }
        if (clean) {
            for (Path path : dirs.keySet()) {
                try {
                    Files.createFile(path.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE));
                    OffsetCheckpointFile.fsyncDirectory(path);
                } catch (IOException e) {
                    log.error("Cannot write the clean-shutdown marker in {}", path, e);
                }
            }
        }
        releaseDirectories();
        log.info("Log manager closed ({} shutdown)", clean ? "clean" : "unclean");
    }

    /**
     * Stops as a killed process would leave the directories: no checkpoints and no clean-shutdown
     * marker, so the next start recovers. (Files are closed so that the same JVM can reopen them;
     * what was written survives as it would in the page cache of a killed process.)
     */
    public void halt() {
        if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
            return;
        }
        tasks.forEach(t -> t.cancel(false));
        closeCleaner();
        for (LogDirectory dir : dirs.values()) {
            dir.flusher().close();
        }
        for (PartitionLog l : logs.values()) {
            try {
                l.closeWithoutSnapshot();
            } catch (RuntimeException e) {
                log.debug("Closing {} while halting failed", l, e);
            }
        }
        releaseDirectories();
        log.info("Log manager halted (no clean-shutdown marker)");
    }

    private void closeCleaner() {
        LogCleaner c = cleaner;
        if (c != null) {
            c.close();
        }
    }

    private void releaseDirectories() {
        for (LogDirectory dir : dirs.values()) {
            dir.flusher().close();
            try {
                dir.lock().release();
                dir.lockChannel().close();
            } catch (IOException e) {
                log.warn("Cannot release the lock of {}", dir.path(), e);
            }
        }
    }
}
