package io.weir.broker.log;

import io.weir.broker.common.Time;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner: {@code log.cleaner.threads} threads that keep compacted logs ({@code cleanup.policy}
 * holding {@code compact}) down to the last record per key. Each round a thread takes the compacted log
 * most in need ({@link CleaningDecision}), runs a {@link Cleaner} pass over it and records how far the
 * log is clean in {@code cleaner-offset-checkpoint} of its log directory. All threads share one I/O
 * budget ({@link Throttler}). Topic settings are read at every round, so a changed
 * {@code cleanup.policy}, {@code min.cleanable.dirty.ratio} or lag applies without a restart.
 *
 * <p>Threads are stopped by a flag checked between batches, never interrupted: an interrupt would close
 * the segment channels the log shares with its readers.
 *
 * <p>Thread-safe. Lifecycle: constructed, {@link #start()}, {@link #close()}.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

    private final CleanerConfig config;
    private final Time time;
    private final Supplier<Collection<PartitionLog>> logs;
    private final Map<Path, OffsetCheckpointFile> checkpoints = new HashMap<>();
    private final ConcurrentHashMap<TopicPartition, Long> cleanedOffsets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicPartition, PartitionLog> knownLogs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicPartition, Long> pendingHorizons = new ConcurrentHashMap<>();
    private final Set<TopicPartition> inProgress = ConcurrentHashMap.newKeySet();
    /** Logs a pass failed on (a bug or a dedupe buffer too small): skipped until the broker restarts. */
    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    private final Throttler throttler;
    private final List<Thread> threads = new ArrayList<>();
    private final Object wakeup = new Object();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile boolean stopping;

    /**
     * @param logDirs the data directories, each holding a {@code cleaner-offset-checkpoint}
     * @param logs    the current logs (a live view)
     */
    public LogCleaner(CleanerConfig config, Collection<Path> logDirs, Supplier<Collection<PartitionLog>> logs, Time time) {
        this.config = config;
        this.time = time;
        this.logs = logs;
        this.throttler = new Throttler(config.ioMaxBytesPerSecond(), time);
        for (Path dir : logDirs) {
            OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve(LogFileNames.CLEANER_OFFSET_CHECKPOINT));
            checkpoints.put(dir, file);
            cleanedOffsets.putAll(file.read());
        }
    }

    /** Key maps allocated so far (tests: the threads allocate theirs only when a log first needs cleaning). */
    private final java.util.concurrent.atomic.AtomicInteger keyMapsAllocated = new java.util.concurrent.atomic.AtomicInteger();

    int keyMapsAllocated() {
        return keyMapsAllocated.get();
    }

    /** Starts the threads ({@code log.cleaner.threads}; none when the cleaner is disabled). */
    public void start() {
        if (!config.enabled()) {
            return;
        }
        for (int i = 0; i < config.threads(); i++) {
            Thread t = new Thread(this::run, "log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        log.info("Log cleaner started with {} thread(s), {} bytes of key maps, I/O budget {} B/s", config.threads(),
                config.dedupeBufferSize(), config.ioMaxBytesPerSecond());
    }

    private void run() {
        // the key map (log.cleaner.dedupe.buffer.size over the threads, 128 MiB by default) is allocated when a log first
        // needs cleaning, not at start: a broker without compacted logs to clean does not carry it in its heap (it
        // filled half of the shipped heap, and made G1 start a marking cycle every few seconds)
        Cleaner[] cleaner = {null};
        java.util.function.Supplier<Cleaner> lazily = () -> {
            if (cleaner[0] == null) {
                cleaner[0] = newCleaner();
            }
            return cleaner[0];
        };
        while (!stopping) {
            boolean worked = false;
            try {
                worked = cleanOnce(lazily).isPresent();
            } catch (Cleaner.CleanerStoppedException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                log.error("Log cleaner round failed", e);
            }
            if (!worked) {
                synchronized (wakeup) {
                    if (!stopping) {
                        try {
                            wakeup.wait(config.backoffMs());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** A cleaner with its own key map, for one thread (or a caller cleaning synchronously). */
    Cleaner newCleaner() {
        keyMapsAllocated.incrementAndGet();
        return new Cleaner(new OffsetMap(config.mapBytesPerThread(), config.loadFactor()), throttler, () -> stopping);
    }

    /**
     * Cleans the compacted log most in need, if any, on the calling thread.
     *
     * @return what the pass did, or empty when no log needed cleaning
     */
    Optional<Cleaner.Result> cleanOnce(Cleaner cleaner) throws InterruptedException {
        return cleanOnce(() -> cleaner);
    }

    private Optional<Cleaner.Result> cleanOnce(java.util.function.Supplier<Cleaner> cleaner) throws InterruptedException {
        CleaningDecision chosen = choose();
        if (chosen == null) {
            return Optional.empty();
        }
        TopicPartition tp = chosen.log().topicPartition();
        try {
            Cleaner.Result result = cleaner.get().clean(chosen.log(), chosen.firstDirtyOffset(), chosen.firstUncleanableOffset());
            passes.incrementAndGet();
            bytesRead.addAndGet(result.bytesRead());
            bytesWritten.addAndGet(result.bytesWritten());
            if (result.swapped() && knownLogs.get(tp) == chosen.log()) {
                cleanedOffsets.put(tp, result.endOffset());
                pendingHorizons.put(tp, result.nextDeleteHorizonMs());
                writeCheckpoints();
            }
            log.info("Cleaned {} up to offset {}: {} of {} records kept, {} bytes read, {} written (dirty ratio was {})", tp,
                    result.endOffset(), result.recordsRetained(), result.recordsRead(), result.bytesRead(),
                    result.bytesWritten(), String.format("%.2f", chosen.dirtyRatio()));
            return Optional.of(result);
        } catch (Cleaner.CleanerStoppedException | InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            if (chosen.log().isClosed()) {
                log.debug("{} was closed while it was being cleaned", tp);
            } else {
                uncleanable.add(tp);
                log.error("Cleaning {} failed; it is not cleaned again until the broker restarts", tp, e);
            }
            return Optional.empty();
        } finally {
            inProgress.remove(tp);
        }
    }

    private synchronized CleaningDecision choose() {
        long now = time.milliseconds();
        CleaningDecision best = null;
        Set<TopicPartition> present = new java.util.HashSet<>();
        for (PartitionLog l : logs.get()) {
            TopicPartition tp = l.topicPartition();
            present.add(tp);
            PartitionLog previous = knownLogs.put(tp, l);
            if (previous != null && previous != l) {
                cleanedOffsets.remove(tp); // deleted and created again: nothing of the new log is clean
                pendingHorizons.remove(tp);
            }
            long truncated = l.takeTruncationPoint();
            if (truncated != Long.MAX_VALUE) {
                cleanedOffsets.computeIfPresent(tp, (k, v) -> Math.min(v, truncated));
            }
            if (!l.config().compact() || inProgress.contains(tp) || uncleanable.contains(tp) || l.isClosed()) {
                continue;
            }
            CleaningDecision d = CleaningDecision.assess(l, cleanedOffsets.getOrDefault(tp, l.logStartOffset()),
                    pendingHorizons.getOrDefault(tp, Long.MAX_VALUE), now);
            if (d.shouldClean() && (best == null || d.priority() > best.priority())) {
                best = d;
            }
        }
        knownLogs.keySet().retainAll(present);
        cleanedOffsets.keySet().retainAll(present);
        pendingHorizons.keySet().retainAll(present);
        if (best != null) {
            inProgress.add(best.log().topicPartition());
        }
        return best;
    }

    private synchronized void writeCheckpoints() {
        Map<Path, Map<TopicPartition, Long>> byDir = new HashMap<>();
        checkpoints.keySet().forEach(d -> byDir.put(d, new HashMap<>()));
        for (PartitionLog l : knownLogs.values()) {
            Long offset = cleanedOffsets.get(l.topicPartition());
            Map<TopicPartition, Long> m = byDir.get(l.dir().getParent());
            if (offset != null && m != null) {
                m.put(l.topicPartition(), offset);
            }
        }
        byDir.forEach((dir, offsets) -> checkpoints.get(dir).write(offsets));
    }

    /**
     * Cleans the compacted log most in need now, on the calling thread, with a key map of its own: for
     * tools and benchmarks (the threads of {@link #start()} do this by themselves).
     *
     * @return whether a log was cleaned
     */
    public boolean cleanOnceNow() throws InterruptedException {
        return cleanOnce(this::newCleaner).isPresent();
    }

    /** The offset below which {@code tp} is clean, as checkpointed; empty when never cleaned. */
    public Optional<Long> cleanedOffset(TopicPartition tp) {
        return Optional.ofNullable(cleanedOffsets.get(tp));
    }

    /** Cleaning passes completed since start. */
    public long passes() {
        return passes.get();
    }

    /** Bytes read and written by the passes since start. */
    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Makes idle threads look for work now instead of after their backoff. */
    public void wakeup() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    @Override
    public void close() {
        stopping = true;
        wakeup();
        for (Thread t : threads) {
            try {
                t.join(60_000);
                if (t.isAlive()) {
                    log.warn("Log cleaner thread {} did not stop within 60 s", t.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
    }
}
