package io.weir.broker.log;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of one segment: relative offset → file position of the record batch
 * that starts at that offset. One entry is added every {@code log.index.interval.bytes} of log.
 *
 * <p>Entry format (8 bytes, big-endian): {@code int relativeOffset} (batch base offset minus the
 * segment's base offset), {@code int position} (byte position of the batch in the .log file).
 * Both strictly increase from one entry to the next. Thread-safety: see {@link MappedIndex}.
 */
final class OffsetIndex extends MappedIndex {
    static final int ENTRY_SIZE = 8;

    OffsetIndex(Path file, long baseOffset, int maxIndexSize) {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    @Override
    protected long key(MappedByteBuffer buf, int n) {
        return buf.getInt(n * ENTRY_SIZE);
    }

    private static int position(MappedByteBuffer buf, int n) {
        return buf.getInt(n * ENTRY_SIZE + 4);
    }

    /**
     * The entry with the largest offset at most {@code targetOffset}, or {@code (baseOffset, 0)} when
     * there is none: the place to start scanning for the batch that holds {@code targetOffset}.
     */
    OffsetPosition lookup(long targetOffset) {
        MappedByteBuffer buf = mmap;
        int n = entries;
        int slot = floorSlot(buf, n, targetOffset - baseOffset);
        if (slot < 0) {
            return new OffsetPosition(baseOffset, 0);
        }
        return new OffsetPosition(baseOffset + key(buf, slot), position(buf, slot));
    }

    /** The entry at slot {@code n}. */
    OffsetPosition entry(int n) {
        MappedByteBuffer buf = mmap;
        return new OffsetPosition(baseOffset + key(buf, n), position(buf, n));
    }

    /** The last entry, or {@code (baseOffset, 0)} when empty. */
    OffsetPosition lastEntry() {
        int n = entries;
        return n == 0 ? new OffsetPosition(baseOffset, 0) : entry(n - 1);
    }

    /** Appends {@code offset → position}; both must exceed the last entry's. */
    synchronized void append(long offset, int position) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit index " + file() + " with base " + baseOffset);
        }
        int n = entries;
        if (n > 0) {
            OffsetPosition last = entry(n - 1);
            if (offset <= last.offset() || position <= last.position()) {
                throw new IllegalArgumentException("Index entry " + offset + "@" + position + " is not after the last entry "
                        + last + " in " + file());
            }
        }
        int slot = nextSlot();
        MappedByteBuffer buf = mmap;
        buf.putInt(slot, (int) relative);
        buf.putInt(slot + 4, position);
        publish();
    }

    /** Removes every entry for an offset at or after {@code offset}. */
    synchronized void truncateTo(long offset) {
        MappedByteBuffer buf = mmap;
        int slot = floorSlot(buf, entries, offset - baseOffset - 1);
        truncateToEntries(slot + 1);
    }

    @Override
    String sanityCheck(long logSize) {
        MappedByteBuffer buf = mmap;
        int n = entries;
        long prevOffset = -1;
        long prevPosition = -1;
        for (int i = 0; i < n; i++) {
            long rel = key(buf, i);
            int pos = position(buf, i);
            if (rel <= prevOffset || pos <= prevPosition) {
                return "entry " + i + " (" + (baseOffset + rel) + "@" + pos + ") is not after entry " + (i - 1);
            }
            if (pos >= logSize) {
                return "entry " + i + " points at position " + pos + " beyond the log size " + logSize;
            }
            prevOffset = rel;
            prevPosition = pos;
        }
        return null;
    }
}
