package io.weir.broker.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory and brings it to a consistent state.
 *
 * <ol>
 *   <li>An interrupted cleaner swap is settled first: {@code *.cleaned} files (a cleaned segment not yet
 *       complete) are removed, leaving the segments they were to replace; a {@code <base>.log.swap} (complete
 *       and fsynced) replaces every segment whose base offset lies in [base, its next offset), its own
 *       indexes are dropped (they are rebuilt) and it takes the plain name.</li>
 *   <li>Left-overs are cleared: {@code *.deleted} files (segments deleted before the stop) are
 *       removed, an index without its {@code .log} is removed (indexes are derived data), and any
 *       other file is left alone and named in a warning.</li>
 *   <li>After an unclean stop, every segment from the one holding the recovery point onwards is
 *       scanned batch by batch with CRC checks ({@link LogSegment#recover}); the first torn or corrupt
 *       batch ends the log: the file is cut there and later segments are deleted. Data below the
 *       recovery point was fsynced and is trusted.</li>
 *   <li>After a clean stop, indexes are checked against their logs; an index that is missing or
 *       inconsistent is rebuilt from its log.</li>
 *   <li>Producer state comes from the newest valid producer-state snapshot at or below the first
 *       segment recovered or re-indexed here (every snapshot after a clean stop with sound indexes),
 *       and the batches after it (see {@link PartitionLog}); left-over {@code .snapshot.tmp} files are
 *       removed.</li>
 * </ol>
 *
 * Used once per partition, by one thread.
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    private final Path dir;
    private final TopicPartition tp;
    private final LogConfig config;
    private final LogEnvironment env;
    /**
     * The base of the first segment this load recovered or re-indexed: producer-state snapshots above it
     * are not used, so that its aborted-transaction index is rebuilt from its batches.
     */
    private long snapshotLimit = Long.MAX_VALUE;

    LogLoader(Path dir, TopicPartition tp, LogConfig config, LogEnvironment env) {
        this.dir = dir;
        this.tp = tp;
        this.config = config;
        this.env = env;
    }

    PartitionLog load(long checkpointedRecoveryPoint, long checkpointedLogStart, boolean hadCleanShutdown) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot create log directory " + dir + " for " + tp + ": " + e, e);
        }
        completeInterruptedSwaps();
        TreeSet<Long> bases = new TreeSet<>();
        TreeSet<Long> missingIndexes = new TreeSet<>();
        scanDirectory(bases, missingIndexes);

        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        try {
            for (long base : bases) {
                segments.put(base, LogSegment.open(dir, base, config, env.time(), env.opener()));
            }
            if (segments.isEmpty()) {
                long start = Math.max(0, checkpointedLogStart);
                segments.put(start, LogSegment.open(dir, start, config, env.time(), env.opener()));
            }
            if (hadCleanShutdown) {
                checkIndexes(segments.values(), segments, missingIndexes);
            } else {
                recover(segments, checkpointedRecoveryPoint, missingIndexes);
            }
        } catch (RuntimeException e) {
            segments.values().forEach(LogSegment::close);
            throw e;
        }
        LogSegment active = segments.lastEntry().getValue();
        active.resumeAppends();
        long logEnd = active.readNextOffset();
        long logStart = Math.min(Math.max(checkpointedLogStart, segments.firstKey()), logEnd);
        PartitionLog partitionLog = new PartitionLog(dir, tp, config, env, segments, logStart, logEnd, snapshotLimit);
        PartitionLog.ProducerStateLoad producers = partitionLog.lastProducerStateLoad();
        log.info("Loaded {} from {}: {} segment(s), offsets {}..{}, {} shutdown, producer state from {} and {} batch(es)", tp,
                dir, segments.size(), logStart, logEnd, hadCleanShutdown ? "clean" : "unclean",
                producers.snapshotOffset() < 0 ? "no snapshot" : "the snapshot at offset " + producers.snapshotOffset(),
                producers.replayedBatches());
        return partitionLog;
    }

    private void completeInterruptedSwaps() {
        List<Long> swaps = new ArrayList<>();
        List<Path> otherSwapFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFileNames.CLEANED_SUFFIX)) {
                    log.info("Deleting {} of {}: a cleaned segment the cleaner did not finish", file, tp);
                    Files.deleteIfExists(file);
                } else if (name.endsWith(LogFileNames.SWAP_SUFFIX)) {
                    String plain = name.substring(0, name.length() - LogFileNames.SWAP_SUFFIX.length());
                    OptionalLong base = LogFileNames.baseOffsetOf(plain, LogFileNames.LOG_SUFFIX);
                    if (base.isPresent()) {
                        swaps.add(base.getAsLong());
                    } else {
                        otherSwapFiles.add(file);
                    }
                }
            }
            for (Path file : otherSwapFiles) {
                Files.deleteIfExists(file); // a swap segment's index: rebuilt from its log
            }
            for (long base : swaps) {
                completeSwap(base);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot settle the cleaner's files in " + dir + " of " + tp + ": " + e, e);
        }
    }

    private void completeSwap(long base) throws IOException {
        Path swap = LogFileNames.logFile(dir, base).resolveSibling(LogFileNames.baseName(base) + LogFileNames.LOG_SUFFIX
                + LogFileNames.SWAP_SUFFIX);
        long next = nextOffsetOf(swap, base);
        List<Long> replaced = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + LogFileNames.LOG_SUFFIX)) {
            for (Path file : files) {
                OptionalLong b = LogFileNames.baseOffsetOf(file.getFileName().toString(), LogFileNames.LOG_SUFFIX);
                if (b.isPresent() && b.getAsLong() >= base && (b.getAsLong() < next || b.getAsLong() == base)) {
                    replaced.add(b.getAsLong());
                }
            }
        }
        for (long b : replaced) {
            Files.deleteIfExists(LogFileNames.logFile(dir, b));
        }
        for (long b : replaced) {
            Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, b));
            Files.deleteIfExists(LogFileNames.timeIndexFile(dir, b));
            Files.deleteIfExists(LogFileNames.txnIndexFile(dir, b));
        }
        Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, base));
        Files.deleteIfExists(LogFileNames.timeIndexFile(dir, base));
        Files.deleteIfExists(LogFileNames.txnIndexFile(dir, base));
        Files.move(swap, LogFileNames.logFile(dir, base), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        OffsetCheckpointFile.fsyncDirectory(dir);
        log.info("Completed an interrupted cleaner swap in {}: segment {} replaces segments {}", tp, base, replaced);
    }

    /** The offset after the last whole batch of a swap file (written and fsynced whole by the cleaner). */
    private static long nextOffsetOf(Path file, long base) throws IOException {
        long next = base;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(BatchHeader.SIZE);
            long position = 0;
            long size = ch.size();
            while (position + BatchHeader.SIZE <= size) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, position + buf.position()) >= 0) {
                    // read the header fully
                }
                BatchHeader h = BatchHeader.read(buf, 0);
                if (h.sizeInBytes() < BatchHeader.SIZE) {
                    break;
                }
                next = h.lastOffset() + 1;
                position += h.sizeInBytes();
            }
        }
        return next;
    }

    private void scanDirectory(TreeSet<Long> bases, TreeSet<Long> missingIndexes) {
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                OptionalLong base;
                if (name.endsWith(LogFileNames.DELETED_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if ((base = LogFileNames.baseOffsetOf(name, LogFileNames.LOG_SUFFIX)).isPresent()) {
                    bases.add(base.getAsLong());
                } else if (LogFileNames.baseOffsetOf(name, LogFileNames.INDEX_SUFFIX).isPresent()
                        || LogFileNames.baseOffsetOf(name, LogFileNames.TIME_INDEX_SUFFIX).isPresent()
                        || LogFileNames.baseOffsetOf(name, LogFileNames.TXN_INDEX_SUFFIX).isPresent()) {
                    indexes.add(file);
                } else if (ProducerSnapshotFile.offsetOf(name).isPresent()) {
                    continue; // read by the log itself
                } else if (name.endsWith(ProducerSnapshotFile.TMP_SUFFIX)) {
                    log.info("Deleting {} of {}: a producer-state snapshot whose writing was interrupted", file, tp);
                    Files.deleteIfExists(file);
                } else if (name.equals(LeaderEpochCache.FILE_NAME) || name.equals(LeaderEpochCache.FILE_NAME + ".tmp")) {
                    continue; // read by the log itself
                } else {
                    log.warn("Ignoring foreign file {} in the log directory of {}", file, tp);
                }
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot list log directory " + dir + " of " + tp + ": " + e, e);
        }
        for (Path index : indexes) {
            String name = index.getFileName().toString();
            long base = LogFileNames.baseOffsetOf(name, LogFileNames.INDEX_SUFFIX)
                    .orElseGet(() -> LogFileNames.baseOffsetOf(name, LogFileNames.TIME_INDEX_SUFFIX)
                            .orElseGet(() -> LogFileNames.baseOffsetOf(name, LogFileNames.TXN_INDEX_SUFFIX).getAsLong()));
            if (!bases.contains(base)) {
                log.warn("Deleting index {} of {}: its segment file {} is missing", index, tp, LogFileNames.logFile(dir, base));
                try {
                    Files.deleteIfExists(index);
                } catch (IOException e) {
                    throw new KafkaStorageException("Cannot delete orphaned index " + index + ": " + e, e);
                }
            }
        }
        for (long base : bases) {
            if (!Files.exists(LogFileNames.offsetIndexFile(dir, base)) || !Files.exists(LogFileNames.timeIndexFile(dir, base))) {
                missingIndexes.add(base);
            }
        }
    }

    /** Checks the indexes of {@code toCheck} (some of {@code segments}), rebuilding those found wanting. */
    private void checkIndexes(java.util.Collection<LogSegment> toCheck, ConcurrentSkipListMap<Long, LogSegment> segments,
                              TreeSet<Long> missingIndexes) {
        for (LogSegment segment : toCheck) {
            String problem = missingIndexes.contains(segment.baseOffset()) && segment.size() > 0
                    ? "index file missing" : segment.sanityCheckIndexes();
            if (problem != null) {
                log.warn("Rebuilding the indexes of {} ({}): {}", segment.file(), tp, problem);
                snapshotLimit = Math.min(snapshotLimit, segment.baseOffset());
                segment.recover(config.maxMessageBytes());
                finishSegment(segments, segment);
            } else {
                segment.loadState();
            }
        }
    }

    private void recover(ConcurrentSkipListMap<Long, LogSegment> segments, long recoveryPoint, TreeSet<Long> missingIndexes) {
        Long from = segments.floorKey(recoveryPoint);
        if (from == null) {
            from = segments.firstKey();
        }
        snapshotLimit = Math.min(snapshotLimit, from);
        // judged against the whole map, so a rebuilt segment below the recovery point is trimmed as the inactive one it is
        checkIndexes(List.copyOf(segments.headMap(from, false).values()), segments, missingIndexes);
        long previousEnd = -1;
        List<Map.Entry<Long, LogSegment>> toScan = new ArrayList<>(segments.tailMap(from, true).entrySet());
        for (int i = 0; i < toScan.size(); i++) {
            LogSegment segment = toScan.get(i).getValue();
            if (previousEnd > segment.baseOffset()) {
                throw new KafkaStorageException("Segment " + segment.file() + " of " + tp + " starts at offset "
                        + segment.baseOffset() + ", inside the previous segment which ends at " + previousEnd);
            }
            int cut = segment.recover(config.maxMessageBytes());
            previousEnd = segment.readNextOffset();
            boolean last = i == toScan.size() - 1;
            if (cut > 0 && !last) {
                for (Map.Entry<Long, LogSegment> later : toScan.subList(i + 1, toScan.size())) {
                    log.warn("Deleting segment {} of {}: it follows corrupt data in {}", later.getValue().file(), tp,
                            segment.file());
                    segments.remove(later.getKey());
                    later.getValue().delete();
                }
                break;
            }
            if (segments.lastKey() != segment.baseOffset()) {
                finishSegment(segments, segment);
            }
        }
        // the recovered bytes were in the page cache only; make them durable before trusting them
        for (LogSegment segment : segments.tailMap(from, true).values()) {
            segment.flush();
        }
    }

    /** A rebuilt segment that is not the last one gets its final time-index entry and trimmed indexes. */
    private static void finishSegment(ConcurrentSkipListMap<Long, LogSegment> segments, LogSegment segment) {
        if (segments.lastKey() != segment.baseOffset()) {
            segment.onBecomeInactive();
        }
    }
}
