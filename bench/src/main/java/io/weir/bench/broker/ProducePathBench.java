package io.weir.bench.broker;

import io.weir.bench.storage.ProducerBatch;
import io.weir.bench.storage.ScratchDir;
import io.weir.broker.common.ThreadPoolScheduler;
import io.weir.broker.common.Time;
import io.weir.broker.log.LogAppendInfo;
import io.weir.broker.log.LogConfig;
import io.weir.broker.log.LogManager;
import io.weir.broker.log.LogManagerConfig;
import io.weir.broker.replication.Partition;
import io.weir.broker.replication.ReplicaManager;
import io.weir.broker.replication.ReplicationConfig;
import io.weir.broker.zk.LeaderAndIsr;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The broker's produce path on one request handler thread, one leader partition (ISR of one, so acks=all is
 * answered on the append), one ~16 KiB batch of 1 KiB records per operation:
 * <ul>
 *   <li>{@link #produceNobodyWaits}: the append and its answer, no consumer waiting;</li>
 *   <li>{@link #produceWakingAFetch}: the same with a long-polling consumer fetch waiting on the partition, which
 *       the append wakes and which then reads the log for its consumer. The difference between the two is the work
 *       that sat before the produce's answer until fetches were woken after the request
 *       ({@link ReplicaManager#wakingFetchersAfter}).</li>
 * </ul>
 * A fresh log per iteration keeps the disk use small.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ProducePathBench {
    private static final TopicPartition TP = new TopicPartition("bench", 0);

    private final ProducerBatch batch = ProducerBatch.of(1024, false);
    private Path dir;
    private ThreadPoolScheduler scheduler;
    private LogManager logs;
    private ReplicaManager replicas;
    private Partition partition;

    @Setup(Level.Iteration)
    public void open() {
        dir = ScratchDir.create("weir-produce-path-");
        scheduler = new ThreadPoolScheduler("bench", 1);
        logs = new LogManager(LogManagerConfig.of(List.of(dir), LogConfig.defaults()), Time.SYSTEM, scheduler);
        logs.startup();
        replicas = new ReplicaManager(0, logs, List.of(dir), scheduler, Time.SYSTEM, ReplicationConfig.DEFAULT,
                (tp, state) -> Optional.of(state));
        replicas.applyState(TP, Uuid.ONE_UUID, LogConfig.defaults(), List.of(0), new LeaderAndIsr(0, 1, List.of(0), 1, 1),
                Optional.empty());
        partition = replicas.partition(TP).orElseThrow();
    }

    @TearDown(Level.Iteration)
    public void close() {
        replicas.shutdown();
        logs.close();
        scheduler.close();
        ScratchDir.delete(dir);
    }

    @Benchmark
    public void produceNobodyWaits(Blackhole bh) {
        replicas.wakingFetchersAfter(() -> bh.consume(append()));
    }

    @Benchmark
    public void produceWakingAFetch(Blackhole bh) {
        CompletableFuture<?> fetch = waitingFetch();
        replicas.wakingFetchersAfter(() -> bh.consume(append()));
        bh.consume(fetch.join());
    }

    private CompletableFuture<LogAppendInfo> append() {
        return replicas.appendRecords(TP, batch.view(), (short) -1, 1, 30_000);
    }

    /** A consumer's fetch at the log end, waiting for data as FetchHandler registers it; reads the log when woken. */
    private CompletableFuture<?> waitingFetch() {
        long from = partition.log().logEndOffset();
        return replicas.fetchPurgatory()
                .await(List.of(TP), () -> partition.highWatermark().offset() > from, 30_000)
                .thenApply(v -> partition.log().read(from, 1024 * 1024, partition.highWatermark(), true));
    }
}
