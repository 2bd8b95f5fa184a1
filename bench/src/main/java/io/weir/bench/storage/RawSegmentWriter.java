package io.weir.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw ceiling for appends: positional sequential writes with a plain {@link FileChannel},
 * into files that roll at the same size as the engine's segments, opened with the same options.
 * No validation, no indexes, no locks; what is left is the cost the engine cannot avoid.
 * Not thread-safe.
 */
public final class RawSegmentWriter implements AutoCloseable {
    private final Path dir;
    private final int segmentBytes;
    private final List<FileChannel> channels = new ArrayList<>();
    private FileChannel active;
    private long position;

    public RawSegmentWriter(Path dir, int segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        roll();
    }

    /** Writes all of {@code src} at the end of the current file, starting a new file first when it would not fit. */
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (position > 0 && position + n > segmentBytes) {
            roll();
        }
        try {
            while (src.hasRemaining()) {
                position += active.write(src, position);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** fdatasync of the current file, as the engine's log flush does. */
    public void force() {
        try {
            active.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void roll() {
        Path file = dir.resolve(String.format("%020d.raw", channels.size()));
        try {
            active = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + file, e);
        }
        channels.add(active);
        position = 0;
    }

    /** Closes the files without syncing them (the caller deletes them). */
    @Override
    public void close() {
        for (FileChannel ch : channels) {
            try {
                // drop the data so that closing never waits on writeback of bytes nobody wants
                ch.truncate(0);
                ch.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        channels.clear();
    }
}
