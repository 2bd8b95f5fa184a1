package io.weir.jms;

import java.util.Locale;

/**
 * How a JMS queue is read from the log (a connection factory setting, {@code queueMode}).
 */
public enum QueueMode {
    /** Every consumer of queue {@code Q} is a member of the classic consumer group {@code Q}. */
    CLASSIC,
    /**
     * Every consumer of queue {@code Q} is a member of the share group {@code jms-queue.Q} (KIP-932): any number
     * of consumers in any number of processes share the queue message by message, with broker-side delivery
     * counts and a dead-letter queue. Needs a broker with share groups (Apache Kafka 4.2 or later).
     */
    SHARE,
    /**
     * {@link #SHARE} when the brokers serve share groups, else {@link #CLASSIC} (e.g. Apache Kafka without share
     * groups enabled). Decided once per connection, when it first reads a queue: the finalized feature
     * {@code share.version} when the brokers report it, else whether they answer ShareGroupDescribe.
     */
    AUTO;

    /** The mode a factory starts with. */
    public static final QueueMode DEFAULT = AUTO;

    /** {@code classic}, {@code share} or {@code auto}, in any case. */
    public static QueueMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("queueMode must be 'classic', 'share' or 'auto', not '" + value + "'");
        }
    }
}
