package io.weir.broker.replication;

/**
 * Replication settings.
 *
 * @param replicaLagTimeMaxMs      {@code replica.lag.time.max.ms}: a follower not caught up for longer leaves the ISR
 * @param replicaFetchWaitMaxMs    {@code replica.fetch.wait.max.ms}: how long a follower's fetch long-polls
 * @param hwCheckpointIntervalMs   {@code replica.high.watermark.checkpoint.interval.ms}
 */
public record ReplicationConfig(long replicaLagTimeMaxMs, int replicaFetchWaitMaxMs, long hwCheckpointIntervalMs) {
    public static final ReplicationConfig DEFAULT = new ReplicationConfig(30_000, 500, 5_000);
}
