package io.weir.bench.provider;

import io.weir.jms.client.PartitionProgress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Acknowledgement bookkeeping ({@code io.weir.jms.client.PartitionProgress}), paid under the consumer
 * engine's lock for every delivered message and on every commit:
 * <ul>
 *   <li>{@code deliverAndConsumeInOrder}: per message, {@code recordDelivery} then {@code consume} at the base
 *       (AUTO_ACKNOWLEDGE on a queue without a selector); per {@value #BATCH} messages;</li>
 *   <li>{@code consumeAboveGap}: per message, {@code consume} above a gap (a selector left every other message
 *       for another consumer), then the gap filled: the offsets above travel in the commit metadata;</li>
 *   <li>{@code encodeCommitMetadata}: the commit's metadata string with {@value #GAPS} gaps above the base and
 *       pending delivery counts; {@code restore}: parsing it back (on every partition assignment).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PartitionProgressBench {

    static final int BATCH = 1000;
    static final int GAPS = 50;

    private long next;
    private PartitionProgress progress;
    private PartitionProgress withGaps;
    private String metadata;

    @Setup(Level.Iteration)
    public void setUp() {
        next = 1_000_000L;
        progress = new PartitionProgress(next);
        withGaps = new PartitionProgress(0);
        for (int i = 0; i < GAPS; i++) {
            long o = 1 + i * 3L;
            withGaps.consume(o);
            withGaps.consume(o + 1);
            withGaps.recordDelivery(o + 2);
        }
        withGaps.recordDelivery(0);
        metadata = withGaps.encodeAbove();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long deliverAndConsumeInOrder() {
        PartitionProgress p = progress;
        for (int i = 0; i < BATCH; i++) {
            long o = next++;
            p.recordDelivery(o);
            p.consume(o);
        }
        return p.base();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long consumeAboveGap() {
        PartitionProgress p = new PartitionProgress(next);
        for (int i = 1; i < BATCH; i += 2) {
            p.consume(next + i);
        }
        for (int i = 0; i < BATCH; i += 2) {
            p.consume(next + i);
        }
        next += BATCH;
        return p.base();
    }

    @Benchmark
    public String encodeCommitMetadata() {
        return withGaps.encodeAbove();
    }

    @Benchmark
    public PartitionProgress restore() {
        return PartitionProgress.restore(0, metadata);
    }
}
