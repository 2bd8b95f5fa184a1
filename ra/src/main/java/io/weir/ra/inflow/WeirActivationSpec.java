package io.weir.ra.inflow;

import io.weir.jms.selector.MessageSelector;
import io.weir.ra.ProviderSettings;
import io.weir.ra.WeirResourceAdapter;
import jakarta.jms.InvalidSelectorException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;

import java.beans.IntrospectionException;
import java.beans.PropertyDescriptor;
import java.io.Serializable;
import java.util.Locale;

/**
 * How a message-driven bean receives: the standard properties of Jakarta Messaging 3.1 section 13
 * ({@code destination}, {@code destinationLookup}, {@code destinationType}, {@code messageSelector},
 * {@code acknowledgeMode}, {@code subscriptionDurability}, {@code subscriptionName}, {@code clientId},
 * {@code connectionFactoryLookup}, {@code maxSession}) and Weir's own ({@code bootstrapServers},
 * {@code connectionParameters}, {@code xaResourceId}, {@code userName}, {@code password}, {@code shareSubscriptions},
 * {@code maxDeliveryAttempts}, {@code deadLetterDestination}, {@code redeliveryDelayMs},
 * {@code redeliveryMaxDelayMs}, {@code reconnectInitialDelayMs}, {@code reconnectMaxDelayMs}, {@code prefetchRecords}). A JavaBean the server fills from the MDB's activation config; not thread-safe
 * while being filled, then read-only.
 */
public class WeirActivationSpec implements ActivationSpec, Serializable {

    private static final long serialVersionUID = 1L;

    /** What {@code destinationType} names. */
    public enum DestinationKind { QUEUE, TOPIC }

    private transient ResourceAdapter resourceAdapter;
    private String destination;
    private String destinationLookup;
    private String destinationType;
    private String messageSelector;
    private String acknowledgeMode = "Auto-acknowledge";
    private String subscriptionDurability = "NonDurable";
    private String subscriptionName;
    private String clientId;
    private String connectionFactoryLookup;
    private Integer maxSession = 15;
    private String bootstrapServers;
    private String connectionParameters;
    private String xaResourceId;
    private String userName;
    private String password;
    private Boolean shareSubscriptions = false;
    private Integer maxDeliveryAttempts = 10;
    private String deadLetterDestination = "DLQ";
    private Long redeliveryDelayMs = 200L;
    private Long redeliveryMaxDelayMs = 5000L;
    private Long reconnectInitialDelayMs = 1000L;
    private Long reconnectMaxDelayMs = 30_000L;
    private Integer prefetchRecords = 1;

    /**
     * Checks the configuration; called by the server at deployment and by the adapter at activation.
     *
     * @throws InvalidPropertyException whose message and descriptors name the property at fault
     */
    @Override
    public void validate() throws InvalidPropertyException {
        if (blank(destination) && blank(destinationLookup)) {
            throw invalid("destination", "neither destination nor destinationLookup is set");
        }
        if (destinationType != null && !destinationType.isBlank() && kindOf(destinationType) == null) {
            throw invalid("destinationType", "'" + destinationType + "' is neither jakarta.jms.Queue nor jakarta.jms.Topic");
        }
        try {
            MessageSelector.compile(messageSelector);
        } catch (InvalidSelectorException e) {
            InvalidPropertyException ipe = invalid("messageSelector", e.getMessage());
            ipe.initCause(e);
            throw ipe;
        }
        if (ackModeOf(acknowledgeMode) == null) {
            throw invalid("acknowledgeMode", "'" + acknowledgeMode + "' is neither Auto-acknowledge nor Dups-ok-acknowledge");
        }
        if (durableOf(subscriptionDurability) == null) {
            throw invalid("subscriptionDurability", "'" + subscriptionDurability + "' is neither Durable nor NonDurable");
        }
        if (isDurable() && kind() == DestinationKind.TOPIC && blank(subscriptionName)) {
            throw invalid("subscriptionName", "a durable subscription needs a subscriptionName");
        }
        if (sharesSubscriptions() && kind() == DestinationKind.TOPIC && blank(subscriptionName)) {
            throw invalid("subscriptionName", "a shared subscription (shareSubscriptions=true) needs a subscriptionName");
        }
        if (maxSession == null || maxSession < 1) {
            throw invalid("maxSession", "must be at least 1, not " + maxSession);
        }
        if (maxDeliveryAttempts == null) {
            throw invalid("maxDeliveryAttempts", "must be set (0 or less: no limit)");
        }
        if (redeliveryDelayMs == null || redeliveryDelayMs < 0) {
            throw invalid("redeliveryDelayMs", "must be 0 or more, not " + redeliveryDelayMs);
        }
        if (redeliveryMaxDelayMs == null || redeliveryMaxDelayMs < redeliveryDelayMs) {
            throw invalid("redeliveryMaxDelayMs", "must be at least redeliveryDelayMs, not " + redeliveryMaxDelayMs);
        }
        if (reconnectInitialDelayMs == null || reconnectInitialDelayMs < 1) {
            throw invalid("reconnectInitialDelayMs", "must be at least 1, not " + reconnectInitialDelayMs);
        }
        if (reconnectMaxDelayMs == null || reconnectMaxDelayMs < reconnectInitialDelayMs) {
            throw invalid("reconnectMaxDelayMs", "must be at least reconnectInitialDelayMs, not " + reconnectMaxDelayMs);
        }
        if (prefetchRecords == null || prefetchRecords < 0) {
            throw invalid("prefetchRecords", "must be 0 (the connection's) or more, not " + prefetchRecords);
        }
        try {
            new ProviderSettings(bootstrapServers, clientId, connectionParameters).parameters();
        } catch (IllegalArgumentException e) {
            throw invalid("connectionParameters", e.getMessage());
        }
    }

    private InvalidPropertyException invalid(String property, String problem) {
        InvalidPropertyException e = new InvalidPropertyException("Weir activation spec: " + property + ": " + problem);
        try {
            e.setInvalidPropertyDescriptors(new PropertyDescriptor[] {new PropertyDescriptor(property, WeirActivationSpec.class)});
        } catch (IntrospectionException ignored) {
            // the message names the property in any case
        }
        return e;
    }

    /** The kind {@code destinationType} names, or null for a name that is neither. */
    static DestinationKind kindOf(String type) {
        return switch (type.trim()) {
            case "jakarta.jms.Queue", "javax.jms.Queue", "Queue", "queue" -> DestinationKind.QUEUE;
            case "jakarta.jms.Topic", "javax.jms.Topic", "Topic", "topic" -> DestinationKind.TOPIC;
            default -> null;
        };
    }

    private static Boolean ackModeOf(String mode) {
        if (mode == null) {
            return null;
        }
        return switch (mode.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "auto-acknowledge" -> Boolean.FALSE;
            case "dups-ok-acknowledge" -> Boolean.TRUE;
            default -> null;
        };
    }

    private static Boolean durableOf(String d) {
        if (d == null) {
            return null;
        }
        return switch (d.trim().toLowerCase(Locale.ROOT)) {
            case "durable" -> Boolean.TRUE;
            case "nondurable", "non-durable" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The destination kind as configured (a queue when {@code destinationType} is not set). */
    public DestinationKind kind() {
        return blank(destinationType) ? DestinationKind.QUEUE : kindOf(destinationType);
    }

    /** True when {@code destinationType} was set explicitly. */
    boolean hasDestinationType() {
        return !blank(destinationType);
    }

    public boolean isDurable() {
        return Boolean.TRUE.equals(durableOf(subscriptionDurability));
    }

    /** The provider settings of this spec, unset ones taken from the adapter's. */
    ProviderSettings providerSettings() {
        ProviderSettings own = new ProviderSettings(bootstrapServers, clientId, connectionParameters);
        return resourceAdapter instanceof WeirResourceAdapter ra ? own.orElse(ra.defaults()) : own;
    }

    String effectiveUserName() {
        if (!blank(userName)) {
            return userName;
        }
        return resourceAdapter instanceof WeirResourceAdapter ra ? ra.getUserName() : null;
    }

    String effectivePassword() {
        if (!blank(userName)) {
            return password;
        }
        return resourceAdapter instanceof WeirResourceAdapter ra ? ra.getPassword() : null;
    }

    // ------------------------------------------------------------------ ResourceAdapterAssociation

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }

    // ------------------------------------------------------------------ properties

    public String getDestination() {
        return destination;
    }

    /** The Weir queue or topic name (see {@link #setDestinationLookup} for a JNDI name). */
    public void setDestination(String destination) {
        this.destination = destination;
    }

    public String getDestinationLookup() {
        return destinationLookup;
    }

    /** The JNDI name of a queue or topic admin object; takes precedence over {@code destination}. */
    public void setDestinationLookup(String destinationLookup) {
        this.destinationLookup = destinationLookup;
    }

    public String getDestinationType() {
        return destinationType;
    }

    /** {@code jakarta.jms.Queue} (default) or {@code jakarta.jms.Topic}. */
    public void setDestinationType(String destinationType) {
        this.destinationType = destinationType;
    }

    public String getMessageSelector() {
        return messageSelector;
    }

    public void setMessageSelector(String messageSelector) {
        this.messageSelector = messageSelector;
    }

    public String getAcknowledgeMode() {
        return acknowledgeMode;
    }

    /** {@code Auto-acknowledge} (default) or {@code Dups-ok-acknowledge}; both commit after each onMessage. */
    public void setAcknowledgeMode(String acknowledgeMode) {
        this.acknowledgeMode = acknowledgeMode;
    }

    public String getSubscriptionDurability() {
        return subscriptionDurability;
    }

    /** {@code NonDurable} (default) or {@code Durable}, for topics. */
    public void setSubscriptionDurability(String subscriptionDurability) {
        this.subscriptionDurability = subscriptionDurability;
    }

    public String getSubscriptionName() {
        return subscriptionName;
    }

    public void setSubscriptionName(String subscriptionName) {
        this.subscriptionName = subscriptionName;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getConnectionFactoryLookup() {
        return connectionFactoryLookup;
    }

    /** The JNDI name of a Weir connection factory whose settings the endpoint uses. */
    public void setConnectionFactoryLookup(String connectionFactoryLookup) {
        this.connectionFactoryLookup = connectionFactoryLookup;
    }

    public Integer getMaxSession() {
        return maxSession;
    }

    /** How many messages are delivered concurrently (default 15). */
    public void setMaxSession(Integer maxSession) {
        this.maxSession = maxSession;
    }

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getConnectionParameters() {
        return connectionParameters;
    }

    public void setConnectionParameters(String connectionParameters) {
        this.connectionParameters = connectionParameters;
    }

    public String getUserName() {
        return userName;
    }

    public void setUserName(String userName) {
        this.userName = userName;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public Boolean getShareSubscriptions() {
        return shareSubscriptions;
    }

    public boolean sharesSubscriptions() {
        return Boolean.TRUE.equals(shareSubscriptions);
    }

    /** For topics: consume through a shared subscription, so that {@code maxSession} sessions split its messages. */
    public void setShareSubscriptions(Boolean shareSubscriptions) {
        this.shareSubscriptions = shareSubscriptions;
    }

    public Integer getMaxDeliveryAttempts() {
        return maxDeliveryAttempts;
    }

    /** Deliveries of one message before it goes to the dead-letter destination (default 10; 0 or less: no limit). */
    public void setMaxDeliveryAttempts(Integer maxDeliveryAttempts) {
        this.maxDeliveryAttempts = maxDeliveryAttempts;
    }

    public String getDeadLetterDestination() {
        return deadLetterDestination;
    }

    /** The queue a message goes to once {@code maxDeliveryAttempts} deliveries failed (default {@code DLQ}). */
    public void setDeadLetterDestination(String deadLetterDestination) {
        this.deadLetterDestination = deadLetterDestination;
    }

    public Long getRedeliveryDelayMs() {
        return redeliveryDelayMs;
    }

    /**
     * How long a message that failed is held back before its second delivery (default 200; 0: at once); each
     * further delivery waits twice as long, up to {@link #setRedeliveryMaxDelayMs}.
     */
    public void setRedeliveryDelayMs(Long redeliveryDelayMs) {
        this.redeliveryDelayMs = redeliveryDelayMs;
    }

    public Long getRedeliveryMaxDelayMs() {
        return redeliveryMaxDelayMs;
    }

    /** The longest wait before a redelivery (default 5000). */
    public void setRedeliveryMaxDelayMs(Long redeliveryMaxDelayMs) {
        this.redeliveryMaxDelayMs = redeliveryMaxDelayMs;
    }

    /** How long delivery {@code attempt} (2 or more) of a message waits: the delay doubled per earlier redelivery. */
    long redeliveryDelayMs(int attempt) {
        if (attempt < 2 || redeliveryDelayMs == 0) {
            return 0;
        }
        long delay = redeliveryDelayMs;
        for (int i = 2; i < attempt && delay < redeliveryMaxDelayMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, redeliveryMaxDelayMs);
    }

    public Long getReconnectInitialDelayMs() {
        return reconnectInitialDelayMs;
    }

    public void setReconnectInitialDelayMs(Long reconnectInitialDelayMs) {
        this.reconnectInitialDelayMs = reconnectInitialDelayMs;
    }

    public Long getReconnectMaxDelayMs() {
        return reconnectMaxDelayMs;
    }

    public void setReconnectMaxDelayMs(Long reconnectMaxDelayMs) {
        this.reconnectMaxDelayMs = reconnectMaxDelayMs;
    }

    public Integer getPrefetchRecords() {
        return prefetchRecords;
    }

    /**
     * The most messages each delivery session acquires from a share-mode queue at a time (default 1: a session
     * delivers one message at a time, and what it acquired and has not delivered would wait for it while the other
     * {@code maxSession - 1} sessions may be idle); 0: the connection's lane sizes (up to hundreds for a fast consumer).
     */
    public void setPrefetchRecords(Integer prefetchRecords) {
        this.prefetchRecords = prefetchRecords;
    }

    /** The XA resource manager of the endpoint's transacted deliveries; unset: the resource adapter's. */
    public String getXaResourceId() {
        return xaResourceId;
    }

    public void setXaResourceId(String xaResourceId) {
        this.xaResourceId = xaResourceId;
    }

    @Override
    public String toString() {
        return "WeirActivationSpec(" + (blank(destinationLookup) ? destination : "lookup " + destinationLookup)
                + ", " + kind() + (blank(messageSelector) ? "" : ", selector " + messageSelector)
                + ", maxSession " + maxSession + ")";
    }
}
