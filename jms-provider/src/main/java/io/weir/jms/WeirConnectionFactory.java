package io.weir.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueConnectionFactory;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicConnectionFactory;

import java.io.Serializable;
import java.util.Properties;

/**
 * The entry point: {@code new WeirConnectionFactory("host:9092")}, or looked up through
 * {@link io.weir.jms.jndi.WeirInitialContextFactory}. Settings are copied into each connection when it is
 * created, so changing the factory later does not affect open connections. Thread-safe for creating
 * connections; setters are for configuration time.
 */
public class WeirConnectionFactory implements ConnectionFactory, QueueConnectionFactory, TopicConnectionFactory, Serializable {

    private static final long serialVersionUID = 1L;

    /** The default of {@link #setConnectTimeoutMs}. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

    private String bootstrapServers;
    private String clientId;
    private int dupsOkBatchSize = 100;
    private long dupsOkIntervalMs = 200;
    private int topicPartitions = 1;
    private short topicReplicationFactor = -1;
    private long sendTimeoutMs = 30_000;
    private long brokerCheckIntervalMs = 5_000;
    private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    private ConnectionSettings.Transactions transactions = ConnectionSettings.Transactions.KAFKA;
    private String transactionalIdPrefix;
    private QueueMode queueMode = QueueMode.DEFAULT;
    private int maxDeliveryAttempts = 5;
    private String deadLetterQueue = "DLQ";
    private boolean blockOnAcknowledge;
    private final Properties kafkaProperties = new Properties();
    private String user;
    private String password;

    public WeirConnectionFactory() {
        this("localhost:9092");
    }

    public WeirConnectionFactory(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getClientId() {
        return clientId;
    }

    /** An administratively configured client id, given to every connection this factory creates. */
    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public int getDupsOkBatchSize() {
        return dupsOkBatchSize;
    }

    /** Under DUPS_OK_ACKNOWLEDGE, commit after this many messages (or {@link #setDupsOkIntervalMs}). */
    public void setDupsOkBatchSize(int dupsOkBatchSize) {
        this.dupsOkBatchSize = Math.max(1, dupsOkBatchSize);
    }

    public long getDupsOkIntervalMs() {
        return dupsOkIntervalMs;
    }

    public void setDupsOkIntervalMs(long dupsOkIntervalMs) {
        this.dupsOkIntervalMs = Math.max(1, dupsOkIntervalMs);
    }

    public int getTopicPartitions() {
        return topicPartitions;
    }

    /** Partitions of topics the provider creates for destinations (default 1: one ordered queue). */
    public void setTopicPartitions(int topicPartitions) {
        this.topicPartitions = Math.max(1, topicPartitions);
    }

    public short getTopicReplicationFactor() {
        return topicReplicationFactor;
    }

    /** Replication factor of topics the provider creates; -1 (default) takes the broker's default. */
    public void setTopicReplicationFactor(short topicReplicationFactor) {
        this.topicReplicationFactor = topicReplicationFactor;
    }

    public long getSendTimeoutMs() {
        return sendTimeoutMs;
    }

    /** How long a persistent send waits for the broker's acknowledgement before it fails. */
    public void setSendTimeoutMs(long sendTimeoutMs) {
        this.sendTimeoutMs = sendTimeoutMs;
    }

    public long getBrokerCheckIntervalMs() {
        return brokerCheckIntervalMs;
    }

    /**
     * How often a connection with an {@code ExceptionListener} checks that the brokers answer (0: never). A
     * failed check calls the listener once per outage with the cause linked.
     */
    public void setBrokerCheckIntervalMs(long brokerCheckIntervalMs) {
        if (brokerCheckIntervalMs < 0) {
            throw new IllegalArgumentException("brokerCheckIntervalMs must be >= 0: " + brokerCheckIntervalMs);
        }
        this.brokerCheckIntervalMs = brokerCheckIntervalMs;
    }

    public long getConnectTimeoutMs() {
        return connectTimeoutMs;
    }

    /**
     * How long a new connection waits for the brokers (default 15000 ms): the first answer of the cluster when the
     * connection is created ({@code createConnection}, {@code createContext} fail with a {@code JMSException} after
     * it), and the wait of its kafka-clients for the brokers' metadata and answers ({@code max.block.ms},
     * {@code request.timeout.ms}, {@code default.api.timeout.ms}, unless set as kafka properties). Raise it where
     * brokers are slow to answer, e.g. on a heavily loaded machine. Must be positive.
     */
    public void setConnectTimeoutMs(long connectTimeoutMs) {
        if (connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("connectTimeoutMs must be > 0: " + connectTimeoutMs);
        }
        this.connectTimeoutMs = connectTimeoutMs;
    }

    public String getTransactions() {
        return transactions.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * How transacted sessions commit: {@code kafka} (default) runs each in a Kafka transaction (sends and consumed
     * positions commit atomically; needs a broker with transactions); {@code local} buffers the sends and commits
     * in two steps, for brokers without transactions (a crash between the steps duplicates). See TRANSACTIONS.md.
     */
    public void setTransactions(String transactions) {
        this.transactions = ConnectionSettings.Transactions.parse(transactions);
    }

    public String getTransactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    /**
     * The prefix of transacted sessions' {@code transactional.id}s ({@code <prefix>-<slot>}). Set it to a name
     * unique to this application instance and stable across its restarts: a restarted instance then fences its
     * previous run's sessions and aborts their open transactions at once. Unset (default): a random prefix per
     * connection, so a crashed client's open transaction is aborted only by the broker's transaction timeout.
     */
    public void setTransactionalIdPrefix(String transactionalIdPrefix) {
        this.transactionalIdPrefix = transactionalIdPrefix == null || transactionalIdPrefix.isEmpty() ? null : transactionalIdPrefix;
    }

    public QueueMode getQueueMode() {
        return queueMode;
    }

    /**
     * How queues are read: {@link QueueMode#CLASSIC} (a consumer group per queue), {@link QueueMode#SHARE} (a
     * share group per queue, shared message by message across processes; needs share groups in the broker) or
     * {@link QueueMode#AUTO}, the default (share groups when the brokers serve them, else consumer groups).
     */
    public void setQueueMode(QueueMode queueMode) {
        this.queueMode = java.util.Objects.requireNonNull(queueMode, "queueMode");
    }

    public int getMaxDeliveryAttempts() {
        return maxDeliveryAttempts;
    }

    /**
     * In share mode, how many deliveries a message gets before it is moved to the dead-letter queue (default 5,
     * the broker's default {@code group.share.delivery.count.limit}; keep it at or below the broker's limit, past
     * which the broker archives the message itself); 0 leaves it to the broker alone.
     */
    public void setMaxDeliveryAttempts(int maxDeliveryAttempts) {
        if (maxDeliveryAttempts < 0) {
            throw new IllegalArgumentException("maxDeliveryAttempts must be >= 0: " + maxDeliveryAttempts);
        }
        this.maxDeliveryAttempts = maxDeliveryAttempts;
    }

    public String getDeadLetterQueue() {
        return deadLetterQueue;
    }

    /**
     * In share mode, the queue that messages past {@link #setMaxDeliveryAttempts} are copied to (default
     * {@code DLQ}, one for every queue, as Artemis's default dead-letter address); empty: they are rejected and
     * dropped.
     */
    public void setDeadLetterQueue(String deadLetterQueue) {
        if (deadLetterQueue != null && !deadLetterQueue.isEmpty() && !DestinationNames.isValid(deadLetterQueue)) {
            throw new IllegalArgumentException("'" + deadLetterQueue + "' is not a valid queue name for deadLetterQueue");
        }
        this.deadLetterQueue = deadLetterQueue == null ? "" : deadLetterQueue;
    }

    public boolean isBlockOnAcknowledge() {
        return blockOnAcknowledge;
    }

    /**
     * Whether {@code Message.acknowledge()} (CLIENT_ACKNOWLEDGE) waits for the broker to record the
     * acknowledgement. Off by default, as in ActiveMQ Artemis ({@code blockOnAcknowledge=false}): the
     * acknowledgement is sent at once and {@code acknowledge()} returns without waiting for the answer; closing
     * the consumer, session or connection still waits for every acknowledgement sent. What a crash of the
     * client loses is only the acknowledgement, so the messages are delivered again (at-least-once, as JMS allows
     * for CLIENT_ACKNOWLEDGE). On: each {@code acknowledge()} costs a broker round trip and, once it returns,
     * the messages are not delivered again even if the client crashes.
     */
    public void setBlockOnAcknowledge(boolean blockOnAcknowledge) {
        this.blockOnAcknowledge = blockOnAcknowledge;
    }

    public String getUser() {
        return user;
    }

    /**
     * The user of connections created without credentials ({@code createConnection()},
     * {@code createContext()}); with {@code security.protocol=SASL_PLAINTEXT} or {@code SASL_SSL} it is
     * authenticated by the broker with {@code sasl.mechanism} (PLAIN by default).
     */
    public void setUser(String user) {
        this.user = user;
    }

    /** The password of {@link #setUser the factory's user}. */
    public void setPassword(String password) {
        this.password = password;
    }

    /** A kafka-clients property passed to every producer, consumer and admin client (e.g. security settings). */
    public void setKafkaProperty(String key, String value) {
        kafkaProperties.setProperty(key, value);
    }

    public Properties getKafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /**
     * Applies one setting by name: a factory setting ({@code clientId}, {@code dupsOkBatchSize},
     * {@code dupsOkIntervalMs}, {@code topicPartitions}, {@code topicReplicationFactor}, {@code sendTimeoutMs}, {@code brokerCheckIntervalMs},
     * {@code connectTimeoutMs}, {@code transactions}, {@code transactionalIdPrefix}, {@code queueMode}, {@code maxDeliveryAttempts},
     * {@code deadLetterQueue}, {@code blockOnAcknowledge}, {@code user}, {@code password})
     * or else a kafka-clients property. Used by JNDI query parameters.
     */
    public void setProperty(String key, String value) {
        switch (key) {
            case "clientId", "clientID" -> setClientId(value);
            case "dupsOkBatchSize" -> setDupsOkBatchSize(Integer.parseInt(value));
            case "dupsOkIntervalMs" -> setDupsOkIntervalMs(Long.parseLong(value));
            case "topicPartitions" -> setTopicPartitions(Integer.parseInt(value));
            case "topicReplicationFactor" -> setTopicReplicationFactor(Short.parseShort(value));
            case "sendTimeoutMs" -> setSendTimeoutMs(Long.parseLong(value));
            case "brokerCheckIntervalMs" -> setBrokerCheckIntervalMs(Long.parseLong(value));
            case "connectTimeoutMs" -> setConnectTimeoutMs(parseLong(key, value));
            case "transactions" -> setTransactions(value);
            case "transactionalIdPrefix" -> setTransactionalIdPrefix(value);
            case "queueMode" -> setQueueMode(QueueMode.parse(value));
            case "maxDeliveryAttempts" -> setMaxDeliveryAttempts(Integer.parseInt(value));
            case "deadLetterQueue" -> setDeadLetterQueue(value);
            case "blockOnAcknowledge" -> setBlockOnAcknowledge(parseBoolean(key, value));
            case "user", "userName" -> setUser(value);
            case "password" -> setPassword(value);
            default -> setKafkaProperty(key, value);
        }
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of milliseconds, not '" + value + "'", e);
        }
    }

    private static boolean parseBoolean(String key, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(key + " must be true or false, not '" + value + "'");
    }

    /** A factory serialized before {@code connectTimeoutMs} existed gets its default. */
    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (connectTimeoutMs <= 0) {
            connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
        }
    }

    /** What this factory's connections learnt about the brokers' share groups (made again after deserialization). */
    private transient volatile ShareGroupFacts shareGroupFacts;

    private ShareGroupFacts shareGroupFacts() {
        ShareGroupFacts f = shareGroupFacts;
        if (f == null) {
            synchronized (this) {
                f = shareGroupFacts;
                if (f == null) {
                    shareGroupFacts = f = new ShareGroupFacts(System::currentTimeMillis);
                }
            }
        }
        return f;
    }

    ConnectionSettings settings(String user, String password) {
        return new ConnectionSettings(bootstrapServers, clientId, dupsOkBatchSize, dupsOkIntervalMs, topicPartitions,
                topicReplicationFactor, sendTimeoutMs, brokerCheckIntervalMs, connectTimeoutMs, transactions, transactionalIdPrefix,
                queueMode, maxDeliveryAttempts, deadLetterQueue, blockOnAcknowledge, getKafkaProperties(), user, password);
    }

    @Override
    public Connection createConnection() throws JMSException {
        return createConnection(user, password);
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        return WeirConnection.open(settings(userName, password), shareGroupFacts());
    }

    @Override
    public QueueConnection createQueueConnection() throws JMSException {
        return createQueueConnection(user, password);
    }

    @Override
    public QueueConnection createQueueConnection(String userName, String password) throws JMSException {
        return WeirConnection.open(settings(userName, password), shareGroupFacts());
    }

    @Override
    public TopicConnection createTopicConnection() throws JMSException {
        return createTopicConnection(user, password);
    }

    @Override
    public TopicConnection createTopicConnection(String userName, String password) throws JMSException {
        return WeirConnection.open(settings(userName, password), shareGroupFacts());
    }

    @Override
    public JMSContext createContext() {
        return createContext(user, password, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        return createContext(userName, password, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        return createContext(user, password, sessionMode);
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        WeirJMSContext.checkMode(sessionMode);
        WeirConnection c = JmsExceptionSupport.runtime(() -> WeirConnection.open(settings(userName, password), shareGroupFacts()));
        return new WeirJMSContext(new WeirJMSContext.SharedConnection(c), sessionMode);
    }

    @Override
    public String toString() {
        return "WeirConnectionFactory(" + bootstrapServers + (clientId == null ? "" : ", clientId=" + clientId) + ")";
    }
}
