package io.weir.broker.replication;

/**
 * Replication settings.
 *
 * @param replicaLagTimeMaxMs      {@code replica.lag.time.max.ms}: a follower not caught up for longer leaves the ISR
 * @param replicaFetchWaitMaxMs    {@code replica.fetch.wait.max.ms}: how long a follower's fetch long-polls
 * @param hwCheckpointIntervalMs   {@code replica.high.watermark.checkpoint.interval.ms}
 * @param replicaSocketTimeoutMs   {@code replica.socket.timeout.ms}: how long a follower waits for its leader's
 *                                 connection or answer (a silent network) before it reconnects
 * @param security                 how this broker connects and logs in to other brokers
 */
public record ReplicationConfig(long replicaLagTimeMaxMs, int replicaFetchWaitMaxMs, long hwCheckpointIntervalMs,
                                int replicaSocketTimeoutMs, io.weir.broker.network.InterBrokerSecurity security) {
    public static final ReplicationConfig DEFAULT = new ReplicationConfig(30_000, 500, 5_000, 30_000);

    /** Over PLAINTEXT. */
    public ReplicationConfig(long replicaLagTimeMaxMs, int replicaFetchWaitMaxMs, long hwCheckpointIntervalMs,
                             int replicaSocketTimeoutMs) {
        this(replicaLagTimeMaxMs, replicaFetchWaitMaxMs, hwCheckpointIntervalMs, replicaSocketTimeoutMs,
                io.weir.broker.network.InterBrokerSecurity.PLAINTEXT);
    }
}
