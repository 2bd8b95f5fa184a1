package io.weir.bench.storage;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.LogSegment;
import io.weir.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Offset lookup latency: {@code PartitionLog.read(randomOffset, 1, true)}, which finds the segment
 * (skip-list floor), the nearest sparse-index entry (binary search of the mapped index) and then
 * reads batch headers from there until the batch holding the offset. The log holds {@code records}
 * 100-byte records in ~16 KiB batches across several {@code segmentBytes} segments; offsets are
 * drawn uniformly from a fixed-seed sequence.
 *
 * <p>Raw baseline: one positional 61-byte {@code FileChannel} read (a batch header) at a random
 * position of a random segment file, into a reused heap buffer: the one system call a lookup
 * cannot avoid. All data is in the page cache (written and fsynced in the trial setup).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class OffsetLookupBench {
    static final int RECORD_SIZE = 100;
    private static final int HEADER_BYTES = 61;
    private static final int PROBES = 1 << 16;

    @Param({"1000000"})
    public int records;

    @Param({"33554432"})
    public int segmentBytes;

    private BenchLog bench;
    private final long[] offsets = new long[PROBES];
    private FileChannel[] files;
    private final int[] probeFile = new int[PROBES];
    private final long[] probePosition = new long[PROBES];
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    private int next;

    @Setup(Level.Trial)
    public void writeLog() throws IOException {
        bench = BenchLog.create("lookup", segmentBytes, false);
        PartitionLog log = bench.log();
        ProducerBatch batch = ProducerBatch.of(RECORD_SIZE, false);
        while (log.logEndOffset() < records) {
            log.appendAsLeader(batch.view(), 0);
        }
        log.flush(log.logEndOffset());
        List<LogSegment> segments = log.segments();
        files = new FileChannel[segments.size()];
        long[] sizes = new long[segments.size()];
        for (int i = 0; i < files.length; i++) {
            files[i] = FileChannel.open(segments.get(i).file(), StandardOpenOption.READ);
            sizes[i] = files[i].size();
        }
        SplittableRandom random = new SplittableRandom(42);
        long end = log.logEndOffset();
        for (int i = 0; i < PROBES; i++) {
            offsets[i] = random.nextLong(end);
            probeFile[i] = random.nextInt(files.length);
            probePosition[i] = random.nextLong(sizes[probeFile[i]] - HEADER_BYTES);
        }
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException {
        for (FileChannel ch : files) {
            ch.close();
        }
        bench.close();
    }

    @Benchmark
    public FetchDataInfo weir() {
        int i = next++ & (PROBES - 1);
        return bench.log().read(offsets[i], 1, true);
    }

    @Benchmark
    public int raw() throws IOException {
        int i = next++ & (PROBES - 1);
        header.clear();
        return files[probeFile[i]].read(header, probePosition[i]);
    }
}
