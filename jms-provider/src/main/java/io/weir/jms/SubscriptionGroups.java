package io.weir.jms;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What a connection does for the classic consumer groups of its topic subscriptions (durable, shared durable and
 * shared): before a subscription's member first joins its group, it sets the Weir group config
 * {@value #INITIAL_REBALANCE_DELAY}{@code =0}, so that the broker completes the group's first rebalance at once
 * instead of waiting {@code group.initial.rebalance.delay.ms} (3 s as shipped) for more members. That delay gathers
 * the many members of a starting Kafka application; an unshared durable subscription has one consumer, and a shared
 * subscription's first consumer should not wait for others that may never come (later ones join by a rebalance).
 *
 * <p>Once per connection and group. A broker that refuses the key (Apache Kafka: an unknown group config) is
 * remembered for the connection and its subscriptions attach as before, after the broker's delay; a refusal for want of
 * rights is remembered for that group; any other failure (a timeout) is logged and tried again by the next consumer.
 * Nothing here fails a subscription. Thread-safe.
 */
final class SubscriptionGroups {

    /** The broker's group config: the first-rebalance delay of one group (broker/SHARE-GROUPS.md). */
    static final String INITIAL_REBALANCE_DELAY = "weir.group.initial.rebalance.delay.ms";

    private static final Logger log = LoggerFactory.getLogger(SubscriptionGroups.class);

    /** Sets group configs, waiting for the brokers' answer (the Admin client's IncrementalAlterConfigs). */
    @FunctionalInterface
    interface ConfigWriter {
        void set(String group, Map<String, String> configs) throws Exception;
    }

    private final ConfigWriter writer;
    private final Set<String> prepared = ConcurrentHashMap.newKeySet();
    /** Set when the brokers refused the key: nothing more is asked on this connection. */
    private volatile boolean unsupported;

    SubscriptionGroups(ConfigWriter writer) {
        this.writer = writer;
    }

    /** Writes through the connection's Admin client, waiting at most the connection's {@code connectTimeoutMs}. */
    static SubscriptionGroups of(WeirConnection connection) {
        return new SubscriptionGroups((group, configs) -> {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
            List<AlterConfigOp> ops = configs.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
            connection.admin().incrementalAlterConfigs(Map.of(resource, ops)).all()
                    .get(connection.settings().connectTimeoutMs(), TimeUnit.MILLISECONDS);
        });
    }

    /** Makes {@code group}'s first rebalance start at once, unless done before on this connection or refused. */
    void prepare(String group) {
        if (unsupported || prepared.contains(group)) {
            return;
        }
        try {
            writer.set(group, Map.of(INITIAL_REBALANCE_DELAY, "0"));
            prepared.add(group);
            log.debug("Group {}: its first rebalance starts without the broker's initial delay", group);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthorizationException) { // checked first: it is an InvalidConfigurationException
                prepared.add(group);
                log.info("Not allowed to set {} on group {} ({}): its first consumer waits the brokers' "
                        + "group.initial.rebalance.delay.ms", INITIAL_REBALANCE_DELAY, group, cause.getMessage());
            } else if (cause instanceof InvalidConfigurationException || cause instanceof InvalidRequestException
                    || cause instanceof UnsupportedVersionException) {
                unsupported = true;
                log.info("The brokers do not take the group config {} ({}): a new subscription's group waits the brokers' "
                        + "group.initial.rebalance.delay.ms before its first consumer gets messages", INITIAL_REBALANCE_DELAY,
                        cause.getMessage());
            } else {
                log.warn("Could not set {} on group {}: {}", INITIAL_REBALANCE_DELAY, group, String.valueOf(cause));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while setting {} on group {}", INITIAL_REBALANCE_DELAY, group);
        } catch (Exception e) {
            log.warn("Could not set {} on group {}: {}", INITIAL_REBALANCE_DELAY, group, e.toString());
        }
    }

    /** Forgets a deleted group: a new subscription of that name sets its config again. */
    void forget(String group) {
        prepared.remove(group);
    }
}
