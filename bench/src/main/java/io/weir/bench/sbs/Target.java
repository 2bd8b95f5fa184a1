package io.weir.bench.sbs;

import java.util.Map;

/**
 * What a workload runs against: one broker ({@link BrokerProcess}) or a cluster ({@link ClusterProcess}),
 * each in JVMs of their own. Workloads create their topics with {@link #replicationFactor()} and
 * {@link #topicConfigs()}, so the same workload code measures both.
 */
interface Target extends AutoCloseable {

    /** The bootstrap servers for kafka-clients. */
    String bootstrap();

    /**
     * What every kafka-clients producer, consumer and Admin adds to {@link #bootstrap()} to reach the target
     * (security settings); empty for a PLAINTEXT listener.
     */
    default Map<String, Object> clientConfigs() {
        return Map.of();
    }

    /** Replication factor of the topics workloads create. */
    short replicationFactor();

    /** Topic configs of the topics workloads create (e.g. {@code min.insync.replicas}). */
    Map<String, String> topicConfigs();

    /** True while every process of the target is still running. */
    boolean isAlive();

    /** Milliseconds from launch until the target answered an Admin call. */
    long startupMillis();

    /** Milliseconds the last {@link #close()} took: stop plus data deletion, and the deletion alone. */
    long stopMillis();

    long deleteMillis();

    /** Kills and deletes everything (SIGKILL: the data is thrown away). */
    @Override
    void close();
}
