package io.weir.jms.message;

import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The base of Weir's JMS messages: headers, properties and the read-only/write-only rules of Jakarta
 * Messaging §3. Subclasses hold the body.
 *
 * <p>Not thread-safe: a message is used by one thread at a time (JMS sessions are single-threaded), and the
 * provider hands a sent message's {@link #copy()} to its I/O, never the application's instance.
 *
 * <p>Lifecycle: a new message has writable properties and body. {@link #markReadOnly()} (on receive) makes
 * both read-only; {@link #clearProperties()} and {@link #clearBody()} each make their part writable again.
 * JMS header setters are always allowed (the provider sets them on send and receive).
 */
public abstract class WeirMessage implements Message {

    /** The JMS default priority. */
    public static final int DEFAULT_PRIORITY = 4;

    private String messageId;
    private long timestamp;
    private String correlationId;
    private byte[] correlationIdBytes;
    private Destination replyTo;
    private Destination destination;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private boolean redelivered;
    private String type;
    private long expiration;
    private long deliveryTime;
    private int priority = DEFAULT_PRIORITY;

    private final Map<String, Object> properties = new LinkedHashMap<>();
    private boolean propertiesReadOnly;
    private boolean bodyReadOnly;
    private MessageAcknowledger acknowledger;

    protected WeirMessage() {
    }

    /** A new message without a body. */
    public static WeirMessage create() {
        return new WeirPlainMessage();
    }

    // ---------------------------------------------------------------- provider hooks

    /** Sets what {@link #acknowledge()} does; null makes it a no-op. */
    public void setAcknowledger(MessageAcknowledger acknowledger) {
        this.acknowledger = acknowledger;
    }

    /** Makes properties and body read-only, as for a received message; a stream/bytes body is reset for reading. */
    public void markReadOnly() {
        propertiesReadOnly = true;
        bodyReadOnly = true;
        onBodyReadOnly();
    }

    /** Puts the body in the state encoding reads (a bytes or stream body is reset); headers are untouched. */
    public void prepareForSend() {
        // plain, text, map and object bodies are always ready
    }

    /** Sets {@code JMSXDeliveryCount}, whether or not the properties are read-only (the provider sets it on receive). */
    public void setDeliveryCount(int count) {
        properties.put(PropertyNames.JMSX_DELIVERY_COUNT, count);
    }

    /** The kind of message, which selects the body encoding. */
    public abstract BodyType bodyType();

    /**
     * A deep copy: headers, properties and body, without the acknowledger. The copy's properties and body are
     * writable, except that a bytes or stream body that was being read stays in read mode (call
     * {@code clearBody()} to write it); encoding does not depend on the mode.
     */
    public WeirMessage copy() {
        WeirMessage c = copyBody();
        c.messageId = messageId;
        c.timestamp = timestamp;
        c.correlationId = correlationId;
        c.correlationIdBytes = correlationIdBytes == null ? null : correlationIdBytes.clone();
        c.replyTo = replyTo;
        c.destination = destination;
        c.deliveryMode = deliveryMode;
        c.redelivered = redelivered;
        c.type = type;
        c.expiration = expiration;
        c.deliveryTime = deliveryTime;
        c.priority = priority;
        c.properties.putAll(properties); // values are immutable
        return c;
    }

    /** A new message of the same kind holding a deep copy of this body, writable. */
    protected abstract WeirMessage copyBody();

    /** The body in its wire form (see WIRE-FORMAT.md); does not change the message's state. */
    protected abstract byte[] encodeBody() throws JMSException;

    /** Called by {@link #markReadOnly()} after the body became read-only. */
    protected void onBodyReadOnly() {
    }

    /** Empties the body; called by {@link #clearBody()}, which then makes it writable. */
    protected abstract void clearBodyContent();

    /** True when the properties are read-only (received and not cleared since). */
    public final boolean isPropertiesReadOnly() {
        return propertiesReadOnly;
    }

    protected final void checkBodyWritable() throws MessageNotWriteableException {
        if (bodyReadOnly) {
            throw new MessageNotWriteableException("The message body is read-only; call clearBody() to write it");
        }
    }

    // ---------------------------------------------------------------- headers

    @Override
    public String getJMSMessageID() {
        return messageId;
    }

    @Override
    public void setJMSMessageID(String id) {
        this.messageId = id;
    }

    @Override
    public long getJMSTimestamp() {
        return timestamp;
    }

    @Override
    public void setJMSTimestamp(long timestamp) {
        this.timestamp = timestamp;
    }

    @Override
    public byte[] getJMSCorrelationIDAsBytes() {
        if (correlationIdBytes != null) {
            return correlationIdBytes.clone();
        }
        return correlationId == null ? null : correlationId.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void setJMSCorrelationIDAsBytes(byte[] correlationId) {
        this.correlationIdBytes = correlationId == null ? null : correlationId.clone();
        this.correlationId = null;
    }

    @Override
    public void setJMSCorrelationID(String correlationId) {
        this.correlationId = correlationId;
        this.correlationIdBytes = null;
    }

    @Override
    public String getJMSCorrelationID() {
        if (correlationIdBytes != null) {
            return new String(correlationIdBytes, StandardCharsets.UTF_8);
        }
        return correlationId;
    }

    /** True when the correlation ID was set as bytes (it is then carried as bytes on the wire). */
    public boolean hasCorrelationIdBytes() {
        return correlationIdBytes != null;
    }

    @Override
    public Destination getJMSReplyTo() {
        return replyTo;
    }

    @Override
    public void setJMSReplyTo(Destination replyTo) {
        this.replyTo = replyTo;
    }

    @Override
    public Destination getJMSDestination() {
        return destination;
    }

    @Override
    public void setJMSDestination(Destination destination) {
        this.destination = destination;
    }

    @Override
    public int getJMSDeliveryMode() {
        return deliveryMode;
    }

    @Override
    public void setJMSDeliveryMode(int deliveryMode) {
        this.deliveryMode = deliveryMode;
    }

    @Override
    public boolean getJMSRedelivered() {
        return redelivered;
    }

    @Override
    public void setJMSRedelivered(boolean redelivered) {
        this.redelivered = redelivered;
    }

    @Override
    public String getJMSType() {
        return type;
    }

    @Override
    public void setJMSType(String type) {
        this.type = type;
    }

    @Override
    public long getJMSExpiration() {
        return expiration;
    }

    @Override
    public void setJMSExpiration(long expiration) {
        this.expiration = expiration;
    }

    @Override
    public long getJMSDeliveryTime() {
        return deliveryTime;
    }

    @Override
    public void setJMSDeliveryTime(long deliveryTime) {
        this.deliveryTime = deliveryTime;
    }

    @Override
    public int getJMSPriority() {
        return priority;
    }

    @Override
    public void setJMSPriority(int priority) {
        this.priority = priority;
    }

    // ---------------------------------------------------------------- properties

    @Override
    public void clearProperties() {
        properties.clear();
        propertiesReadOnly = false;
    }

    @Override
    public boolean propertyExists(String name) {
        return name != null && properties.containsKey(name);
    }

    @Override
    public boolean getBooleanProperty(String name) throws JMSException {
        return TypeConversions.toBoolean(property(name));
    }

    @Override
    public byte getByteProperty(String name) throws JMSException {
        return TypeConversions.toByte(property(name));
    }

    @Override
    public short getShortProperty(String name) throws JMSException {
        return TypeConversions.toShort(property(name));
    }

    @Override
    public int getIntProperty(String name) throws JMSException {
        return TypeConversions.toInt(property(name));
    }

    @Override
    public long getLongProperty(String name) throws JMSException {
        return TypeConversions.toLong(property(name));
    }

    @Override
    public float getFloatProperty(String name) throws JMSException {
        return TypeConversions.toFloat(property(name));
    }

    @Override
    public double getDoubleProperty(String name) throws JMSException {
        return TypeConversions.toDouble(property(name));
    }

    @Override
    public String getStringProperty(String name) throws JMSException {
        return TypeConversions.toStringValue(property(name));
    }

    @Override
    public Object getObjectProperty(String name) {
        return property(name);
    }

    private Object property(String name) {
        return name == null ? null : properties.get(name);
    }

    @Override
    public Enumeration<String> getPropertyNames() {
        return Collections.enumeration(new java.util.ArrayList<>(properties.keySet()));
    }

    /** The properties as name → value (Boolean, Byte, Short, Integer, Long, Float, Double, String or null); a copy. */
    public Map<String, Object> properties() {
        return new LinkedHashMap<>(properties);
    }

    @Override
    public void setBooleanProperty(String name, boolean value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setByteProperty(String name, byte value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setShortProperty(String name, short value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setIntProperty(String name, int value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setLongProperty(String name, long value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setFloatProperty(String name, float value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setDoubleProperty(String name, double value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setStringProperty(String name, String value) throws JMSException {
        putProperty(name, value);
    }

    @Override
    public void setObjectProperty(String name, Object value) throws JMSException {
        if (value != null && !TypeConversions.isPropertyType(value)) {
            PropertyNames.validate(name);
            throw new MessageFormatException("A property value must be a Boolean, Byte, Short, Integer, Long, "
                    + "Float, Double or String, not " + value.getClass().getName() + " (property '" + name + "')");
        }
        putProperty(name, value);
    }

    private void putProperty(String name, Object value) throws MessageNotWriteableException {
        PropertyNames.validate(name);
        if (propertiesReadOnly) {
            throw new MessageNotWriteableException(
                    "The message properties are read-only; call clearProperties() to set '" + name + "'");
        }
        properties.put(name, value);
    }

    // ---------------------------------------------------------------- acknowledge and body

    @Override
    public void acknowledge() throws JMSException {
        MessageAcknowledger a = acknowledger;
        if (a != null) {
            a.acknowledge();
        }
    }

    @Override
    public void clearBody() throws JMSException {
        clearBodyContent();
        bodyReadOnly = false;
    }

    /** True when the message has a body in the sense of {@link #getBody(Class)}. */
    protected abstract boolean hasBody() throws JMSException;

    /** The body as {@link #getBody(Class)} returns it; called only when {@link #hasBody()}. */
    protected abstract Object bodyValue() throws JMSException;

    /** The type {@link #bodyValue()} is checked against; called only when {@link #hasBody()}. */
    protected abstract Class<?> bodyClass() throws JMSException;

    @Override
    public <T> T getBody(Class<T> c) throws JMSException {
        if (!hasBody()) {
            return null;
        }
        if (!c.isAssignableFrom(bodyClass())) {
            throw new MessageFormatException("The body of this " + bodyType().wireName() + " message is a "
                    + bodyClass().getName() + " and cannot be returned as " + c.getName());
        }
        return c.cast(bodyValue());
    }

    @SuppressWarnings("rawtypes")
    @Override
    public boolean isBodyAssignableTo(Class c) throws JMSException {
        if (!hasBody()) {
            return true;
        }
        Class<?> target = c;
        return target.isAssignableFrom(bodyClass());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{id=" + messageId + ", destination=" + destination
                + ", timestamp=" + timestamp + ", correlationId=" + getJMSCorrelationID() + ", type=" + type
                + ", deliveryMode=" + deliveryMode + ", priority=" + priority + ", expiration=" + expiration
                + ", deliveryTime=" + deliveryTime + ", redelivered=" + redelivered + ", replyTo=" + replyTo
                + ", properties=" + properties + "}";
    }
}
