package io.weir.ra;

import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.WeirXAConnectionFactory;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provider settings shared by the resource adapter, its managed connection factories and activation specs:
 * the brokers, an administratively configured client id, and {@code connectionParameters}, a
 * {@code key=value;key=value} list of other provider settings ({@code sendTimeoutMs}, {@code topicPartitions},
 * ...) or kafka-clients properties ({@code security.protocol}, ...), as {@link WeirConnectionFactory#setProperty}
 * takes them. Immutable value.
 */
public record ProviderSettings(String bootstrapServers, String clientId, String connectionParameters)
        implements Serializable {

    /**
     * The parameters as a map, in their order.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code key=value}
     */
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        if (connectionParameters == null || connectionParameters.isBlank()) {
            return m;
        }
        for (String entry : connectionParameters.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("connectionParameters: '" + entry.trim()
                        + "' is not key=value (entries are separated by ';')");
            }
            m.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return m;
    }

    /**
     * A provider factory with these settings.
     *
     * @throws IllegalArgumentException if no bootstrap servers are set or a parameter is malformed
     */
    public WeirConnectionFactory connectionFactory() {
        return configure(new WeirConnectionFactory(checkedBootstrapServers()));
    }

    /**
     * A provider XA factory with these settings, one resource manager named {@code xaResourceId} (an
     * {@code xaResourceId} among the parameters wins).
     *
     * @throws IllegalArgumentException if no bootstrap servers are set, a parameter is malformed or the id is blank
     */
    public WeirXAConnectionFactory xaConnectionFactory(String xaResourceId) {
        WeirXAConnectionFactory f = new WeirXAConnectionFactory(checkedBootstrapServers());
        try {
            f.setXaResourceId(xaResourceId);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("xaResourceId: " + e.getMessage(), e);
        }
        return configure(f);
    }

    private String checkedBootstrapServers() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is not set (on the resource adapter, the "
                    + "managed connection factory or the activation spec)");
        }
        return bootstrapServers.trim();
    }

    private <F extends WeirConnectionFactory> F configure(F f) {
        // The adapter's container transactions are proven (ra-it: redeploys lose nothing) with the provider's
        // local transacted sessions; with broker transactions ("transactions=kafka" in connectionParameters)
        // an undeploy under load lost two messages once, not yet understood: local until it is.
        f.setTransactions("local");
        // Queues: the provider's default mode (queueMode=auto: share groups where the brokers serve them, so the
        // same MDB on several servers shares even a one-partition queue); "queueMode=classic" in connectionParameters
        // reads them through consumer groups. The redelivery limit of a message endpoint is the activation spec's
        // (maxDeliveryAttempts, deadLetterDestination), checked when the message is next delivered, after its
        // held-back redelivery: the provider's own share-mode limit, checked when the last allowed delivery is rolled
        // back and counting a message the endpoint was never given (received, then held back when the endpoint was
        // deactivated), would dead-letter messages of an endpoint failing only while it is being stopped. So it is off
        // here ("maxDeliveryAttempts=N" in connectionParameters sets it).
        f.setMaxDeliveryAttempts(0);
        // One record per share fetch: a session holds at most the message it delivers, so the endpoint's maxSession
        // sessions (and the same endpoint on other servers) take a queue's messages one by one. With the provider's
        // batches (up to 10 a member) one session, blocked in onMessage, could hold the next nine while the others
        // idle. A round trip per message; "max.poll.records=N" in connectionParameters sets a batch again.
        f.setKafkaProperty("max.poll.records", "1");
        if (clientId != null && !clientId.isBlank()) {
            f.setClientId(clientId);
        }
        for (Map.Entry<String, String> e : parameters().entrySet()) {
            try {
                f.setProperty(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("connectionParameters: " + e.getKey() + "=" + e.getValue()
                        + ": " + ex.getMessage(), ex);
            }
        }
        return f;
    }

    /** These settings, each unset one taken from {@code defaults}. */
    public ProviderSettings orElse(ProviderSettings defaults) {
        if (defaults == null) {
            return this;
        }
        return new ProviderSettings(blank(bootstrapServers) ? defaults.bootstrapServers : bootstrapServers,
                blank(clientId) ? defaults.clientId : clientId,
                blank(connectionParameters) ? defaults.connectionParameters : connectionParameters);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
