package io.weir.broker.log;

import static io.weir.broker.log.FaultTestSupport.batches;
import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.log.FaultTestSupport.StoredBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing broker process with SIGKILL and proves that recovery keeps every acknowledged
 * batch. A separate JVM runs {@link CrashWriter}: group commit on, small segments, appenders that
 * print an acknowledgement only after the batch was fsynced. After a number of acknowledgements
 * and a random extra moment the process is killed ({@link ProcessHandle#destroyForcibly()} is SIGKILL
 * on Linux); the test then opens the directory in-process, without a clean-shutdown marker, and checks:
 *
 * <ul>
 *   <li>offsets run from 0 to the log end with no gap and no duplicate, every batch whole and CRC-valid;</li>
 *   <li>every stored batch is exactly one batch the writer built, and each writer thread's batches
 *       appear in its own order without a hole;</li>
 *   <li>every acknowledged batch is there, at the acknowledged offsets, with the acknowledged content;</li>
 *   <li>the log end is at least the last acknowledged offset + 1;</li>
 *   <li>appends continue after recovery, and a clean stop and reopen keeps everything.</li>
 * </ul>
 *
 * A kill leaves the page cache intact, so this exercises the recovery path (preallocated indexes,
 * no marker, stale recovery-point checkpoints) rather than torn writes; those are covered byte by
 * byte in {@link TornTailRecoveryTest}.
 */
class CrashRecoveryIT {
    private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) END");
    /** How long to wait for the acknowledgements wanted before killing anyway; never a reason to fail. */
    private static final Duration MAX_WRITE_TIME = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void singleWriterKilledWhileAppending() throws Exception {
        crashAndRecover(1, 1, 0, 500);
    }

    @Test
    void concurrentWritersOnThreePartitionsKilledWhileAppending() throws Exception {
        crashAndRecover(3, 2, 0, 900);
    }

    @Test
    void writerKilledRightAfterItsFirstAcknowledgements() throws Exception {
        crashAndRecover(2, 2, 0, 3);
    }

    /** Batches of a few hundred kilobytes: the kill may cut a write(2) short and leave a torn batch. */
    @Test
    void writerOfLargeBatchesKilledWhileAppending() throws Exception {
        crashAndRecover(2, 1, 64 * 1024, 40);
    }

    private record Ack(int partition, int thread, long seq, long firstOffset, long lastOffset, long crc) {
    }

    private void crashAndRecover(int partitions, int threads, int recordBytes, int acksBeforeKill) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dataDir = tmp.resolve("data");
        Path stderr = tmp.resolve("writer-stderr.txt");
        String scenario = partitions + " partition(s) x " + threads + " writer(s), records of " + recordBytes
                + "+ bytes, seed " + seed;

        ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch enough = new CountDownLatch(acksBeforeKill);
        Process writer = startWriter(dataDir, partitions, threads, recordBytes, stderr);
        Thread reader = new Thread(() -> readAcks(writer, acks, errors, enough), "crash-writer-stdout");
        reader.start();
        long extraMillis = random.nextInt(200);
        try {
            enough.await(MAX_WRITE_TIME.toMillis(), TimeUnit.MILLISECONDS);
            Thread.sleep(extraMillis); // the kill lands at a random point of an append, fsync or roll
            assertThat(writer.isAlive()).as("%s: the writer died by itself: %s %s", scenario, errors, tail(stderr)).isTrue();
        } finally {
            // SIGKILL through the process handle: Process.destroyForcibly() would also close our end of its
            // stdout and lose the acknowledgements still in the pipe
            writer.toHandle().destroyForcibly();
            assertThat(writer.waitFor(10, TimeUnit.SECONDS)).as("the killed writer exits").isTrue();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(errors).as(scenario).isEmpty();
        assertThat(acks).as("%s: acknowledgements before the kill; writer stderr: %s", scenario, tail(stderr)).isNotEmpty();
        assertThat(dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).as("a killed broker leaves no clean-shutdown marker")
                .doesNotExist();

        long bytesOnDisk = logBytes(dataDir);
        long bytesRecovered = 0;
        Map<TopicPartition, List<StoredBatch>> recovered = new HashMap<>();
        ThreadPoolScheduler scheduler = new ThreadPoolScheduler("crash-recovery-it", 1);
        try {
            LogManager manager = new LogManager(CrashWriter.config(dataDir, recordBytes), new MockTime(), scheduler);
            manager.startup();
            try {
                for (int p = 0; p < partitions; p++) {
                    TopicPartition tp = new TopicPartition(CrashWriter.TOPIC, p);
                    PartitionLog log = manager.getLog(tp).orElseThrow(() -> new AssertionError("no log for " + tp));
                    bytesRecovered += log.size();
                    List<StoredBatch> stored = batches(log); // contiguous from the log start to the log end, CRCs valid
                    assertThat(log.logStartOffset()).isZero();
                    assertWriterBatches(p, threads, recordBytes, stored, scenario);
                    assertAcknowledgedPresent(p, recordBytes, acks, stored, log.logEndOffset(), scenario);
                    LogAppendInfo after = log.appendAsLeader(CrashWriter.batch(p, 99, 0, 0), 0);
                    assertThat(after.firstOffset()).as("%s: appends continue at the recovered log end", scenario)
                            .isEqualTo(stored.isEmpty() ? 0 : stored.get(stored.size() - 1).lastOffset() + 1);
                    assertThat(log.awaitDurable(after)).succeedsWithin(Duration.ofSeconds(10));
                    recovered.put(tp, batches(log));
                }
            } finally {
                manager.close();
            }
            assertThat(dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).exists();

            LogManager reopened = new LogManager(CrashWriter.config(dataDir, recordBytes), new MockTime(), scheduler);
            reopened.startup();
            try {
                for (Map.Entry<TopicPartition, List<StoredBatch>> e : recovered.entrySet()) {
                    List<StoredBatch> again = batches(reopened.getLog(e.getKey()).orElseThrow());
                    FaultTestSupport.assertSamePrefix(again, e.getValue(), e.getValue().size(), scenario + ", clean reopen");
                }
            } finally {
                reopened.close();
            }
        } finally {
            scheduler.close();
        }
        System.out.printf("CrashRecoveryIT %s: %d acks, killed %d ms after %d; recovery cut %d bytes; recovered %s%n",
                scenario, acks.size(), extraMillis, acksBeforeKill, bytesOnDisk - bytesRecovered, summary(recovered));
    }

    /** Each stored batch is one the writer built; per thread the sequence numbers run 0, 1, 2, … with no hole. */
    private static void assertWriterBatches(int partition, int threads, int recordBytes, List<StoredBatch> stored,
                                            String scenario) {
        Map<Integer, Long> nextSeq = new HashMap<>();
        for (StoredBatch b : stored) {
            List<String> values = b.values();
            Matcher m = Pattern.compile("p(\\d+)-t(\\d+)-s(\\d+)-r0-.*").matcher(values.get(0));
            assertThat(m.matches()).as("%s: batch at offset %d holds writer content: %s", scenario, b.baseOffset(), values.get(0))
                    .isTrue();
            int p = Integer.parseInt(m.group(1));
            int thread = Integer.parseInt(m.group(2));
            long seq = Long.parseLong(m.group(3));
            assertThat(p).as("%s: partition of batch at offset %d", scenario, b.baseOffset()).isEqualTo(partition);
            assertThat(thread).isBetween(0, threads - 1);
            assertThat(values).as("%s: content of batch at offset %d", scenario, b.baseOffset())
                    .isEqualTo(CrashWriter.values(p, thread, seq, recordBytes));
            assertThat(b.decode().maxTimestamp()).isEqualTo(CrashWriter.timestamp(seq));
            long expected = nextSeq.getOrDefault(thread, 0L);
            assertThat(seq).as("%s: writer %d's batch at offset %d follows its previous one", scenario, thread, b.baseOffset())
                    .isEqualTo(expected);
            nextSeq.put(thread, seq + 1);
        }
    }

    private static void assertAcknowledgedPresent(int partition, int recordBytes, Iterable<Ack> acks, List<StoredBatch> stored,
                                                  long logEnd, String scenario) {
        Map<Long, StoredBatch> byBase = new HashMap<>();
        stored.forEach(b -> byBase.put(b.baseOffset(), b));
        long lastAcked = -1;
        for (Ack ack : acks) {
            if (ack.partition() != partition) {
                continue;
            }
            StoredBatch b = byBase.get(ack.firstOffset());
            assertThat(b).as("%s: acknowledged %s is in the log", scenario, ack).isNotNull();
            assertThat(b.lastOffset()).as("%s: %s", scenario, ack).isEqualTo(ack.lastOffset());
            List<String> values = b.values();
            assertThat(values).as("%s: content of %s", scenario, ack).isEqualTo(CrashWriter.values(partition, ack.thread(), ack.seq(), recordBytes));
            assertThat(CrashWriter.crc(values)).as("%s: checksum of %s", scenario, ack).isEqualTo(ack.crc());
            lastAcked = Math.max(lastAcked, ack.lastOffset());
        }
        assertThat(logEnd).as("%s: log end of partition %d", scenario, partition).isGreaterThan(lastAcked);
    }

    private static Process startWriter(Path dataDir, int partitions, int threads, int recordBytes, Path stderr)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, CrashWriter.class.getName(), dataDir.toString(), String.valueOf(partitions),
                String.valueOf(threads), String.valueOf(recordBytes));
        pb.redirectError(stderr.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    private static void readAcks(Process writer, ConcurrentLinkedQueue<Ack> acks, ConcurrentLinkedQueue<String> errors,
                                 CountDownLatch enough) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    acks.add(new Ack(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
                    enough.countDown();
                } else if (line.startsWith("ERROR")) {
                    errors.add(line);
                } // else: a line cut by the kill (no END), or JVM chatter
            }
        } catch (IOException e) {
            errors.add("reading the writer's output failed: " + e);
        }
    }

    /** Bytes in all segment files under {@code dataDir}. */
    private static long logBytes(Path dataDir) throws IOException {
        try (var files = Files.walk(dataDir)) {
            long total = 0;
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(LogFileNames.LOG_SUFFIX)).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            String s = Files.readString(file);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String summary(Map<TopicPartition, List<StoredBatch>> recovered) {
        List<String> parts = new ArrayList<>();
        recovered.forEach((tp, batches) -> parts.add(tp + ": " + batches.size() + " batches, log end "
                + (batches.isEmpty() ? 0 : batches.get(batches.size() - 1).lastOffset() + 1)));
        parts.sort(null);
        return String.join("; ", parts);
    }
}
