package io.weir.jms.message;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;

/**
 * A message whose body is a stream of bytes written and read with {@link java.io.DataOutput}/
 * {@link java.io.DataInput} semantics (big-endian, {@code writeUTF} in modified UTF-8 with a two-byte length).
 *
 * <p>The body is write-only when created and after {@link #clearBody()}; {@link #reset()} (or receiving)
 * makes it read-only and puts the read position at the start.
 */
public final class WeirBytesMessage extends WeirMessage implements BytesMessage {

    private ByteArrayOutputStream written = new ByteArrayOutputStream();
    private DataOutputStream out = new DataOutputStream(written);
    /** The body while reading; null while writing. */
    private byte[] content;
    private DataInputStream in;

    public WeirBytesMessage() {
    }

    /** A message holding {@code body} (not copied), ready for reading. */
    static WeirBytesMessage readable(byte[] body) {
        WeirBytesMessage m = new WeirBytesMessage();
        m.startReading(body);
        return m;
    }

    @Override
    public BodyType bodyType() {
        return BodyType.BYTES;
    }

    private boolean reading() {
        return content != null;
    }

    private void startReading(byte[] body) {
        content = body;
        in = new DataInputStream(new ByteArrayInputStream(body));
        written = null;
        out = null;
    }

    /** The body bytes written or held so far, whatever the mode; not copied while reading. */
    private byte[] bytes() {
        return reading() ? content : written.toByteArray();
    }

    @Override
    public void reset() {
        startReading(bytes());
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
        content = null;
        in = null;
        written = new ByteArrayOutputStream();
        out = new DataOutputStream(written);
    }

    @Override
    protected WeirMessage copyBody() {
        WeirBytesMessage c = new WeirBytesMessage();
        if (reading()) {
            c.startReading(content.clone());
        } else {
            c.written.writeBytes(written.toByteArray());
        }
        return c;
    }

    @Override
    protected byte[] encodeBody() {
        return bytes().clone();
    }

    @Override
    protected boolean hasBody() {
        return bytes().length > 0;
    }

    @Override
    protected Object bodyValue() {
        return bytes().clone();
    }

    @Override
    protected Class<?> bodyClass() {
        return byte[].class;
    }

    /**
     * The whole body as a new byte[] (null when empty). As the specification says, a successful call resets the
     * message: it is then read-only with the read position at the start.
     */
    @Override
    public <T> T getBody(Class<T> c) throws JMSException {
        T body = super.getBody(c);
        reset();
        return body;
    }

    // ---------------------------------------------------------------- reading

    private DataInputStream input() throws MessageNotReadableException {
        if (!reading()) {
            throw new MessageNotReadableException("The BytesMessage body is write-only; call reset() to read it");
        }
        return in;
    }

    @Override
    public long getBodyLength() throws JMSException {
        input();
        return content.length;
    }

    @FunctionalInterface
    private interface Read<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** Reads a value; a read that fails leaves the position where it was (§3.11.3), so it can be retried. */
    private <T> T read(Read<T> r) throws JMSException {
        DataInputStream din = input();
        din.mark(content.length);
        try {
            return r.read(din);
        } catch (EOFException e) {
            rewind(din);
            throw linked(new MessageEOFException("Unexpected end of the BytesMessage body"), e);
        } catch (UTFDataFormatException e) {
            rewind(din);
            throw linked(new MessageFormatException("The BytesMessage body holds malformed UTF data: "
                    + e.getMessage()), e);
        } catch (IOException e) {
            throw linked(new JMSException("Cannot read the BytesMessage body: " + e), e);
        }
    }

    private static void rewind(DataInputStream din) {
        try {
            din.reset(); // a ByteArrayInputStream: always marked, never fails
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static <E extends JMSException> E linked(E jmsException, Exception cause) {
        jmsException.setLinkedException(cause);
        jmsException.initCause(cause);
        return jmsException;
    }

    @Override
    public boolean readBoolean() throws JMSException {
        return read(DataInputStream::readBoolean);
    }

    @Override
    public byte readByte() throws JMSException {
        return read(DataInputStream::readByte);
    }

    @Override
    public int readUnsignedByte() throws JMSException {
        return read(DataInputStream::readUnsignedByte);
    }

    @Override
    public short readShort() throws JMSException {
        return read(DataInputStream::readShort);
    }

    @Override
    public int readUnsignedShort() throws JMSException {
        return read(DataInputStream::readUnsignedShort);
    }

    @Override
    public char readChar() throws JMSException {
        return read(DataInputStream::readChar);
    }

    @Override
    public int readInt() throws JMSException {
        return read(DataInputStream::readInt);
    }

    @Override
    public long readLong() throws JMSException {
        return read(DataInputStream::readLong);
    }

    @Override
    public float readFloat() throws JMSException {
        return read(DataInputStream::readFloat);
    }

    @Override
    public double readDouble() throws JMSException {
        return read(DataInputStream::readDouble);
    }

    @Override
    public String readUTF() throws JMSException {
        return read(d -> d.readUTF());
    }

    @Override
    public int readBytes(byte[] value) throws JMSException {
        return readBytes(value, value.length);
    }

    @Override
    public int readBytes(byte[] value, int length) throws JMSException {
        if (length < 0 || length > value.length) {
            throw new IndexOutOfBoundsException("length " + length + " is not within 0.." + value.length);
        }
        DataInputStream din = input();
        try {
            if (din.available() == 0) {
                return -1;
            }
            return din.read(value, 0, length);
        } catch (IOException e) {
            throw linked(new JMSException("Cannot read the BytesMessage body: " + e), e);
        }
    }

    // ---------------------------------------------------------------- writing

    @FunctionalInterface
    private interface Write {
        void write(DataOutputStream out) throws IOException;
    }

    private void write(Write w) throws JMSException {
        checkBodyWritable();
        if (reading()) {
            throw new MessageNotWriteableException("The BytesMessage body is read-only; call clearBody() to write it");
        }
        try {
            w.write(out);
        } catch (UTFDataFormatException e) {
            throw linked(new MessageFormatException("Cannot write the string: " + e.getMessage()), e);
        } catch (IOException e) {
            throw linked(new JMSException("Cannot write the BytesMessage body: " + e), e);
        }
    }

    @Override
    public void writeBoolean(boolean value) throws JMSException {
        write(o -> o.writeBoolean(value));
    }

    @Override
    public void writeByte(byte value) throws JMSException {
        write(o -> o.writeByte(value));
    }

    @Override
    public void writeShort(short value) throws JMSException {
        write(o -> o.writeShort(value));
    }

    @Override
    public void writeChar(char value) throws JMSException {
        write(o -> o.writeChar(value));
    }

    @Override
    public void writeInt(int value) throws JMSException {
        write(o -> o.writeInt(value));
    }

    @Override
    public void writeLong(long value) throws JMSException {
        write(o -> o.writeLong(value));
    }

    @Override
    public void writeFloat(float value) throws JMSException {
        write(o -> o.writeFloat(value));
    }

    @Override
    public void writeDouble(double value) throws JMSException {
        write(o -> o.writeDouble(value));
    }

    @Override
    public void writeUTF(String value) throws JMSException {
        if (value == null) {
            throw new NullPointerException("writeUTF value must not be null");
        }
        write(o -> o.writeUTF(value));
    }

    @Override
    public void writeBytes(byte[] value) throws JMSException {
        write(o -> o.write(value));
    }

    @Override
    public void writeBytes(byte[] value, int offset, int length) throws JMSException {
        if (offset < 0 || length < 0 || offset + length > value.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " are not within an array of " + value.length);
        }
        write(o -> o.write(value, offset, length));
    }

    /** Writes a Boolean, Byte, Short, Character, Integer, Long, Float, Double, String (as UTF) or byte[]. */
    @Override
    public void writeObject(Object value) throws JMSException {
        if (value == null) {
            throw new NullPointerException("writeObject value must not be null");
        }
        if (value instanceof Boolean v) {
            writeBoolean(v);
        } else if (value instanceof Byte v) {
            writeByte(v);
        } else if (value instanceof Short v) {
            writeShort(v);
        } else if (value instanceof Character v) {
            writeChar(v);
        } else if (value instanceof Integer v) {
            writeInt(v);
        } else if (value instanceof Long v) {
            writeLong(v);
        } else if (value instanceof Float v) {
            writeFloat(v);
        } else if (value instanceof Double v) {
            writeDouble(v);
        } else if (value instanceof String v) {
            writeUTF(v);
        } else if (value instanceof byte[] v) {
            writeBytes(v);
        } else {
            throw new MessageFormatException("BytesMessage.writeObject accepts only objectified primitives, "
                    + "String and byte[], not " + value.getClass().getName());
        }
    }

    @Override
    public String toString() {
        return super.toString() + " bodyLength=" + bytes().length + (reading() ? " (reading)" : " (writing)");
    }
}
