package io.weir.broker.api;

import io.weir.broker.log.LogConfig;
import io.weir.broker.replication.ReplicationQuota;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The topic-level settings Weir knows: the log's (Kafka names) and the few it enforces elsewhere.
 * Unknown names and values Weir cannot honour are refused, never silently ignored.
 */
final class ApiConfigs {
    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    static final String COMPRESSION_TYPE = "compression.type";
    private static final Set<String> OTHER = Set.of(MIN_INSYNC_REPLICAS, COMPRESSION_TYPE,
            ReplicationQuota.LEADER_REPLICAS, ReplicationQuota.FOLLOWER_REPLICAS);

    private ApiConfigs() {
    }

    static void validateTopicConfigs(Map<String, String> configs) {
        Map<String, String> known = LogConfig.topicToBrokerNames();
        for (Map.Entry<String, String> e : configs.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (!known.containsKey(name) && !OTHER.contains(name)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + name);
            }
            if (value == null) {
                throw new InvalidConfigurationException("Topic config " + name + " has no value");
            }
            if (name.equals(COMPRESSION_TYPE) && !value.equals("producer")) {
                throw new InvalidConfigurationException("compression.type=" + value + " is not supported; batches are stored as "
                        + "produced ('producer')");
            }
            if (name.equals(ReplicationQuota.LEADER_REPLICAS) || name.equals(ReplicationQuota.FOLLOWER_REPLICAS)) {
                try {
                    ReplicationQuota.validate(value);
                } catch (IllegalArgumentException ex) {
                    throw new InvalidConfigurationException(name + "=" + value + ": " + ex.getMessage());
                }
            }
            if (name.equals(MIN_INSYNC_REPLICAS)) {
                try {
                    if (Integer.parseInt(value) < 1) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException ex) {
                    throw new InvalidConfigurationException("min.insync.replicas must be a positive integer, got " + value);
                }
            }
        }
        Map<String, String> logSettings = new java.util.HashMap<>(configs);
        logSettings.keySet().retainAll(known.keySet());
        try {
            LogConfig.defaults().withTopicOverrides(logSettings);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /** Every topic-level setting with its effective value under {@code config}. */
    static Map<String, String> effectiveTopicConfigs(LogConfig config, Map<String, String> overrides, int brokerMinIsr) {
        Map<String, String> out = new TreeMap<>();
        Map<String, Object> broker = config.toBrokerProperties();
        LogConfig.topicToBrokerNames().forEach((topicName, brokerName) -> out.put(topicName, String.valueOf(broker.get(brokerName))));
        out.put(MIN_INSYNC_REPLICAS, overrides.getOrDefault(MIN_INSYNC_REPLICAS, String.valueOf(brokerMinIsr)));
        out.put(COMPRESSION_TYPE, "producer");
        return out;
    }

    static int minInsyncReplicas(Map<String, String> topicConfigs, int brokerDefault) {
        String v = topicConfigs.get(MIN_INSYNC_REPLICAS);
        return v == null ? brokerDefault : Integer.parseInt(v);
    }
}
