package io.weir.bench.broker;

import io.weir.broker.share.AckType;
import io.weir.broker.share.AcquiredRange;
import io.weir.broker.share.SharePartitionState;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The bookkeeping of one share-partition ({@link SharePartitionState}) under a JMS queue's receive, as the broker does
 * it for one ShareFetch carrying the acknowledgements of the member's previous batch: the checks a fetch makes first
 * ({@code holds}, {@code hasAcquirable}), the acknowledgement of the member's previous 500 records, the acquisition of
 * its next 500, and the two snapshots the state writes (after the acknowledgement, after the acquisition). {@code members}
 * members take turns, each holding one batch, so about {@code members × 500} records are in flight (the broker allows
 * {@code group.share.partition.max.record.locks}, 2,000 by default).
 *
 * <p>One operation is one such cycle (500 records): divide by 500 for the cost a record adds to a fetch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SharePartitionStateBench {
    private static final int BATCH = 500;
    private static final long LOCK_MS = 30_000;

    @Param({"2", "20"})
    public int members;

    private SharePartitionState state;
    private String[] names;
    /** What each member holds: its last batch, not yet acknowledged. */
    private List<List<AcquiredRange>> held;
    private int turn;
    private long now = 1_000_000;

    @Setup
    public void setUp() {
        state = SharePartitionState.fresh(0, 5, (members + 1) * BATCH);
        names = new String[members];
        held = new java.util.ArrayList<>();
        for (int i = 0; i < members; i++) {
            names[i] = "member-" + i;
            held.add(state.acquire(names[i], BATCH, Long.MAX_VALUE, LOCK_MS, now));
        }
    }

    @Benchmark
    public void fetchWithAcknowledgements(Blackhole bh) {
        now++;
        int m = turn;
        turn = (turn + 1) % members;
        String member = names[m];
        bh.consume(state.holds(member, now));
        for (AcquiredRange r : held.get(m)) {
            bh.consume(state.acknowledge(member, r.first(), r.last(), AckType.ACCEPT, LOCK_MS, now));
        }
        bh.consume(state.snapshot());
        bh.consume(state.hasAcquirable(Long.MAX_VALUE, now));
        List<AcquiredRange> next = state.acquire(member, BATCH, Long.MAX_VALUE, LOCK_MS, now);
        if (next.isEmpty()) {
            throw new IllegalStateException("nothing acquired: the in-flight window is full");
        }
        held.set(m, next);
        bh.consume(state.snapshot());
    }
}
