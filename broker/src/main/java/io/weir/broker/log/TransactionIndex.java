package io.weir.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * The aborted-transaction index of one segment ({@code <base>.txnindex}): one entry per ABORT marker
 * stored in the segment, in log order. Kafka's format, so a Kafka tool reads it:
 *
 * <pre>
 * entry (34 bytes, big-endian): int16 version = 0, int64 producerId, int64 firstOffset,
 *                               int64 lastOffset (the marker), int64 lastStableOffset
 * </pre>
 *
 * The file is derived data: the log rebuilds it from the segment's batches when it is missing or
 * disagrees with them (see {@link PartitionLog}), so it is never fsynced on its own. The entries are
 * also held in memory (a segment rarely holds many aborts), which read_committed fetches search.
 *
 * <p>Thread-safe: appends and rewrites come from the log under its append lock; reads copy a
 * snapshot under this object's monitor.
 */
final class TransactionIndex {
    static final int ENTRY_SIZE = 34;
    private static final short VERSION = 0;

    private volatile Path file;
    private final List<AbortedTxn> entries = new ArrayList<>();

    private TransactionIndex(Path file) {
        this.file = file;
    }

    /** Opens the index at {@code file}, reading the entries it holds (a torn last entry is ignored). */
    static TransactionIndex open(Path file) {
        TransactionIndex index = new TransactionIndex(file);
        if (Files.exists(file)) {
            index.entries.addAll(read(file));
        }
        return index;
    }

    private static List<AbortedTxn> read(Path file) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
            List<AbortedTxn> out = new ArrayList<>();
            while (buf.remaining() >= ENTRY_SIZE) {
                short version = buf.getShort();
                AbortedTxn t = new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
                if (version != VERSION) {
                    return List.of(); // unknown: the log rebuilds it
                }
                out.add(t);
            }
            return out;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read transaction index " + file + ": " + e, e);
        }
    }

    Path file() {
        return file;
    }

    synchronized List<AbortedTxn> entries() {
        return List.copyOf(entries);
    }

    /** Adds an entry at the end (an ABORT marker was appended to the segment). */
    synchronized void append(AbortedTxn txn) {
        entries.add(txn);
        write(List.of(txn), StandardOpenOption.APPEND);
    }

    /** Replaces every entry (a rebuild from the segment's batches); a no-op when they are the same. */
    synchronized void reset(List<AbortedTxn> rebuilt) {
        if (rebuilt.equals(entries) && (Files.exists(file) || rebuilt.isEmpty())) {
            return;
        }
        entries.clear();
        entries.addAll(rebuilt);
        if (rebuilt.isEmpty()) {
            deleteIfExists();
        } else {
            write(rebuilt, StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    /** Removes the entries of aborts at or after {@code offset} (the log is truncated there). */
    synchronized void truncateTo(long offset) {
        List<AbortedTxn> kept = entries.stream().filter(t -> t.lastOffset() < offset).toList();
        if (kept.size() != entries.size()) {
            reset(kept);
        }
    }

    /**
     * Adds to {@code out} the aborted transactions that overlap [{@code fetchOffset}, {@code upperBound}).
     *
     * @return whether the search may stop: an entry's last stable offset reaches {@code upperBound}
     */
    synchronized boolean collect(long fetchOffset, long upperBound, List<AbortedTxn> out) {
        for (AbortedTxn t : entries) {
            if (t.lastOffset() >= fetchOffset && t.firstOffset() < upperBound) {
                out.add(t);
            }
            if (t.lastStableOffset() >= upperBound) {
                return true;
            }
        }
        return false;
    }

    private void write(List<AbortedTxn> txns, StandardOpenOption mode) {
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_SIZE * txns.size());
        for (AbortedTxn t : txns) {
            buf.putShort(VERSION).putLong(t.producerId()).putLong(t.firstOffset()).putLong(t.lastOffset())
                    .putLong(t.lastStableOffset());
        }
        buf.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot write transaction index " + file + ": " + e, e);
        }
    }

    /** fsyncs the file, when there is one. */
    synchronized void flush() {
        if (entries.isEmpty() || !Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot fsync transaction index " + file + ": " + e, e);
        }
    }

    synchronized void renameTo(Path target) throws IOException {
        if (Files.exists(file)) {
            Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        file = target;
    }

    synchronized void deleteIfExists() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot delete transaction index " + file + ": " + e, e);
        }
    }
}
