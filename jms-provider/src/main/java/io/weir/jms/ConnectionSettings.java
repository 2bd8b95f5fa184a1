package io.weir.jms;

import java.util.Properties;

/** A connection's settings, copied from its factory when it was created. */
record ConnectionSettings(String bootstrapServers, String clientId, int dupsOkBatchSize, long dupsOkIntervalMs,
                          int topicPartitions, short topicReplicationFactor, long sendTimeoutMs,
                          long brokerCheckIntervalMs, long connectTimeoutMs, Transactions transactions,
                          String transactionalIdPrefix,
                          QueueMode queueMode, int maxDeliveryAttempts, String deadLetterQueue, boolean blockOnAcknowledge,
                          Properties kafkaProperties, String user, String password) {

    /** How transacted sessions commit: {@code kafka} (broker transactions) or {@code local} (see TRANSACTIONS.md). */
    enum Transactions {
        KAFKA, LOCAL;

        static Transactions parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("transactions must be 'kafka' or 'local', not '" + value + "'");
            }
        }
    }

    /**
     * The properties every kafka-clients object of this connection starts from. On a SASL connection
     * ({@code security.protocol} SASL_PLAINTEXT or SASL_SSL) with a user, the JAAS configuration for the
     * user and password is built for {@code sasl.mechanism} (PLAIN by default; SCRAM-SHA-256/512 use
     * kafka-clients' {@code ScramLoginModule}) unless {@code sasl.jaas.config} is set explicitly.
     */
    Properties clientBase() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(kafkaProperties);
        boolean sasl = String.valueOf(p.getProperty("security.protocol", "")).startsWith("SASL");
        if (sasl && user != null && !p.containsKey("sasl.jaas.config")) {
            p.putIfAbsent("sasl.mechanism", "PLAIN");
            String mechanism = String.valueOf(p.getProperty("sasl.mechanism")).trim();
            String module = mechanism.startsWith("SCRAM-") ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            p.put("sasl.jaas.config", module + " required username=\"" + user.replace("\"", "\\\"") + "\" password=\""
                    + (password == null ? "" : password.replace("\"", "\\\"")) + "\";");
        }
        return p;
    }
}
