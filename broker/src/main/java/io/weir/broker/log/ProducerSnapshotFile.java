package io.weir.broker.log;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * Producer-state snapshot files of a partition directory: {@code <20-digit offset>.snapshot} holds the
 * {@link ProducerStateImage} taken when the log ended at that offset. A snapshot is written when a
 * segment rolls (at the new segment's base offset) and when the log closes cleanly, so that loading a
 * log replays only the batches after its newest snapshot instead of every batch of every segment.
 *
 * <pre>
 * file (big-endian):
 *   int16  version = 1
 *   int32  CRC-32C of every byte after this field
 *   int64  offset (the same as in the file name)
 *   int32  producer count, then per producer:
 *            int64 producerId, int16 epoch, int32 coordinatorEpoch, int64 lastTimestamp,
 *            int64 currentTxnFirstOffset (-1: none), int8 batch count (0..5), then per batch:
 *              int32 firstSequence, int32 lastSequence, int64 firstOffset, int64 lastOffset
 *   int32  unreplicated transaction count, then per transaction: int64 markerOffset, int64 firstOffset
 * </pre>
 *
 * A file is written as {@code .snapshot.tmp}, fsynced, renamed atomically to its name and the directory
 * fsynced, so a snapshot under its final name is always whole; a left-over {@code .tmp} is deleted at load.
 * A file that is short, too long, of another version or fails its CRC is {@link CorruptSnapshotException}:
 * the loader skips it with a warning and falls back to an older snapshot or the full scan.
 *
 * <p>Stateless: every method takes the directory.
 */
final class ProducerSnapshotFile {
    static final String SUFFIX = ".snapshot";
    static final String TMP_SUFFIX = SUFFIX + ".tmp";
    static final short VERSION = 1;
    private static final int HEADER_SIZE = 2 + 4;
    private static final int PRODUCER_SIZE = 8 + 2 + 4 + 8 + 8 + 1;
    private static final int BATCH_SIZE = 4 + 4 + 8 + 8;

    /** A snapshot file that cannot be trusted. */
    static final class CorruptSnapshotException extends Exception {
        CorruptSnapshotException(String message) {
            super(message);
        }
    }

    private ProducerSnapshotFile() {
    }

    static Path file(Path dir, long offset) {
        return dir.resolve(LogFileNames.baseName(offset) + SUFFIX);
    }

    /** The offset a snapshot file name stands for, if it is one. */
    static OptionalLong offsetOf(String fileName) {
        return LogFileNames.baseOffsetOf(fileName, SUFFIX);
    }

    /** Writes {@code image} durably to {@code <offset>.snapshot} in {@code dir}, replacing a file of that name. */
    static void write(Path dir, ProducerStateImage image) {
        Path target = file(dir, image.offset());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        ByteBuffer buf = serialize(image);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            OffsetCheckpointFile.fsyncDirectory(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the loader deletes it
            }
            throw new KafkaStorageException("Cannot write producer-state snapshot " + target + ": " + e, e);
        }
    }

    static ByteBuffer serialize(ProducerStateImage image) {
        int size = HEADER_SIZE + 8 + 4 + 4 + image.unreplicated().size() * 16;
        for (ProducerStateImage.Producer p : image.producers()) {
            size += PRODUCER_SIZE + p.batches().size() * BATCH_SIZE;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VERSION).putInt(0);
        buf.putLong(image.offset()).putInt(image.producers().size());
        for (ProducerStateImage.Producer p : image.producers()) {
            buf.putLong(p.producerId()).putShort(p.epoch()).putInt(p.coordinatorEpoch()).putLong(p.lastTimestamp())
                    .putLong(p.currentTxnFirstOffset()).put((byte) p.batches().size());
            for (ProducerStateManager.BatchMetadata b : p.batches()) {
                buf.putInt(b.firstSequence()).putInt(b.lastSequence()).putLong(b.firstOffset()).putLong(b.lastOffset());
            }
        }
        buf.putInt(image.unreplicated().size());
        for (Map.Entry<Long, Long> e : image.unreplicated().entrySet()) {
            buf.putLong(e.getKey()).putLong(e.getValue());
        }
        buf.putInt(2, crc(buf.array(), HEADER_SIZE, size - HEADER_SIZE));
        return buf.rewind();
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    /**
     * Reads the snapshot at {@code file}.
     *
     * @throws CorruptSnapshotException when it is truncated, of an unknown version, fails its CRC or is inconsistent
     * @throws KafkaStorageException    when it cannot be read at all
     */
    static ProducerStateImage read(Path file) throws CorruptSnapshotException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read producer-state snapshot " + file + ": " + e, e);
        }
        return parse(bytes, file.getFileName().toString());
    }

    static ProducerStateImage parse(byte[] bytes, String name) throws CorruptSnapshotException {
        if (bytes.length < HEADER_SIZE + 8 + 4 + 4) {
            throw new CorruptSnapshotException(name + ": " + bytes.length + " bytes, too short for a snapshot");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        short version = buf.getShort();
        if (version != VERSION) {
            throw new CorruptSnapshotException(name + ": unknown version " + version);
        }
        int storedCrc = buf.getInt();
        int actualCrc = crc(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE);
        if (storedCrc != actualCrc) {
            throw new CorruptSnapshotException(name + ": CRC mismatch (stored " + Integer.toHexString(storedCrc)
                    + ", computed " + Integer.toHexString(actualCrc) + ")");
        }
        try {
            long offset = buf.getLong();
            int count = buf.getInt();
            if (count < 0 || (long) count * PRODUCER_SIZE > buf.remaining()) {
                throw new CorruptSnapshotException(name + ": implausible producer count " + count);
            }
            List<ProducerStateImage.Producer> producers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long producerId = buf.getLong();
                short epoch = buf.getShort();
                int coordinatorEpoch = buf.getInt();
                long lastTimestamp = buf.getLong();
                long txnFirst = buf.getLong();
                int batchCount = buf.get();
                if (batchCount < 0 || batchCount > ProducerStateManager.CACHED_BATCHES) {
                    throw new CorruptSnapshotException(name + ": producer " + producerId + " has " + batchCount + " batches");
                }
                List<ProducerStateManager.BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int b = 0; b < batchCount; b++) {
                    batches.add(new ProducerStateManager.BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong()));
                }
                producers.add(new ProducerStateImage.Producer(producerId, epoch, coordinatorEpoch, lastTimestamp, txnFirst,
                        batches));
            }
            int unreplicatedCount = buf.getInt();
            if (unreplicatedCount < 0 || (long) unreplicatedCount * 16 != buf.remaining()) {
                throw new CorruptSnapshotException(name + ": " + unreplicatedCount + " unreplicated transactions do not fill the "
                        + buf.remaining() + " bytes left");
            }
            TreeMap<Long, Long> unreplicated = new TreeMap<>();
            for (int i = 0; i < unreplicatedCount; i++) {
                unreplicated.put(buf.getLong(), buf.getLong());
            }
            return new ProducerStateImage(offset, producers, unreplicated);
        } catch (BufferUnderflowException e) {
            throw new CorruptSnapshotException(name + ": ends in the middle of an entry");
        }
    }

    /** The snapshot files in {@code dir} by offset (left-over {@code .tmp} files are not listed). */
    static NavigableMap<Long, Path> list(Path dir) {
        NavigableMap<Long, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                offsetOf(f.getFileName().toString()).ifPresent(o -> out.put(o, f));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot list producer-state snapshots in " + dir + ": " + e, e);
        }
        return out;
    }

    /**
     * Deletes the snapshots whose offset is below {@code from} or above {@code to}.
     *
     * @return the offsets deleted
     */
    static List<Long> deleteOutside(Path dir, long from, long to) {
        List<Long> deleted = new ArrayList<>();
        for (Map.Entry<Long, Path> e : list(dir).entrySet()) {
            if (e.getKey() < from || e.getKey() > to) {
                delete(e.getValue());
                deleted.add(e.getKey());
            }
        }
        if (!deleted.isEmpty()) {
            // a deleted snapshot must not come back after a crash: the log may grow past its offset with other batches
            try {
                OffsetCheckpointFile.fsyncDirectory(dir);
            } catch (IOException e) {
                throw new KafkaStorageException("Cannot fsync directory " + dir + " after deleting snapshots: " + e, e);
            }
        }
        return deleted;
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot delete producer-state snapshot " + file + ": " + e, e);
        }
    }
}
