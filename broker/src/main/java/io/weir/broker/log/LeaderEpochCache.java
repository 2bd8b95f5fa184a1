package io.weir.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * Which leader epoch wrote which offsets: for every epoch the first offset it appended. A follower
 * asks its leader where its own latest epoch ended (OffsetsForLeaderEpoch) and truncates what
 * diverges. Persisted in {@code leader-epoch-checkpoint} in the partition directory, in Kafka's
 * format, rewritten atomically on every change (epochs change rarely):
 *
 * <pre>
 * 0            version
 * 2            number of entries
 * 0 0          epoch, start offset
 * 3 1500
 * </pre>
 *
 * Invariant: epochs and start offsets both strictly increase. Truncating the log truncates this
 * cache with it. Thread-safe (synchronized); called under the log's append lock.
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    /** No such epoch / offset, as in the OffsetsForLeaderEpoch protocol. */
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1L;

    /** An epoch and the offset its leader ended at (exclusive). */
    public record EpochEnd(int epoch, long endOffset) {
    }

    private final Path file;
    private final TreeMap<Integer, Long> starts = new TreeMap<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** Loads the cache of a partition directory (empty when the file is missing). */
    public static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE_NAME));
        try {
            List<String> lines = Files.readAllLines(cache.file, StandardCharsets.UTF_8);
            if (lines.size() >= 2) {
                int n = Integer.parseInt(lines.get(1).trim());
                for (int i = 0; i < n && i + 2 < lines.size(); i++) {
                    String[] parts = lines.get(i + 2).trim().split(" ");
                    cache.starts.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                }
            }
        } catch (NoSuchFileException e) {
            // a new log, or one written before epochs were tracked
        } catch (IOException | RuntimeException e) {
            throw new KafkaStorageException("Cannot read " + cache.file + ": " + e, e);
        }
        return cache;
    }

    /** An empty cache that is never persisted (tests). */
    public static LeaderEpochCache inMemory() {
        return new LeaderEpochCache(null);
    }

    /**
     * Records that {@code epoch} wrote from {@code startOffset}, when it is newer than the latest
     * known epoch. Older epochs (replicated history already known) are ignored.
     */
    public synchronized void assign(int epoch, long startOffset) {
        if (epoch < 0) {
            return;
        }
        Map.Entry<Integer, Long> last = starts.lastEntry();
        if (last != null && epoch <= last.getKey()) {
            return;
        }
        // a start offset at or before an earlier epoch's start means that history was truncated away
        starts.values().removeIf(start -> start >= startOffset);
        starts.put(epoch, startOffset);
        persist();
    }

    /** The latest epoch, or {@link #UNDEFINED_EPOCH}. */
    public synchronized int latestEpoch() {
        return starts.isEmpty() ? UNDEFINED_EPOCH : starts.lastKey();
    }

    /**
     * Where {@code requestedEpoch} ended, as a leader answers OffsetsForLeaderEpoch (Kafka's rule):
     * <ul>
     *   <li>the largest known epoch not above the request, and the start of the next known epoch
     *       (or {@code logEndOffset} when it is the latest);</li>
     *   <li>for a request older than every known epoch (this log's history begins later, e.g. a
     *       replica elected uncleanly that never had those epochs): the requested epoch itself and the
     *       start offset of the first known epoch, since whatever the asker wrote in that epoch can
     *       only be kept below the point where this log's known history begins;</li>
     *   <li>{@code (UNDEFINED_EPOCH, UNDEFINED_OFFSET)} when the request is undefined or no epoch is
     *       known at all.</li>
     * </ul>
     */
    public synchronized EpochEnd endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH || starts.isEmpty()) {
            return new EpochEnd(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        }
        Map.Entry<Integer, Long> floor = starts.floorEntry(requestedEpoch);
        if (floor == null) {
            return new EpochEnd(requestedEpoch, starts.firstEntry().getValue());
        }
        Map.Entry<Integer, Long> next = starts.higherEntry(floor.getKey());
        return new EpochEnd(floor.getKey(), next == null ? logEndOffset : next.getValue());
    }

    /** Forgets the epochs that start at or after {@code offset} (the log was truncated there). */
    public synchronized void truncateFromEnd(long offset) {
        if (starts.values().removeIf(start -> start >= offset)) {
            persist();
        }
    }

    /**
     * The log now begins at {@code offset} (retention or DeleteRecords removed its head): epochs that
     * ended before it are forgotten, and the epoch holding it starts there, so that answers never point
     * below the log start. The latest epoch is always kept.
     */
    public synchronized void truncateFromStart(long offset) {
        Map.Entry<Integer, Long> holder = null; // the latest epoch starting at or before offset (starts only grow)
        for (Map.Entry<Integer, Long> e : starts.entrySet()) {
            if (e.getValue() > offset) {
                break;
            }
            holder = e;
        }
        if (holder == null) {
            return; // every known epoch starts after the new log start
        }
        int epoch = holder.getKey();
        if (starts.headMap(epoch, false).isEmpty() && holder.getValue() == offset) {
            return;
        }
        starts.headMap(epoch, false).clear();
        starts.put(epoch, offset);
        persist();
    }

    /** Forgets everything (the log was emptied). */
    public synchronized void clear() {
        if (!starts.isEmpty()) {
            starts.clear();
            persist();
        }
    }

    /** The entries, oldest first. */
    public synchronized List<EpochEnd> entries() {
        List<EpochEnd> out = new ArrayList<>();
        starts.forEach((e, s) -> out.add(new EpochEnd(e, s)));
        return out;
    }

    private void persist() {
        if (file == null || !Files.isDirectory(file.getParent())) {
            return;
        }
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        StringBuilder text = new StringBuilder("0\n").append(starts.size()).append('\n');
        starts.forEach((e, s) -> text.append(e).append(' ').append(s).append('\n'));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot write " + file + ": " + e, e);
        }
    }
}
