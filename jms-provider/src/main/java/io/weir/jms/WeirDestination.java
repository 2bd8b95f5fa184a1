package io.weir.jms;

import jakarta.jms.Destination;

import java.io.Serializable;
import java.util.Objects;

/**
 * A JMS destination backed by the Kafka topic of the same name. Immutable value: two destinations are equal
 * when they have the same kind (queue/topic, temporary or not) and name. Its URI form
 * ({@code queue://name}, {@code topic://name}, {@code temp-queue://name}, {@code temp-topic://name}) is what
 * the wire format carries in {@code JMSDestination}/{@code JMSReplyTo} headers.
 */
public abstract class WeirDestination implements Destination, Serializable {

    private static final long serialVersionUID = 1L;

    static final String QUEUE_SCHEME = "queue://";
    static final String TOPIC_SCHEME = "topic://";
    static final String TEMP_QUEUE_SCHEME = "temp-queue://";
    static final String TEMP_TOPIC_SCHEME = "temp-topic://";

    private final String name;

    WeirDestination(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The destination's (and its Kafka topic's) name. */
    public String name() {
        return name;
    }

    /** True for queues (point-to-point), false for topics (publish/subscribe). */
    public abstract boolean isQueue();

    /** True for temporary destinations. */
    public abstract boolean isTemporary();

    /** {@code queue://name}, {@code topic://name}, {@code temp-queue://name} or {@code temp-topic://name}. */
    public String toUri() {
        return scheme() + name;
    }

    private String scheme() {
        if (isQueue()) {
            return isTemporary() ? TEMP_QUEUE_SCHEME : QUEUE_SCHEME;
        }
        return isTemporary() ? TEMP_TOPIC_SCHEME : TOPIC_SCHEME;
    }

    /**
     * Parses the form {@link #toUri()} writes. A temporary destination parsed here has no owner, so its
     * {@code delete()} throws {@link jakarta.jms.IllegalStateException}.
     *
     * @throws IllegalArgumentException if {@code uri} is null, has an unknown scheme or an illegal name
     */
    public static WeirDestination fromUri(String uri) {
        if (uri == null) {
            throw new IllegalArgumentException("Destination URI must not be null");
        }
        WeirDestination d;
        if (uri.startsWith(QUEUE_SCHEME)) {
            d = new WeirQueue(uri.substring(QUEUE_SCHEME.length()));
        } else if (uri.startsWith(TOPIC_SCHEME)) {
            d = new WeirTopic(uri.substring(TOPIC_SCHEME.length()));
        } else if (uri.startsWith(TEMP_QUEUE_SCHEME)) {
            d = new WeirTemporaryQueue(uri.substring(TEMP_QUEUE_SCHEME.length()), null);
        } else if (uri.startsWith(TEMP_TOPIC_SCHEME)) {
            d = new WeirTemporaryTopic(uri.substring(TEMP_TOPIC_SCHEME.length()), null);
        } else {
            throw new IllegalArgumentException("Destination URI '" + uri
                    + "' does not start with queue://, topic://, temp-queue:// or temp-topic://");
        }
        String problem = DestinationNames.problem(d.name());
        if (problem != null) {
            throw new IllegalArgumentException("Destination URI '" + uri + "': " + problem);
        }
        return d;
    }

    @Override
    public final boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WeirDestination other)) {
            return false;
        }
        return isQueue() == other.isQueue() && isTemporary() == other.isTemporary() && name.equals(other.name);
    }

    @Override
    public final int hashCode() {
        return Objects.hash(isQueue(), isTemporary(), name);
    }

    @Override
    public String toString() {
        return toUri();
    }
}
