package io.weir.jms;

import io.weir.jms.client.DeadLetterRecord;
import io.weir.jms.client.ShareQueueReader;
import io.weir.jms.selector.BrokerFilter;
import io.weir.jms.selector.MessageSelector;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What a connection does for the queues it reads through share groups ({@link QueueMode#SHARE}): names the
 * share group of a queue, makes a new group start at the beginning of the queue, tells whether a member is
 * known to the broker, and moves messages to the dead-letter queue. Thread-safe.
 */
final class ShareQueues {

    /** The share group of queue {@code Q} is {@code jms-queue.Q} (see the README: it cannot be group {@code Q}). */
    static final String GROUP_PREFIX = "jms-queue.";
    /** The Weir group config naming a share consumer's record filter, by client id (broker/SHARE-GROUPS.md). */
    static final String FILTER_PREFIX = "weir.share.filter.";

    private static final Logger log = LoggerFactory.getLogger(ShareQueues.class);

    private final WeirConnection connection;
    private final Set<String> prepared = ConcurrentHashMap.newKeySet();
    /** Whether the brokers take share fetch filters (null until the first selector consumer asks). */
    private volatile Boolean filtersSupported;

    ShareQueues(WeirConnection connection) {
        this.connection = connection;
    }

    /**
     * Whether the brokers serve share groups: the feature {@code share.version} when they report it (Apache Kafka:
     * finalized at level 1 or more means on; supported but not finalized means level 0, off), else whether they
     * answer ShareGroupDescribe (a group nobody uses is unknown to a broker with share groups, an unsupported API to
     * one without).
     *
     * @throws Exception when the brokers cannot be asked (not reachable within the timeout)
     */
    boolean brokersServeShareGroups() throws Exception {
        try {
            var features = connection.admin().describeFeatures().featureMetadata().get(timeoutMs(), TimeUnit.MILLISECONDS);
            var share = features.finalizedFeatures().get("share.version");
            if (share != null) {
                return share.maxVersionLevel() >= 1;
            }
            if (features.supportedFeatures().containsKey("share.version")) {
                return false; // known to the brokers, not finalized: at level 0, share groups off
            }
        } catch (ExecutionException e) {
            log.debug("Describing the brokers' features failed: {}", e.getCause().toString());
        }
        try {
            connection.admin().describeShareGroups(List.of(PROBE_GROUP)).describedGroups().get(PROBE_GROUP)
                    .get(timeoutMs(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnsupportedVersionException) {
                return false;
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException
                    || e.getCause() instanceof org.apache.kafka.common.errors.ApiException
                    && !(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
                return true; // the API is there: it answered about the group
            }
            throw e;
        }
    }

    /** A share group id no queue can have (queue names never contain '/'), asked about to probe the brokers. */
    private static final String PROBE_GROUP = GROUP_PREFIX + "/probe";

    /** How long a call to the brokers may wait: the connection's {@code connectTimeoutMs}. */
    private long timeoutMs() {
        return connection.settings().connectTimeoutMs();
    }

    static String group(WeirDestination queue) {
        return GROUP_PREFIX + queue.name();
    }

    /**
     * Sets the group configurations a queue's share group needs, once per connection and group, before the first
     * member joins (they are group configurations, so whichever consumer comes first sets them for all, in any
     * process; setting them again is harmless; the factory's other connections skip it for a while, see
     * {@link ShareGroupFacts}):
     * <ul>
     * <li>{@code share.auto.offset.reset=earliest}: a share group starts at the log end by default, a queue's must
     * start at its beginning so that messages sent before the first consumer are delivered;</li>
     * <li>{@code share.isolation.level=read_committed}: a message sent in a transacted session is delivered once
     * the transaction commits, never when it rolls back (share groups read uncommitted records by default).</li>
     * </ul>
     * A broker that refuses them is logged, not fatal: without the isolation level, uncommitted sends are visible.
     * The returned future completes once the broker answered (either way): the members join meanwhile, and fetch only
     * after it (a share partition's start is fixed by its first fetch).
     */
    java.util.concurrent.CompletableFuture<Void> prepare(String group) {
        String bootstrap = connection.settings().bootstrapServers();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        if (prepared.contains(group) || connection.shareGroupFacts().prepared(bootstrap, group)
                || connection.shareGroupFacts().queueDefaults(bootstrap)) {
            // set already, or the brokers give queue groups these settings by default (Weir: its members' coordinators
            // said so, see ShareQueueReader#onQueueDefaults)
            done.complete(null);
            return done;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
        AlterConfigOp committed = new AlterConfigOp(new ConfigEntry("share.isolation.level", "read_committed"),
                AlterConfigOp.OpType.SET);
        try {
            connection.admin().incrementalAlterConfigs(Map.of(resource, List.of(earliest, committed))).all().whenComplete((v, e) -> {
                if (e == null) {
                    prepared.add(group);
                    connection.shareGroupFacts().prepared(bootstrap, group, true);
                    done.complete(null);
                    return;
                }
                log.warn("Could not set share.isolation.level=read_committed on share group {} (its consumers may see "
                        + "uncommitted transactional sends): {}", group, e.toString());
                connection.admin().incrementalAlterConfigs(Map.of(resource, List.of(earliest))).all().whenComplete((v2, e2) -> {
                    if (e2 == null) {
                        prepared.add(group);
                    } else {
                        log.warn("Could not set share.auto.offset.reset=earliest on share group {} (messages sent before its "
                                + "first consumer may be skipped): {}", group, e2.toString());
                    }
                    done.complete(null);
                });
            });
        } catch (RuntimeException e) {
            log.warn("Could not set the group configurations of share group {}: {}", group, e.toString());
            done.complete(null);
        }
        return done;
    }

    /** True once the broker lists {@code clientId} among the group's members; null when it cannot say. */
    Boolean isMember(String group, String clientId) {
        try {
            ShareGroupDescription d = connection.admin().describeShareGroups(List.of(group)).describedGroups().get(group)
                    .get(5, TimeUnit.SECONDS);
            return d.members().stream().anyMatch(m -> clientId.equals(m.clientId()));
        } catch (Exception e) {
            log.debug("Describing share group {} failed: {}", group, e.toString());
            return null;
        }
    }

    /** Copies {@code r} to the dead-letter queue, waiting for the broker; throws when there is none or it failed. */
    void deadLetter(ConsumerRecord<byte[], byte[]> r, int deliveryCount) throws Exception {
        String dlq = connection.settings().deadLetterQueue();
        if (dlq == null || dlq.isEmpty()) {
            log.warn("Message {}-{}@{} reached {} delivery attempts and no dead-letter queue is configured: dropped",
                    r.topic(), r.partition(), r.offset(), deliveryCount);
            return;
        }
        connection.ensureTopic(new WeirQueue(dlq));
        connection.producer(true).send(DeadLetterRecord.of(r, dlq, deliveryCount))
                .get(connection.settings().sendTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * Where the share group of {@code queue} starts in each partition (everything below was consumed), as
     * positions without metadata; empty for a group that has not started.
     */
    Map<TopicPartition, OffsetAndMetadata> startOffsets(WeirDestination queue) throws Exception {
        String group = group(queue);
        Map<TopicPartition, SharePartitionOffsetInfo> info;
        try {
            info = connection.admin().listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(group).get(timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnsupportedVersionException) {
                // a broker without DescribeShareGroupOffsets: browse from the beginning of the log
                log.debug("The brokers cannot list share group offsets ({}): browsing {} from its beginning",
                        e.getCause().getMessage(), queue);
                return Map.of();
            }
            throw e;
        }
        Map<TopicPartition, OffsetAndMetadata> starts = new HashMap<>();
        info.forEach((tp, i) -> {
            if (i != null && i.startOffset() >= 0) {
                starts.put(tp, new OffsetAndMetadata(i.startOffset()));
            }
        });
        return starts;
    }

    /**
     * A reader of {@code queue} for one JMS consumer. When its selector has a part the broker can apply
     * ({@link BrokerFilter}) and the broker takes record filters (Weir), the filter is set for the consumer's
     * members before they join and deleted when the consumer closes.
     */
    ShareQueueReader reader(WeirDestination queue, String name, Runnable onRecords, MessageSelector selector,
                            java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> selects, int prefetch) {
        String group = group(queue);
        java.util.concurrent.CompletableFuture<Void> ready = prepare(group);
        Properties base = connection.consumerBase();
        if (prefetch > 0) {
            // every lane of this consumer acquires at most this many (ShareLane reads max.poll.records)
            base = (Properties) base.clone();
            base.put("max.poll.records", String.valueOf(prefetch));
        }
        ShareQueueReader.Settings s = new ShareQueueReader.Settings(name, base, queue.name(), group,
                connection.settings().maxDeliveryAttempts());
        ShareQueueReader reader = new ShareQueueReader(s, System::currentTimeMillis, onRecords, this::deadLetter, this::isMember,
                selects);
        reader.fetchAfter(ready);
        String bootstrap = connection.settings().bootstrapServers();
        reader.layouts(connection.shareGroupFacts().layouts(bootstrap));
        reader.onQueueDefaults(() -> connection.shareGroupFacts().queueDefaults(bootstrap, true));
        BrokerFilter.of(selector).ifPresent(f -> {
            if (setFilter(group, ShareQueueReader.laneClientIds(name), f.text())) {
                reader.onClosed(() -> deleteFilter(group, ShareQueueReader.laneClientIds(name)));
            }
        });
        return reader;
    }

    /**
     * Sets the record filter of every member a consumer may open; false when the broker does not take filters
     * (Apache Kafka refuses the unknown group config: the consumer then filters alone, see the README) or failed.
     */
    private boolean setFilter(String group, List<String> clientIds, String filter) {
        if (Boolean.FALSE.equals(filtersSupported)) {
            return false;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        List<AlterConfigOp> ops = clientIds.stream().map(id -> new AlterConfigOp(new ConfigEntry(FILTER_PREFIX + id, filter),
                AlterConfigOp.OpType.SET)).toList();
        try {
            connection.admin().incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeoutMs(), TimeUnit.MILLISECONDS);
            filtersSupported = true;
            log.debug("Share group {}: members {} fetch with the filter {}", group, clientIds, filter);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidConfigurationException || e.getCause() instanceof InvalidRequestException
                    || e.getCause() instanceof UnsupportedVersionException) {
                filtersSupported = false;
                log.info("The brokers do not filter share fetches ({}): queue selectors are applied by the consumers",
                        e.getCause().getMessage());
            } else {
                log.warn("Could not set the share fetch filter of {} in group {}: the consumer filters alone: {}", clientIds,
                        group, e.getCause().toString());
            }
            return false;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Could not set the share fetch filter of {} in group {}: the consumer filters alone: {}", clientIds, group,
                    e.toString());
            return false;
        }
    }

    /** Deletes a closed consumer's filters, in the background (a stale entry is harmless: client ids are unique). */
    private void deleteFilter(String group, List<String> clientIds) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        List<AlterConfigOp> ops = clientIds.stream().map(id -> new AlterConfigOp(new ConfigEntry(FILTER_PREFIX + id, ""),
                AlterConfigOp.OpType.DELETE)).toList();
        try {
            connection.admin().incrementalAlterConfigs(Map.of(resource, ops)).all().whenComplete((v, e) -> {
                if (e != null) {
                    log.debug("Could not delete the share fetch filters of {} in group {}: {}", clientIds, group, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.debug("Could not delete the share fetch filters of {} in group {}: {}", clientIds, group, e.toString());
        }
    }
}
