package io.weir.broker.share;

/** Per-group settings of share groups (group configs set with IncrementalAlterConfigs, else the broker's). */
public interface ShareGroupSettings {

    /**
     * The feature a Weir broker lists in its ApiVersions answer (SupportedFeatures, version 1) when the share groups of
     * JMS queues ({@code jms-queue.*}) have the queue's settings by default: {@code share.auto.offset.reset=earliest},
     * {@code share.isolation.level=read_committed}, single batches and every partition to every member. The JMS provider
     * then does not write the group configurations before a queue's first consumer fetches.
     */
    String QUEUE_DEFAULTS_FEATURE = "weir.share.queue.defaults";

    /** The prefix of the JMS provider's queue groups ({@code jms-queue.<queue>}). */
    String JMS_QUEUE_GROUP_PREFIX = "jms-queue.";

    /**
     * Whether {@code groupId} is the share group of a JMS queue, whose defaults are the queue's: start at the log
     * start, read committed records, single batches, every partition to every member (broker/SHARE-GROUPS.md).
     */
    static boolean isQueueGroup(String groupId) {
        return groupId.startsWith(JMS_QUEUE_GROUP_PREFIX);
    }

    /** {@code share.auto.offset.reset}: whether a new share-partition starts at the log start (else at the end). */
    boolean startsAtEarliest(String groupId);

    /** {@code share.record.lock.duration.ms} of the group, else the broker's {@code group.share.record.lock.duration.ms}. */
    int recordLockDurationMs(String groupId);

    /**
     * {@code share.isolation.level} of the group: whether its members read only committed transactional records
     * (read_committed), else every record (read_uncommitted, Kafka's default).
     */
    default boolean readCommitted(String groupId) {
        return false;
    }

    /**
     * The record filter of a client of the group ({@code weir.share.filter.<client.id>}, a Weir
     * extension for JMS selectors), or null when it has none.
     */
    default RecordFilter filter(String groupId, String clientId) {
        return null;
    }

    /**
     * Whether a member of the group acquires records of a share-partition only while it holds none there
     * ({@code weir.share.single.batch}, a Weir extension; on by default for the JMS provider's queue groups, named
     * {@code jms-queue.*}). kafka-clients' share consumer may fetch ahead of the application: after a poll it can
     * acquire a second batch that it keeps until the first is acknowledged. A consumer that holds records
     * unacknowledged for long (a JMS transaction, CLIENT_ACKNOWLEDGE) cannot see that batch, and nobody else can take
     * it until its locks expire. Under this rule the broker answers such a fetch with nothing (after its wait).
     */
    default boolean singleBatch(String groupId) {
        return false;
    }

    /**
     * Whether every member of the group is assigned every partition of the topics it subscribes to
     * ({@code weir.share.assignment=all}, a Weir extension; the default for the JMS provider's queue groups, named
     * {@code jms-queue.*}), instead of the partitions being spread over the members ({@code spread}, Kafka's way: a
     * member takes partitions of its own while there are more partitions than members). A JMS queue's consumers
     * compete for every message: with partitions spread, a message waits for the one member its partition went to,
     * even while that member is busy with another message (a resource adapter's delivery session, holding one until
     * its transaction ends) and the others idle; and after a member joins or leaves, a member holding a record of a
     * partition it no longer has keeps a partition's new records from everybody until its next heartbeat.
     */
    default boolean assignsEveryPartition(String groupId) {
        return false;
    }

    /** The broker's settings everywhere, starting at the latest offset. */
    static ShareGroupSettings of(ShareConfig config) {
        return new ShareGroupSettings() {
            @Override
            public boolean startsAtEarliest(String groupId) {
                return false;
            }

            @Override
            public int recordLockDurationMs(String groupId) {
                return config.recordLockDurationMs();
            }
        };
    }
}
