package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.StreamMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * A message whose body is a sequence of typed values (objectified primitives, Characters, Strings, byte
 * arrays, nulls), read back in order with the conversions of {@link TypeConversions}.
 *
 * <p>The body is write-only when created and after {@link #clearBody()}; {@link #reset()} (or receiving)
 * makes it read-only and moves to the first value. A read that fails (wrong type, bad number string, null
 * read as a primitive) leaves the position where it was. A byte[] value may be read in chunks with
 * {@link #readBytes(byte[])}; until that returns -1 no other value may be read.
 */
public final class WeirStreamMessage extends WeirMessage implements StreamMessage {

    private final List<Object> values = new ArrayList<>();
    private boolean reading;
    private int position;
    /** The byte[] value being read in chunks by readBytes, or null. */
    private byte[] bytesInProgress;
    private int bytesOffset;

    public WeirStreamMessage() {
    }

    @Override
    public BodyType bodyType() {
        return BodyType.STREAM;
    }

    /** The values, byte[] shared (not copied); for the codec. */
    List<Object> values() {
        return values;
    }

    @Override
    public void reset() {
        reading = true;
        position = 0;
        bytesInProgress = null;
        bytesOffset = 0;
    }

    @Override
    public void prepareForSend() {
        reset();
    }

    @Override
    protected void onBodyReadOnly() {
        reset();
    }

    @Override
    protected void clearBodyContent() {
        values.clear();
        reading = false;
        position = 0;
        bytesInProgress = null;
        bytesOffset = 0;
    }

    @Override
    protected WeirMessage copyBody() {
        WeirStreamMessage c = new WeirStreamMessage();
        for (Object v : values) {
            c.values.add(v instanceof byte[] b ? b.clone() : v);
        }
        if (reading) {
            c.reset();
        }
        return c;
    }

    @Override
    protected byte[] encodeBody() throws JMSException {
        return BodyValues.encodeStream(values);
    }

    @Override
    protected boolean hasBody() {
        return !values.isEmpty();
    }

    @Override
    protected Object bodyValue() throws JMSException {
        throw new MessageFormatException("The body of a StreamMessage cannot be returned by getBody");
    }

    @Override
    protected Class<?> bodyClass() {
        return List.class;
    }

    /** Always throws {@link MessageFormatException}, as the specification says for a StreamMessage. */
    @Override
    public <T> T getBody(Class<T> c) throws JMSException {
        throw new MessageFormatException("The body of a StreamMessage cannot be returned by getBody");
    }

    /** Always false, as the specification says for a StreamMessage. */
    @SuppressWarnings("rawtypes")
    @Override
    public boolean isBodyAssignableTo(Class c) {
        return false;
    }

    // ---------------------------------------------------------------- reading

    @FunctionalInterface
    private interface Conversion<T> {
        T convert(Object value) throws JMSException;
    }

    private Object peek() throws JMSException {
        if (!reading) {
            throw new MessageNotReadableException("The StreamMessage body is write-only; call reset() to read it");
        }
        if (bytesInProgress != null) {
            throw new MessageFormatException("A byte[] value is being read with readBytes; read it to its end "
                    + "(until readBytes returns -1) before reading the next value");
        }
        if (position >= values.size()) {
            throw new MessageEOFException("The end of the StreamMessage body has been reached");
        }
        return values.get(position);
    }

    /** Converts the next value; the position moves only when the conversion succeeds. */
    private <T> T next(Conversion<T> conversion) throws JMSException {
        T result = conversion.convert(peek());
        position++;
        return result;
    }

    @Override
    public boolean readBoolean() throws JMSException {
        return next(TypeConversions::toBoolean);
    }

    @Override
    public byte readByte() throws JMSException {
        return next(TypeConversions::toByte);
    }

    @Override
    public short readShort() throws JMSException {
        return next(TypeConversions::toShort);
    }

    @Override
    public char readChar() throws JMSException {
        return next(TypeConversions::toChar);
    }

    @Override
    public int readInt() throws JMSException {
        return next(TypeConversions::toInt);
    }

    @Override
    public long readLong() throws JMSException {
        return next(TypeConversions::toLong);
    }

    @Override
    public float readFloat() throws JMSException {
        return next(TypeConversions::toFloat);
    }

    @Override
    public double readDouble() throws JMSException {
        return next(TypeConversions::toDouble);
    }

    @Override
    public String readString() throws JMSException {
        return next(TypeConversions::toStringValue);
    }

    @Override
    public Object readObject() throws JMSException {
        return next(v -> v instanceof byte[] b ? b.clone() : v);
    }

    /**
     * Reads the next byte[] value, or its next chunk, into {@code value}. Returns the number of bytes read
     * (0 for an empty array), and -1 when the value is null or after a read that filled {@code value}
     * exactly and left nothing. A read that returns less than {@code value.length} ends the value.
     */
    @Override
    public int readBytes(byte[] value) throws JMSException {
        if (!reading) {
            throw new MessageNotReadableException("The StreamMessage body is write-only; call reset() to read it");
        }
        if (bytesInProgress == null) {
            if (position >= values.size()) {
                throw new MessageEOFException("The end of the StreamMessage body has been reached");
            }
            Object next = values.get(position);
            if (next == null) {
                position++;
                return -1;
            }
            if (!(next instanceof byte[] b)) {
                throw new MessageFormatException(
                        "A " + TypeConversions.typeName(next) + " value cannot be read as byte[]");
            }
            bytesInProgress = b;
            bytesOffset = 0;
        } else if (bytesOffset >= bytesInProgress.length) {
            bytesInProgress = null;
            bytesOffset = 0;
            position++;
            return -1;
        }
        int n = Math.min(value.length, bytesInProgress.length - bytesOffset);
        System.arraycopy(bytesInProgress, bytesOffset, value, 0, n);
        bytesOffset += n;
        if (n < value.length) {
            // a short read ends the value: the next value may be read without a closing -1
            bytesInProgress = null;
            bytesOffset = 0;
            position++;
        }
        return n;
    }

    // ---------------------------------------------------------------- writing

    private void add(Object value) throws JMSException {
        checkBodyWritable();
        if (reading) {
            throw new MessageNotWriteableException("The StreamMessage body is read-only; call clearBody() to write it");
        }
        values.add(value);
    }

    @Override
    public void writeBoolean(boolean value) throws JMSException {
        add(value);
    }

    @Override
    public void writeByte(byte value) throws JMSException {
        add(value);
    }

    @Override
    public void writeShort(short value) throws JMSException {
        add(value);
    }

    @Override
    public void writeChar(char value) throws JMSException {
        add(value);
    }

    @Override
    public void writeInt(int value) throws JMSException {
        add(value);
    }

    @Override
    public void writeLong(long value) throws JMSException {
        add(value);
    }

    @Override
    public void writeFloat(float value) throws JMSException {
        add(value);
    }

    @Override
    public void writeDouble(double value) throws JMSException {
        add(value);
    }

    @Override
    public void writeString(String value) throws JMSException {
        add(value);
    }

    @Override
    public void writeBytes(byte[] value) throws JMSException {
        add(value == null ? null : value.clone());
    }

    @Override
    public void writeBytes(byte[] value, int offset, int length) throws JMSException {
        if (offset < 0 || length < 0 || offset + length > value.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " are not within an array of " + value.length);
        }
        byte[] copy = new byte[length];
        System.arraycopy(value, offset, copy, 0, length);
        add(copy);
    }

    /** Accepts objectified primitives (Character included), String, byte[] (copied) and null. */
    @Override
    public void writeObject(Object value) throws JMSException {
        if (value != null && !TypeConversions.isBodyValueType(value)) {
            throw new MessageFormatException("StreamMessage.writeObject accepts only objectified primitives, "
                    + "String and byte[], not " + value.getClass().getName());
        }
        add(value instanceof byte[] b ? b.clone() : value);
    }

    @Override
    public String toString() {
        return super.toString() + " values=" + values.size() + (reading ? " (reading at " + position + ")" : " (writing)");
    }
}
