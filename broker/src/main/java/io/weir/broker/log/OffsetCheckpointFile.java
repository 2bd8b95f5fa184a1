package io.weir.broker.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * A per-directory file of one offset per partition (recovery points, log start offsets), in Kafka's
 * checkpoint format:
 *
 * <pre>
 * 0                   version
 * 2                   number of entries
 * orders 0 1234       topic, partition, offset
 * orders 1 987
 * </pre>
 *
 * Written atomically: to {@code <name>.tmp}, fsynced, renamed over the old file, and the directory
 * fsynced, so a crash leaves either the old or the new file, never a torn one. Thread-safe
 * (writes serialize on the instance).
 */
public final class OffsetCheckpointFile {
    private static final int VERSION = 0;

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized void write(Map<TopicPartition, Long> offsets) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 BufferedWriter writer = new BufferedWriter(new java.io.OutputStreamWriter(
                         java.nio.channels.Channels.newOutputStream(channel), StandardCharsets.UTF_8))) {
                writer.write(VERSION + "\n" + offsets.size() + "\n");
                for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                    writer.write(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue() + "\n");
                }
                writer.flush();
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot write checkpoint " + file + ": " + e, e);
        }
    }

    /**
     * Reads the file; an absent file is an empty map.
     *
     * @throws KafkaStorageException naming the file and line when it is malformed
     */
    public synchronized Map<TopicPartition, Long> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot read checkpoint " + file + ": " + e, e);
        }
        if (lines.size() < 2) {
            throw malformed(1, "missing version or entry count");
        }
        if (!lines.get(0).trim().equals(String.valueOf(VERSION))) {
            throw malformed(1, "unsupported version '" + lines.get(0) + "'");
        }
        int count;
        try {
            count = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            throw malformed(2, "entry count '" + lines.get(1) + "' is not a number");
        }
        if (lines.size() - 2 != count) {
            throw malformed(2, "declares " + count + " entries, holds " + (lines.size() - 2));
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (int i = 2; i < lines.size(); i++) {
            String[] parts = lines.get(i).trim().split(" ");
            if (parts.length != 3) {
                throw malformed(i + 1, "expected 'topic partition offset', found '" + lines.get(i) + "'");
            }
            try {
                offsets.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                throw malformed(i + 1, "bad number in '" + lines.get(i) + "'");
            }
        }
        return offsets;
    }

    private KafkaStorageException malformed(int line, String problem) {
        return new KafkaStorageException("Malformed checkpoint " + file + " at line " + line + ": " + problem);
    }

    /** fsyncs a directory so that a rename or a new file in it survives a crash. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
