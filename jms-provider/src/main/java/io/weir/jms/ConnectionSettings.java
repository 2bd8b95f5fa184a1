package io.weir.jms;

import java.util.Properties;

/** A connection's settings, copied from its factory when it was created. */
record ConnectionSettings(String bootstrapServers, String clientId, int dupsOkBatchSize, long dupsOkIntervalMs,
                          int topicPartitions, short topicReplicationFactor, long sendTimeoutMs,
                          long brokerCheckIntervalMs, QueueMode queueMode, int maxDeliveryAttempts,
                          String deadLetterQueue, Properties kafkaProperties, String user, String password) {

    /** The properties every kafka-clients object of this connection starts from. */
    Properties clientBase() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(kafkaProperties);
        boolean sasl = String.valueOf(p.getProperty("security.protocol", "")).startsWith("SASL");
        if (sasl && user != null && !p.containsKey("sasl.jaas.config")) {
            p.putIfAbsent("sasl.mechanism", "PLAIN");
            p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                    + user.replace("\"", "\\\"") + "\" password=\"" + (password == null ? "" : password.replace("\"", "\\\"")) + "\";");
        }
        return p;
    }
}
