package io.weir.broker.log;

import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The process {@link CrashRecoveryIT} kills with SIGKILL. It opens a {@link LogManager} with group
 * commit and small segments, and on each of {@code threads} threads per partition appends batches
 * with content derived from (partition, thread, sequence number), one after the other. Only after
 * {@link PartitionLog#awaitDurable} completed does it print
 *
 * <pre>ACK &lt;partition&gt; &lt;thread&gt; &lt;seq&gt; &lt;firstOffset&gt; &lt;lastOffset&gt; &lt;crc32 of the values&gt; END</pre>
 *
 * as one write to stdout, so a line cut by the kill lacks its {@code END} and is ignored. Any
 * failure prints {@code ERROR …} and exits with status 3.
 *
 * <p>Usage: {@code CrashWriter <log dir> <partitions> <threads per partition> <record bytes>}; with
 * {@code record bytes} 0 the records are small (up to a few hundred bytes), otherwise about that
 * large, so that a batch takes one long write(2) which the kill may cut short.
 */
public final class CrashWriter {
    static final String TOPIC = "crash";
    private static final long T0 = 1_700_000_000_000L;
    private static final FileOutputStream STDOUT = new FileOutputStream(FileDescriptor.out);

    private CrashWriter() {
    }

    /** The configuration of the writer and of the test that recovers its directory. */
    static LogManagerConfig config(Path logDir, int recordBytes) {
        LogConfig log = LogConfig.fromBrokerProperties(Map.of(
                LogConfig.SEGMENT_BYTES, Math.max(8192, recordBytes * 20),
                LogConfig.INDEX_INTERVAL_BYTES, 256,
                LogConfig.INDEX_SIZE_MAX_BYTES, 4096,
                LogConfig.GROUP_COMMIT_ENABLE, true));
        // recovery points are checkpointed every 200 ms: the restart trusts the segments below and scans the rest
        return new LogManagerConfig(List.of(logDir), 1, 300_000L, Long.MAX_VALUE, 200L, 200L, log);
    }

    /** The record values of batch {@code seq} of {@code thread} on {@code partition}: 1–5 records of varying length. */
    static List<String> values(int partition, int thread, long seq, int recordBytes) {
        int count = 1 + (int) ((seq * 7 + thread) % 5);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int fill = recordBytes + (int) ((seq * 31 + i * 17L + thread * 5L) % 200);
            char c = (char) ('a' + (seq + i) % 26);
            out.add("p" + partition + "-t" + thread + "-s" + seq + "-r" + i + "-" + String.valueOf(c).repeat(fill));
        }
        return out;
    }

    static long timestamp(long seq) {
        return T0 + seq;
    }

    static long crc(List<String> values) {
        CRC32 crc = new CRC32();
        for (String v : values) {
            crc.update(v.getBytes(StandardCharsets.UTF_8));
        }
        return crc.getValue();
    }

    static MemoryRecords batch(int partition, int thread, long seq, int recordBytes) {
        List<String> values = values(partition, thread, seq, recordBytes);
        ByteBuffer buf = ByteBuffer.allocate(512 + values.stream().mapToInt(v -> v.length() + 32).sum());
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        for (String v : values) {
            b.append(timestamp(seq), ("t" + thread + "-s" + seq).getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: CrashWriter <log dir> <partitions> <threads per partition> <record bytes>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int partitions = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int recordBytes = Integer.parseInt(args[3]);
        ThreadPoolScheduler scheduler = new ThreadPoolScheduler("crash-writer-scheduler", 2);
        LogManager manager = new LogManager(config(dir, recordBytes), Time.SYSTEM, scheduler);
        manager.startup();
        List<Thread> appenders = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            PartitionLog log = manager.getOrCreateLog(new TopicPartition(TOPIC, p));
            for (int t = 0; t < threads; t++) {
                int partition = p;
                int thread = t;
                appenders.add(new Thread(() -> appendForever(log, partition, thread, recordBytes), "appender-" + p + "-" + t));
            }
        }
        appenders.forEach(Thread::start);
        for (Thread t : appenders) {
            t.join();
        }
    }

    private static void appendForever(PartitionLog log, int partition, int thread, int recordBytes) {
        try {
            for (long seq = 0; ; seq++) {
                LogAppendInfo info = log.appendAsLeader(batch(partition, thread, seq, recordBytes), 0);
                log.awaitDurable(info).get();
                print("ACK " + partition + " " + thread + " " + seq + " " + info.firstOffset() + " " + info.lastOffset() + " "
                        + crc(values(partition, thread, seq, recordBytes)) + " END");
            }
        } catch (Throwable e) {
            print("ERROR partition " + partition + " thread " + thread + ": " + e.toString().replace('\n', ' '));
            e.printStackTrace();
            System.exit(3);
        }
    }

    /** One write(2) per line: a pipe write this small is atomic, so lines never interleave. */
    private static void print(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (STDOUT) {
            try {
                STDOUT.write(bytes);
            } catch (IOException e) {
                System.exit(4); // the test is gone
            }
        }
    }
}
