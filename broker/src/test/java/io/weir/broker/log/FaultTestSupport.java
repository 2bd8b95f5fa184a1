package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Shared pieces of the storage fault tests: a small-segment configuration, a scheduler that holds
 * its tasks, reading a log back batch by batch as stored, and copying or damaging segment files.
 */
final class FaultTestSupport {
    static final TopicPartition TP = new TopicPartition("faults", 0);
    static final long T0 = 1_700_000_000_000L;

    private FaultTestSupport() {
    }

    /** Small segments and dense indexes: a few kilobytes of batches span several segments and index entries. */
    static LogConfig smallSegments(int segmentBytes) {
        return LogConfig.defaults()
                .with(LogConfig.SEGMENT_BYTES, segmentBytes)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 128)
                .with(LogConfig.INDEX_SIZE_MAX_BYTES, 4096);
    }

    /** Batch {@code i} of a test log: 1–4 records "b{i}-…" of varying length, all stamped {@code T0 + 10 i}. */
    static MemoryRecords testBatch(int i) {
        String prefix = "b" + i + "-" + "x".repeat((i * 13) % 70);
        return TestRecords.batch(prefix, 1 + i % 4, T0 + 10L * i);
    }

    /** A batch as stored: where it lies and its exact bytes. */
    record StoredBatch(long baseOffset, long lastOffset, Path file, long position, byte[] bytes) {
        long end() {
            return position + bytes.length;
        }

        MutableRecordBatch decode() {
            return MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator().next();
        }

        List<String> values() {
            List<String> out = new ArrayList<>();
            for (Record r : decode()) {
                out.add(StandardCharsets.UTF_8.decode(r.value()).toString());
            }
            return out;
        }
    }

    /**
     * Every batch from the log start to the log end, read one at a time through the public read path.
     * Asserts along the way that the log is well formed: each batch passes its CRC and starts right
     * after the previous one, the first at the log start and the last ending at the log end.
     */
    static List<StoredBatch> batches(PartitionLog log) {
        List<StoredBatch> out = new ArrayList<>();
        long next = log.logStartOffset();
        long end = log.logEndOffset();
        while (next < end) {
            FetchDataInfo info = log.read(next, 1, true);
            assertThat(info.isEmpty()).as("%s: no batch at offset %d below the log end %d", log, next, end).isFalse();
            FileSlice slice = info.records();
            ByteBuffer buf = slice.readAll();
            byte[] bytes = new byte[buf.remaining()];
            buf.duplicate().get(bytes);
            Iterator<MutableRecordBatch> it = MemoryRecords.readableRecords(buf).batches().iterator();
            assertThat(it.hasNext()).as("%s: a whole batch at offset %d", log, next).isTrue();
            MutableRecordBatch batch = it.next();
            assertThat(batch.sizeInBytes()).as("%s: batch at %d fills the slice", log, next).isEqualTo(bytes.length);
            assertThat(batch.baseOffset()).as("%s: batch after offset %d", log, next - 1).isEqualTo(next);
            assertThat(batch.isValid()).as("%s: CRC of the batch at offset %d", log, next).isTrue();
            out.add(new StoredBatch(batch.baseOffset(), batch.lastOffset(), slice.file(), slice.position(), bytes));
            next = batch.lastOffset() + 1;
        }
        assertThat(next).as("%s: the last batch ends at the log end", log).isEqualTo(end);
        assertThat(log.read(end, 1024, true).isEmpty()).as("%s: nothing readable at the log end", log).isTrue();
        return out;
    }

    /** Asserts that {@code actual} holds exactly the first {@code keep} of {@code expected}, byte for byte and in place. */
    static void assertSamePrefix(List<StoredBatch> actual, List<StoredBatch> expected, int keep, String context) {
        assertThat(actual).as("%s: batches kept", context).hasSize(keep);
        for (int i = 0; i < keep; i++) {
            StoredBatch a = actual.get(i);
            StoredBatch e = expected.get(i);
            assertThat(a.baseOffset()).as("%s: base offset of batch %d", context, i).isEqualTo(e.baseOffset());
            assertThat(a.lastOffset()).as("%s: last offset of batch %d", context, i).isEqualTo(e.lastOffset());
            assertThat(a.file().getFileName()).as("%s: segment of batch %d", context, i).isEqualTo(e.file().getFileName());
            assertThat(a.position()).as("%s: position of batch %d", context, i).isEqualTo(e.position());
            assertThat(a.bytes()).as("%s: bytes of batch %d (offset %d)", context, i, e.baseOffset()).isEqualTo(e.bytes());
        }
    }

    /** The {@code .log} files of a partition directory, oldest first. */
    static List<Path> logFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> LogFileNames.baseOffsetOf(p.getFileName().toString(), LogFileNames.LOG_SUFFIX).isPresent())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files of a partition directory held in memory, to be written back over a working copy
     * before each damage-and-recover round. Rewriting files in place is much cheaper than creating
     * new ones, which matters when a test recovers a log hundreds of times.
     */
    static final class PartitionSnapshot {
        private final Map<String, byte[]> files = new TreeMap<>();

        PartitionSnapshot(Path dir) {
            try (Stream<Path> list = Files.list(dir)) {
                for (Path f : list.toList()) {
                    if (Files.isRegularFile(f)) {
                        files.put(f.getFileName().toString(), Files.readAllBytes(f));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Makes {@code dir} hold exactly the snapshot's files and bytes; returns {@code dir}. */
        Path restoreTo(Path dir) {
            try {
                Files.createDirectories(dir);
                try (Stream<Path> list = Files.list(dir)) {
                    for (Path f : list.toList()) {
                        if (!files.containsKey(f.getFileName().toString())) {
                            Files.delete(f);
                        }
                    }
                }
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    try (FileChannel ch = FileChannel.open(dir.resolve(e.getKey()), StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE)) {
                        ByteBuffer buf = ByteBuffer.wrap(e.getValue());
                        while (buf.hasRemaining()) {
                            ch.write(buf, buf.position());
                        }
                        ch.truncate(e.getValue().length);
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static void truncate(Path file, long length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void append(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** XORs the byte at {@code position} with {@code mask}. */
    static void flip(Path file, long position, int mask) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ mask));
            b.rewind();
            ch.write(b, position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readAllBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A scheduler that runs nothing by itself: tasks (the background fsync after a roll, delayed file
     * deletion) wait until the test calls {@link #runHeld()}, so no background thread races a fault.
     */
    static final class HeldTasksScheduler implements Scheduler {
        private final List<Runnable> held = new CopyOnWriteArrayList<>();

        @Override
        public ScheduledFuture<?> scheduleOnce(String name, Runnable task, long delayMs) {
            held.add(task);
            return null;
        }

        @Override
        public ScheduledFuture<?> schedulePeriodic(String name, Runnable task, long delayMs, long periodMs) {
            return null;
        }

        void runHeld() {
            List<Runnable> tasks = new ArrayList<>(held);
            held.removeAll(tasks);
            tasks.forEach(Runnable::run);
        }

        @Override
        public void close() {
            held.clear();
        }
    }
}
