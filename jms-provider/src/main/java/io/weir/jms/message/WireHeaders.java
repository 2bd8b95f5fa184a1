package io.weir.jms.message;

/**
 * The Kafka record header names Weir uses for JMS headers (see WIRE-FORMAT.md). They all start with
 * {@code jms.}, which no property name can (a property name is a Java identifier), so they never collide
 * with properties, which are carried as headers under their own names.
 */
public final class WireHeaders {

    public static final String PREFIX = "jms.";
    public static final String BODY_TYPE = "jms.body-type";
    public static final String MESSAGE_ID = "jms.message-id";
    public static final String TIMESTAMP = "jms.timestamp";
    public static final String CORRELATION_ID = "jms.correlation-id";
    public static final String CORRELATION_ID_BYTES = "jms.correlation-id-bytes";
    public static final String REPLY_TO = "jms.reply-to";
    public static final String DESTINATION = "jms.destination";
    public static final String DELIVERY_MODE = "jms.delivery-mode";
    public static final String EXPIRATION = "jms.expiration";
    public static final String DELIVERY_TIME = "jms.delivery-time";
    public static final String PRIORITY = "jms.priority";
    public static final String TYPE = "jms.type";
    public static final String PROPERTY_TYPES = "jms.property-types";
    /** A MIME type, written for every Weir message and read from plain Kafka records. */
    public static final String CONTENT_TYPE = "content-type";

    public static final String TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
    public static final String BYTES_CONTENT_TYPE = "application/octet-stream";
    public static final String MAP_CONTENT_TYPE = "application/vnd.weir.jms-map";
    public static final String STREAM_CONTENT_TYPE = "application/vnd.weir.jms-stream";
    public static final String OBJECT_CONTENT_TYPE = "application/x-java-serialized-object";

    private WireHeaders() {
    }
}
