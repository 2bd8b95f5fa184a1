package io.weir.broker.txn;

/**
 * Settings of the transaction coordinator, with Kafka's names.
 *
 * @param stateTopicPartitions       {@code transaction.state.log.num.partitions}
 * @param stateTopicReplicationFactor {@code transaction.state.log.replication.factor} (capped by the live brokers)
 * @param stateTopicMinIsr           {@code transaction.state.log.min.isr} (capped by the replication factor)
 * @param stateTopicSegmentBytes     {@code transaction.state.log.segment.bytes}; a partition is compacted past twice this
 * @param maxTimeoutMs               {@code transaction.max.timeout.ms}: the largest {@code transaction.timeout.ms} accepted
 * @param abortTimedOutIntervalMs    {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}
 * @param markerRetryBackoffMs       how long a coordinator waits before writing markers again to a partition that refused them
 * @param requestTimeoutMs           how long a coordinator waits for another broker to answer WriteTxnMarkers
 * @param idExpirationMs             {@code transactional.id.expiration.ms}: an id without a transaction for this long is forgotten
 * @param removeExpiredIntervalMs    {@code transaction.remove.expired.transaction.cleanup.interval.ms}
 * @param security                   how markers reach other brokers (the inter-broker listener's protocol and login)
 */
public record TransactionConfig(int stateTopicPartitions, short stateTopicReplicationFactor, int stateTopicMinIsr,
                                int stateTopicSegmentBytes, int maxTimeoutMs, long abortTimedOutIntervalMs,
                                long markerRetryBackoffMs, int requestTimeoutMs, long idExpirationMs,
                                long removeExpiredIntervalMs, io.weir.broker.network.InterBrokerSecurity security) {

    /** Markers over PLAINTEXT. */
    public TransactionConfig(int stateTopicPartitions, short stateTopicReplicationFactor, int stateTopicMinIsr,
                             int stateTopicSegmentBytes, int maxTimeoutMs, long abortTimedOutIntervalMs,
                             long markerRetryBackoffMs, int requestTimeoutMs, long idExpirationMs,
                             long removeExpiredIntervalMs) {
        this(stateTopicPartitions, stateTopicReplicationFactor, stateTopicMinIsr, stateTopicSegmentBytes, maxTimeoutMs,
                abortTimedOutIntervalMs, markerRetryBackoffMs, requestTimeoutMs, idExpirationMs, removeExpiredIntervalMs,
                io.weir.broker.network.InterBrokerSecurity.PLAINTEXT);
    }

    public TransactionConfig withSecurity(io.weir.broker.network.InterBrokerSecurity security) {
        return new TransactionConfig(stateTopicPartitions, stateTopicReplicationFactor, stateTopicMinIsr, stateTopicSegmentBytes,
                maxTimeoutMs, abortTimedOutIntervalMs, markerRetryBackoffMs, requestTimeoutMs, idExpirationMs,
                removeExpiredIntervalMs, security);
    }

    public static TransactionConfig defaults() {
        return new TransactionConfig(50, (short) 3, 2, 100 * 1024 * 1024, 900_000, 10_000, 100, 30_000, 604_800_000L,
                3_600_000L);
    }
}
