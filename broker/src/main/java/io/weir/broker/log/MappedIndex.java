package io.weir.broker.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * A memory-mapped file of fixed-size entries sorted by key, the common part of {@link OffsetIndex}
 * and {@link TimeIndex}.
 *
 * <p>File format: {@code entries × entrySize} bytes, big-endian, no header. While a segment is
 * active its index file is preallocated to {@code maxIndexSize} (sparse) and mapped whole; when
 * the segment becomes inactive or is closed, the file is trimmed to exactly its entries. After a
 * crash an active index may therefore hold trailing zero entries: {@link #sanityCheck} rejects it
 * and the segment rebuilds it from the log.
 *
 * <p>Threading: one writer at a time (the partition's append lock); readers may search
 * concurrently without locking. {@code entries} is volatile and written after the entry bytes, so
 * a reader never sees a half-written entry. The mapping is only replaced by {@link #resize}, which
 * keeps every entry below {@code entries} readable in the old mapping (an old mapping is never
 * forcibly unmapped; the garbage collector releases it).
 */
abstract class MappedIndex implements Closeable {
    protected final long baseOffset;
    private final int entrySize;
    private final int maxIndexSize;
    private volatile Path file;
    protected volatile MappedByteBuffer mmap;
    protected volatile int entries;
    private volatile int maxEntries;

    MappedIndex(Path file, long baseOffset, int maxIndexSize, int entrySize) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxIndexSize = maxIndexSize;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long existing = raf.length();
            int existingEntries = (int) (existing / entrySize);
            long mapped = Math.max(roundDown(maxIndexSize), (long) existingEntries * entrySize);
            raf.setLength(mapped);
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, mapped);
            this.entries = existingEntries;
            this.maxEntries = (int) (mapped / entrySize);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot open index file " + file + ": " + e, e);
        }
    }

    private int roundDown(int size) {
        return size - size % entrySize;
    }

    Path file() {
        return file;
    }

    int entries() {
        return entries;
    }

    boolean isFull() {
        return entries >= maxEntries;
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Bytes the entries occupy. */
    long sizeInBytes() {
        return (long) entries * entrySize;
    }

    /** Reserves the next slot and returns its byte position; the caller writes it, then {@link #publish}es. */
    protected int nextSlot() {
        if (isFull()) {
            throw new IllegalStateException("Index " + file + " is full (" + entries + " entries)");
        }
        return entries * entrySize;
    }

    protected void publish() {
        entries = entries + 1;
    }

    /**
     * Binary search over {@code [0, n)} for the last slot whose key is at most {@code target};
     * -1 when every key is larger or there are no entries.
     */
    protected int floorSlot(MappedByteBuffer buf, int n, long target) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (key(buf, mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The sort key of slot {@code n}. */
    protected abstract long key(MappedByteBuffer buf, int n);

    /** Keeps only the first {@code keep} entries, zeroing the rest so a crash cannot resurrect them. */
    protected synchronized void truncateToEntries(int keep) {
        int old = entries;
        if (keep >= old) {
            return;
        }
        entries = keep;
        MappedByteBuffer buf = mmap;
        for (int i = keep * entrySize; i < old * entrySize; i++) {
            buf.put(i, (byte) 0);
        }
    }

    /** Drops every entry. */
    synchronized void reset() {
        truncateToEntries(0);
    }

    /** Shrinks the file to its entries: called when the segment becomes inactive and at close. */
    synchronized void trimToValidSize() {
        resize((long) entries * entrySize);
    }

    private void resize(long newSize) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            mmap.force();
            raf.setLength(newSize);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, newSize);
            maxEntries = (int) (newSize / entrySize);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot resize index file " + file + " to " + newSize + " bytes: " + e, e);
        }
    }

    /** Makes a full (trimmed) index writable again, e.g. after the log was truncated back into this segment. */
    synchronized void ensureWritable() {
        if (maxEntries * (long) entrySize < roundDown(maxIndexSize)) {
            resize(Math.max(roundDown(maxIndexSize), (long) entries * entrySize));
        }
    }

    void flush() {
        mmap.force();
    }

    /** Renames the file (to mark it deleted, for example); the mapping stays valid. */
    void renameTo(Path target) throws IOException {
        Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // replaces a left-over target
        file = target;
    }

    void deleteIfExists() throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * Checks that keys strictly increase and that values stay below {@code logSize}.
     *
     * @return null when consistent, otherwise a description of the first problem
     */
    abstract String sanityCheck(long logSize);

    @Override
    public synchronized void close() {
        trimToValidSize();
    }
}
