package io.weir.broker.log;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The sparse time index of one segment: the largest timestamp seen so far → base offset of the first
 * batch that carried it. An entry is added alongside offset-index entries whenever the segment's
 * maximum timestamp has grown, and once more when the segment becomes inactive, so the last entry
 * holds the segment's largest timestamp.
 *
 * <p>Entry format (12 bytes, big-endian): {@code long timestamp}, {@code int relativeOffset}. Both
 * strictly increase. Because an entry {@code (t, o)} names the first batch whose timestamp reached
 * {@code t}, every batch before offset {@code o} holds only timestamps below {@code t}: a search for
 * the first record at or after timestamp {@code T} may start at the entry with the largest
 * {@code t <= T}. Thread-safety: see {@link MappedIndex}.
 */
final class TimeIndex extends MappedIndex {
    static final int ENTRY_SIZE = 12;

    TimeIndex(Path file, long baseOffset, int maxIndexSize) {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    @Override
    protected long key(MappedByteBuffer buf, int n) {
        return buf.getLong(n * ENTRY_SIZE);
    }

    private long offset(MappedByteBuffer buf, int n) {
        return baseOffset + buf.getInt(n * ENTRY_SIZE + 8);
    }

    /** The entry with the largest timestamp at most {@code timestamp}, or {@code (NO_TIMESTAMP, baseOffset)}. */
    TimestampOffset lookup(long timestamp) {
        MappedByteBuffer buf = mmap;
        int slot = floorSlot(buf, entries, timestamp);
        if (slot < 0) {
            return new TimestampOffset(RecordBatch.NO_TIMESTAMP, baseOffset);
        }
        return new TimestampOffset(key(buf, slot), offset(buf, slot));
    }

    /** The last entry, or {@code (NO_TIMESTAMP, baseOffset)} when empty. */
    TimestampOffset lastEntry() {
        MappedByteBuffer buf = mmap;
        int n = entries;
        return n == 0 ? new TimestampOffset(RecordBatch.NO_TIMESTAMP, baseOffset)
                : new TimestampOffset(key(buf, n - 1), offset(buf, n - 1));
    }

    /** Appends an entry when {@code timestamp} exceeds the last one; returns whether it did. */
    synchronized boolean maybeAppend(long timestamp, long offset) {
        int n = entries;
        if (n > 0) {
            TimestampOffset last = lastEntry();
            if (timestamp <= last.timestamp()) {
                return false;
            }
            if (offset <= last.offset()) {
                // timestamp grew inside an already indexed batch: the entry cannot move backwards
                return false;
            }
        }
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit time index " + file() + " with base " + baseOffset);
        }
        int slot = nextSlot();
        MappedByteBuffer buf = mmap;
        buf.putLong(slot, timestamp);
        buf.putInt(slot + 8, (int) relative);
        publish();
        return true;
    }

    /** Removes every entry for an offset at or after {@code offset}. */
    synchronized void truncateTo(long offset) {
        MappedByteBuffer buf = mmap;
        int n = entries;
        int keep = n;
        while (keep > 0 && offset(buf, keep - 1) >= offset) {
            keep--;
        }
        truncateToEntries(keep);
    }

    @Override
    String sanityCheck(long logSize) {
        MappedByteBuffer buf = mmap;
        int n = entries;
        long prevTs = Long.MIN_VALUE;
        long prevOffset = -1;
        for (int i = 0; i < n; i++) {
            long ts = key(buf, i);
            long off = offset(buf, i);
            if (ts <= prevTs || off <= prevOffset) {
                return "entry " + i + " (" + ts + " -> " + off + ") is not after entry " + (i - 1);
            }
            if (off < baseOffset) {
                return "entry " + i + " (" + ts + " -> " + off + ") is below the base offset " + baseOffset;
            }
            prevTs = ts;
            prevOffset = off;
        }
        return null;
    }
}
