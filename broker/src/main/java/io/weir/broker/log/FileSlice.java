package io.weir.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * A byte range of a segment file: whole record batches as stored (the last one may be cut at a
 * read's byte limit, as Kafka's fetch allows). The network layer sends it with
 * {@link FileChannel#transferTo} (sendfile, the zero-copy path) or reads it into memory.
 *
 * <p>The channel belongs to the segment: a slice never closes it. A segment deleted by retention
 * keeps its channel open for {@code log.segment.delete.delay.ms}, so a slice handed out just
 * before remains readable while it is being sent. Immutable and thread-safe (positional I/O only).
 */
public record FileSlice(Path file, FileChannel channel, long position, int size) {

    public static FileSlice empty(Path file, FileChannel channel) {
        return new FileSlice(file, channel, 0, 0);
    }

    /** Copies the slice into a new heap buffer (flipped, ready to read). */
    public ByteBuffer readAll() {
        return readInto(ByteBuffer.allocate(size));
    }

    /**
     * Copies the slice into {@code buf} from its position (it must have {@link #size()} bytes remaining),
     * then flips it: for readers that reuse one buffer instead of allocating per read.
     */
    public ByteBuffer readInto(ByteBuffer buf) {
        if (buf.remaining() < size) {
            throw new IllegalArgumentException("Buffer has " + buf.remaining() + " bytes left for a " + size + "-byte slice of " + file);
        }
        buf.limit(buf.position() + size);
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw new KafkaStorageException("Unexpected end of " + file + " at position " + pos
                            + " while reading " + size + " bytes from " + position);
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read " + size + " bytes at position " + position + " of " + file + ": " + e, e);
        }
        return buf.flip();
    }

    /**
     * Sends up to {@code count} bytes starting {@code offset} bytes into the slice, by {@code transferTo}.
     *
     * @return the bytes transferred, possibly fewer than asked (non-blocking targets)
     */
    public long transferTo(WritableByteChannel target, long offset, long count) throws IOException {
        long n = Math.min(count, size - offset);
        return channel.transferTo(position + offset, n, target);
    }
}
