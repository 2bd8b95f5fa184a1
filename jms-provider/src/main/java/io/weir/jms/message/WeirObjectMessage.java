package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.ObjectMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * A message whose body is a Serializable object. The object is serialized when it is set, so later changes
 * to it are not seen, and deserialized (a new instance) on every {@link #getObject()}, using the thread's
 * context class loader when there is one.
 *
 * <p>Deserializing a received object runs code chosen by the sender. {@link #setDeserializationFilter} lets
 * the provider restrict the classes (e.g. from connection-factory configuration); without one, the JVM-wide
 * filter ({@code -Djdk.serialFilter}) applies, as for any {@link ObjectInputStream}.
 */
public final class WeirObjectMessage extends WeirMessage implements ObjectMessage {

    private byte[] serialized;
    private ObjectInputFilter filter;

    public WeirObjectMessage() {
    }

    /** Restricts what {@link #getObject()} may deserialize; null for the JVM-wide filter. Copied by {@link #copy()}. */
    public void setDeserializationFilter(ObjectInputFilter filter) {
        this.filter = filter;
    }

    @Override
    public BodyType bodyType() {
        return BodyType.OBJECT;
    }

    @Override
    public void setObject(Serializable object) throws JMSException {
        checkBodyWritable();
        serialized = object == null ? null : serialize(object);
    }

    @Override
    public Serializable getObject() throws JMSException {
        return serialized == null ? null : deserialize(serialized, filter);
    }

    /** The Java serialization bytes of the body, or null; a copy. */
    public byte[] serializedObject() {
        return serialized == null ? null : serialized.clone();
    }

    /** Sets the body from Java serialization bytes (as received); they are checked on {@link #getObject()}. */
    public void setSerializedObject(byte[] bytes) throws JMSException {
        checkBodyWritable();
        serialized = bytes == null ? null : bytes.clone();
    }

    static byte[] serialize(Serializable object) throws MessageFormatException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(object);
        } catch (IOException e) {
            MessageFormatException mfe = new MessageFormatException(
                    "Cannot serialize the ObjectMessage body of type " + object.getClass().getName() + ": " + e);
            mfe.setLinkedException(e);
            mfe.initCause(e);
            throw mfe;
        }
        return out.toByteArray();
    }

    static Serializable deserialize(byte[] bytes, ObjectInputFilter filter) throws MessageFormatException {
        try (ObjectInputStream in = new ContextClassLoaderObjectInputStream(new ByteArrayInputStream(bytes))) {
            if (filter != null) {
                in.setObjectInputFilter(filter);
            }
            Object o = in.readObject();
            return (Serializable) o;
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            MessageFormatException mfe =
                    new MessageFormatException("Cannot deserialize the ObjectMessage body: " + e);
            mfe.setLinkedException(e);
            mfe.initCause(e);
            throw mfe;
        }
    }

    @Override
    protected WeirMessage copyBody() {
        WeirObjectMessage c = new WeirObjectMessage();
        c.serialized = serialized == null ? null : serialized.clone();
        c.filter = filter;
        return c;
    }

    @Override
    protected byte[] encodeBody() {
        return serialized == null ? null : serialized.clone();
    }

    @Override
    protected void clearBodyContent() {
        serialized = null;
    }

    @Override
    protected boolean hasBody() {
        return serialized != null;
    }

    @Override
    protected Object bodyValue() throws JMSException {
        return getObject();
    }

    @Override
    protected Class<?> bodyClass() throws JMSException {
        return getObject().getClass();
    }

    /**
     * True when there is no object or when the deserialized object is an instance of {@code c}; false when it is
     * not or when it cannot be deserialized (even for {@code Object.class}, as the Message Javadoc says).
     */
    @SuppressWarnings("rawtypes")
    @Override
    public boolean isBodyAssignableTo(Class c) {
        if (serialized == null) {
            return true;
        }
        try {
            return c.isInstance(getObject());
        } catch (JMSException e) {
            return false;
        }
    }

    @Override
    public <T> T getBody(Class<T> c) throws JMSException {
        if (serialized == null) {
            return null;
        }
        Serializable o = getObject();
        if (!c.isInstance(o)) {
            throw new MessageFormatException("The ObjectMessage body is a " + o.getClass().getName()
                    + " and cannot be returned as " + c.getName());
        }
        return c.cast(o);
    }

    /** Resolves classes through the thread's context class loader first (application classes in containers). */
    private static final class ContextClassLoaderObjectInputStream extends ObjectInputStream {

        ContextClassLoaderObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default resolution below
                }
            }
            return super.resolveClass(desc);
        }
    }
}
