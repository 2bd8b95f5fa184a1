package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message whose body is a map of names to objectified primitives, Strings, Characters and byte arrays,
 * read with the conversions of {@link TypeConversions}. byte[] values are copied in and out.
 */
public final class WeirMapMessage extends WeirMessage implements MapMessage {

    private final Map<String, Object> map = new LinkedHashMap<>();

    public WeirMapMessage() {
    }

    @Override
    public BodyType bodyType() {
        return BodyType.MAP;
    }

    /** The entries, byte[] values shared (not copied); for the codec. */
    Map<String, Object> entries() {
        return map;
    }

    private Object value(String name) {
        return name == null ? null : map.get(name);
    }

    @Override
    public boolean getBoolean(String name) throws JMSException {
        return TypeConversions.toBoolean(value(name));
    }

    @Override
    public byte getByte(String name) throws JMSException {
        return TypeConversions.toByte(value(name));
    }

    @Override
    public short getShort(String name) throws JMSException {
        return TypeConversions.toShort(value(name));
    }

    @Override
    public char getChar(String name) throws JMSException {
        return TypeConversions.toChar(value(name));
    }

    @Override
    public int getInt(String name) throws JMSException {
        return TypeConversions.toInt(value(name));
    }

    @Override
    public long getLong(String name) throws JMSException {
        return TypeConversions.toLong(value(name));
    }

    @Override
    public float getFloat(String name) throws JMSException {
        return TypeConversions.toFloat(value(name));
    }

    @Override
    public double getDouble(String name) throws JMSException {
        return TypeConversions.toDouble(value(name));
    }

    @Override
    public String getString(String name) throws JMSException {
        return TypeConversions.toStringValue(value(name));
    }

    @Override
    public byte[] getBytes(String name) throws JMSException {
        byte[] b = TypeConversions.toBytes(value(name));
        return b == null ? null : b.clone();
    }

    @Override
    public Object getObject(String name) {
        Object v = value(name);
        return v instanceof byte[] b ? b.clone() : v;
    }

    @Override
    public Enumeration<String> getMapNames() {
        return Collections.enumeration(new java.util.ArrayList<>(map.keySet()));
    }

    @Override
    public boolean itemExists(String name) {
        return name != null && map.containsKey(name);
    }

    private void put(String name, Object value) throws JMSException {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A MapMessage entry name must not be null or empty");
        }
        checkBodyWritable();
        map.put(name, value);
    }

    @Override
    public void setBoolean(String name, boolean value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setByte(String name, byte value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setShort(String name, short value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setChar(String name, char value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setInt(String name, int value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setLong(String name, long value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setFloat(String name, float value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setDouble(String name, double value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setString(String name, String value) throws JMSException {
        put(name, value);
    }

    @Override
    public void setBytes(String name, byte[] value) throws JMSException {
        put(name, value == null ? null : value.clone());
    }

    @Override
    public void setBytes(String name, byte[] value, int offset, int length) throws JMSException {
        if (value == null) {
            put(name, null);
            return;
        }
        if (offset < 0 || length < 0 || offset + length > value.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " are not within an array of " + value.length);
        }
        byte[] copy = new byte[length];
        System.arraycopy(value, offset, copy, 0, length);
        put(name, copy);
    }

    /** Accepts objectified primitives (Character included), String, byte[] (copied) and null. */
    @Override
    public void setObject(String name, Object value) throws JMSException {
        if (value != null && !TypeConversions.isBodyValueType(value)) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("A MapMessage entry name must not be null or empty");
            }
            throw new MessageFormatException("A MapMessage value must be an objectified primitive, String or "
                    + "byte[], not " + value.getClass().getName() + " (entry '" + name + "')");
        }
        put(name, value instanceof byte[] b ? b.clone() : value);
    }

    @Override
    protected WeirMessage copyBody() {
        WeirMapMessage c = new WeirMapMessage();
        map.forEach((k, v) -> c.map.put(k, v instanceof byte[] b ? b.clone() : v));
        return c;
    }

    @Override
    protected byte[] encodeBody() throws JMSException {
        return BodyValues.encodeMap(map);
    }

    @Override
    protected void clearBodyContent() {
        map.clear();
    }

    @Override
    protected boolean hasBody() {
        return !map.isEmpty();
    }

    /** A new HashMap of the entries, byte[] values copied. */
    @Override
    protected Object bodyValue() {
        Map<String, Object> copy = new HashMap<>();
        map.forEach((k, v) -> copy.put(k, v instanceof byte[] b ? b.clone() : v));
        return copy;
    }

    @Override
    protected Class<?> bodyClass() {
        return Map.class;
    }

    @Override
    public String toString() {
        return super.toString() + " mapNames=" + map.keySet();
    }
}
