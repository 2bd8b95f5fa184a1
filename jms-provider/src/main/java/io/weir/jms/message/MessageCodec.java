package io.weir.jms.message;

import io.weir.jms.WeirDestination;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Maps JMS messages to Kafka records and back, as WIRE-FORMAT.md documents: the body is the record value,
 * JMS headers are {@code jms.*} record headers, properties are record headers under their own names with
 * values in UTF-8 text form, and the types of non-String properties are listed in {@code jms.property-types}.
 * A plain Kafka consumer therefore reads String properties (and every value) as plain UTF-8 text.
 *
 * <p>Pure and stateless. Decoding never throws anything but {@link JMSException}s (mostly
 * {@link MessageFormatException}, naming the bad header or body); it returns a read-only message.
 */
public final class MessageCodec {

    private MessageCodec() {
    }

    // ---------------------------------------------------------------- encode

    /** The record form of {@code m}; does not change {@code m}. */
    public static EncodedMessage encode(WeirMessage m) throws JMSException {
        Headers headers = new RecordHeaders();
        BodyType bodyType = m.bodyType();
        headers.add(WireHeaders.BODY_TYPE, BODY_TYPE_VALUES[bodyType.ordinal()]);
        if (CONTENT_TYPE_VALUES[bodyType.ordinal()] != null) {
            headers.add(WireHeaders.CONTENT_TYPE, CONTENT_TYPE_VALUES[bodyType.ordinal()]);
        }
        addIfSet(headers, WireHeaders.MESSAGE_ID, m.getJMSMessageID());
        headers.add(WireHeaders.TIMESTAMP, digits(m.getJMSTimestamp()));
        if (m.hasCorrelationIdBytes()) {
            headers.add(WireHeaders.CORRELATION_ID_BYTES, m.getJMSCorrelationIDAsBytes());
        } else {
            addIfSet(headers, WireHeaders.CORRELATION_ID, m.getJMSCorrelationID());
        }
        if (m.getJMSReplyTo() != null) {
            headers.add(WireHeaders.REPLY_TO, uriBytes(m.getJMSReplyTo(), "JMSReplyTo"));
        }
        if (m.getJMSDestination() != null) {
            headers.add(WireHeaders.DESTINATION, uriBytes(m.getJMSDestination(), "JMSDestination"));
        }
        headers.add(WireHeaders.DELIVERY_MODE, digits(m.getJMSDeliveryMode()));
        headers.add(WireHeaders.EXPIRATION, digits(m.getJMSExpiration()));
        headers.add(WireHeaders.DELIVERY_TIME, digits(m.getJMSDeliveryTime()));
        headers.add(WireHeaders.PRIORITY, digits(m.getJMSPriority()));
        addIfSet(headers, WireHeaders.TYPE, m.getJMSType());

        StringBuilder types = new StringBuilder();
        for (Map.Entry<String, Object> p : m.properties().entrySet()) {
            String name = p.getKey();
            Object value = p.getValue();
            if (name.equals(PropertyNames.JMSX_DELIVERY_COUNT)) {
                continue; // set by the receiving provider
            }
            PropertyType type = PropertyType.of(value);
            if (type != PropertyType.STRING && value != null) {
                if (types.length() > 0) {
                    types.append(';');
                }
                types.append(name).append('=').append(type.code);
            }
            headers.add(name, value == null ? null : value.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (types.length() > 0) {
            add(headers, WireHeaders.PROPERTY_TYPES, types.toString());
        }

        Object group = m.getObjectProperty(PropertyNames.JMSX_GROUP_ID);
        byte[] key = group == null ? null : group.toString().getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage(key, m.encodeBody(), headers);
    }

    /**
     * The values of the headers every message of a kind carries, encoded once. A header value is read by the producer's
     * serializer and never written: the arrays are shared by every record.
     */
    private static final byte[][] BODY_TYPE_VALUES = new byte[BodyType.values().length][];
    private static final byte[][] CONTENT_TYPE_VALUES = new byte[BodyType.values().length][];
    /** The values 0 to 9 (priorities, delivery modes, an expiration of 0), shared the same way. */
    private static final byte[][] SMALL_NUMBERS = new byte[10][];

    static {
        for (BodyType t : BodyType.values()) {
            BODY_TYPE_VALUES[t.ordinal()] = t.wireName().getBytes(StandardCharsets.UTF_8);
            String contentType = contentType(t);
            CONTENT_TYPE_VALUES[t.ordinal()] = contentType == null ? null : contentType.getBytes(StandardCharsets.UTF_8);
        }
        for (int i = 0; i < SMALL_NUMBERS.length; i++) {
            SMALL_NUMBERS[i] = new byte[] {(byte) ('0' + i)};
        }
    }

    /** {@code v} in decimal ASCII, as {@code Long.toString} writes it. */
    static byte[] digits(long v) {
        if (v >= 0 && v < SMALL_NUMBERS.length) {
            return SMALL_NUMBERS[(int) v];
        }
        if (v == Long.MIN_VALUE) {
            return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        }
        long rest = Math.abs(v);
        int n = v < 0 ? 2 : 1;
        for (long r = rest; r >= 10; r /= 10) {
            n++;
        }
        byte[] out = new byte[n];
        for (int i = n - 1; i >= (v < 0 ? 1 : 0); i--) {
            out[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        if (v < 0) {
            out[0] = '-';
        }
        return out;
    }

    /** The URI bytes of the last destination encoded, kept with it: a producer mostly sends to one (immutable) destination. */
    private record LastUri(Destination destination, byte[] bytes) {
    }

    private static volatile LastUri lastUri;

    private static byte[] uriBytes(Destination d, String header) throws InvalidDestinationException {
        LastUri last = lastUri;
        if (last != null && last.destination == d) {
            return last.bytes;
        }
        byte[] bytes = uri(d, header).getBytes(StandardCharsets.UTF_8);
        lastUri = new LastUri(d, bytes);
        return bytes;
    }

    private static String contentType(BodyType type) {
        return switch (type) {
            case MESSAGE -> null;
            case TEXT -> WireHeaders.TEXT_CONTENT_TYPE;
            case BYTES -> WireHeaders.BYTES_CONTENT_TYPE;
            case MAP -> WireHeaders.MAP_CONTENT_TYPE;
            case STREAM -> WireHeaders.STREAM_CONTENT_TYPE;
            case OBJECT -> WireHeaders.OBJECT_CONTENT_TYPE;
        };
    }

    private static String uri(Destination d, String header) throws InvalidDestinationException {
        if (d instanceof WeirDestination w) {
            return w.toUri();
        }
        throw new InvalidDestinationException(header + " " + d + " is not a Weir destination ("
                + d.getClass().getName() + ")");
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void addIfSet(Headers headers, String key, String value) {
        if (value != null) {
            add(headers, key, value);
        }
    }

    // ---------------------------------------------------------------- decode

    /**
     * The message {@code r} carries, read-only. A record without {@code jms.body-type} (written by a plain
     * Kafka producer) decodes as a TextMessage when its {@code content-type} header names text, otherwise as
     * a BytesMessage; its JMSMessageID is then {@code ID:<topic>-<partition>-<offset>} and its key, when valid
     * UTF-8, becomes JMSXGroupID. JMSTimestamp is the record timestamp when {@code jms.timestamp} is absent.
     */
    public static WeirMessage decode(ConsumerRecord<byte[], byte[]> r) throws JMSException {
        try {
            return decodeRecord(r);
        } catch (JMSException e) {
            throw e;
        } catch (RuntimeException e) {
            // a defect or input no check above foresaw: still a clear JMS error, never a crash of the caller
            MessageFormatException mfe = new MessageFormatException("Cannot decode the record at " + r.topic()
                    + "-" + r.partition() + "@" + r.offset() + ": " + e);
            mfe.setLinkedException(e);
            mfe.initCause(e);
            throw mfe;
        }
    }

    private static WeirMessage decodeRecord(ConsumerRecord<byte[], byte[]> r) throws JMSException {
        JmsHeaders jms = new JmsHeaders();
        Map<String, byte[]> props = Map.of();
        byte[] contentType = null;
        for (Header h : r.headers()) {
            String key = h.key();
            if (key.startsWith(WireHeaders.PREFIX)) {
                jms.put(key, h.value());
            } else if (key.equalsIgnoreCase(WireHeaders.CONTENT_TYPE)) {
                contentType = h.value();
            } else if (PropertyNames.isValid(key)) {
                if (props.isEmpty()) {
                    props = new LinkedHashMap<>();
                }
                props.put(key, h.value());
            }
            // other names (e.g. trace-id) cannot be JMS properties and are left out
        }
        Object where = new Where(r); // read only by an error's text

        WeirMessage m;
        String bodyTypeName = text(jms, WireHeaders.BODY_TYPE, where);
        if (bodyTypeName != null) {
            BodyType bodyType = BodyType.fromWireName(bodyTypeName);
            if (bodyType == null) {
                throw new MessageFormatException("Header " + WireHeaders.BODY_TYPE + " has the unknown value '"
                        + bodyTypeName + "'" + where);
            }
            m = body(bodyType, r.value(), where);
        } else {
            m = plainBody(contentType, r.value(), where);
        }

        decodeHeaders(m, jms, r, where);
        decodeProperties(m, props, propertyTypes(jms, where), where);
        if (bodyTypeName == null && r.key() != null && !m.propertyExists(PropertyNames.JMSX_GROUP_ID)) {
            String group = lenientUtf8(r.key());
            if (group != null) {
                m.setStringProperty(PropertyNames.JMSX_GROUP_ID, group);
            }
        }
        m.setDeliveryCount(1); // set by the receiver, never taken from the record; the consumer may raise it
        m.markReadOnly();
        return m;
    }

    private static WeirMessage body(BodyType type, byte[] value, Object where) throws JMSException {
        switch (type) {
            case MESSAGE:
                return new WeirPlainMessage();
            case TEXT:
                return new WeirTextMessage(value == null ? null : BodyValues.utf8(ByteBuffer.wrap(value),
                        new About("TextMessage body", where)));
            case BYTES:
                return WeirBytesMessage.readable(value == null ? new byte[0] : value);
            case MAP: {
                WeirMapMessage m = new WeirMapMessage();
                if (value != null) {
                    m.entries().putAll(located(() -> BodyValues.decodeMap(value), where));
                }
                return m;
            }
            case STREAM: {
                WeirStreamMessage m = new WeirStreamMessage();
                if (value != null) {
                    m.values().addAll(located(() -> BodyValues.decodeStream(value), where));
                }
                return m;
            }
            case OBJECT: {
                WeirObjectMessage m = new WeirObjectMessage();
                m.setSerializedObject(value);
                return m;
            }
            default:
                throw new IllegalStateException("unhandled body type " + type);
        }
    }

    /** Where a record is, for errors: its text is built only when an error reads it (every decode makes one). */
    private record Where(ConsumerRecord<?, ?> r) {
        @Override
        public String toString() {
            return " in the record at " + r.topic() + "-" + r.partition() + "@" + r.offset();
        }
    }

    /** {@code what} followed by {@code where}, built only when read. */
    private record About(String what, Object where) {
        @Override
        public String toString() {
            return what + where;
        }
    }

    @FunctionalInterface
    private interface BodyDecoder<T> {
        T decode() throws MessageFormatException;
    }

    /** Runs {@code decoder}, adding the record's coordinates to its error. */
    private static <T> T located(BodyDecoder<T> decoder, Object where) throws MessageFormatException {
        try {
            return decoder.decode();
        } catch (MessageFormatException e) {
            MessageFormatException located = new MessageFormatException(e.getMessage() + where);
            located.initCause(e);
            throw located;
        }
    }

    private static WeirMessage plainBody(byte[] contentType, byte[] value, Object where) throws JMSException {
        Charset charset = contentType == null ? null : textCharset(lenientUtf8(contentType), where);
        if (charset == null) {
            return WeirBytesMessage.readable(value == null ? new byte[0] : value);
        }
        if (value == null) {
            return new WeirTextMessage(null);
        }
        if (charset.equals(StandardCharsets.UTF_8)) {
            return new WeirTextMessage(BodyValues.utf8(ByteBuffer.wrap(value), new About("TextMessage body", where)));
        }
        return new WeirTextMessage(new String(value, charset));
    }

    /**
     * The charset of a text MIME type ({@code text/*}, {@code application/json}, {@code application/xml}
     * or a {@code +json}/{@code +xml} type), UTF-8 unless a {@code charset} parameter names another; null for
     * other types.
     */
    static Charset textCharset(String contentType, Object where) throws MessageFormatException {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        String mime = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean text = mime.startsWith("text/") || mime.equals("application/json") || mime.equals("application/xml")
                || mime.endsWith("+json") || mime.endsWith("+xml");
        if (!text) {
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String name = p.substring(eq + 1).trim().replace("\"", "");
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    throw new MessageFormatException("content-type '" + contentType + "' names the unsupported "
                            + "charset '" + name + "'" + where);
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static void decodeHeaders(WeirMessage m, JmsHeaders jms, ConsumerRecord<byte[], byte[]> r,
                                      Object where) throws JMSException {
        String id = text(jms, WireHeaders.MESSAGE_ID, where);
        m.setJMSMessageID(id != null ? id : "ID:" + r.topic() + "-" + r.partition() + "-" + r.offset());
        Long ts = number(jms, WireHeaders.TIMESTAMP, where);
        m.setJMSTimestamp(ts != null ? ts : Math.max(0, r.timestamp()));
        if (jms.has(WireHeaders.CORRELATION_ID_BYTES)) {
            m.setJMSCorrelationIDAsBytes(jms.get(WireHeaders.CORRELATION_ID_BYTES));
        } else {
            m.setJMSCorrelationID(text(jms, WireHeaders.CORRELATION_ID, where));
        }
        m.setJMSReplyTo(destination(jms, WireHeaders.REPLY_TO, where));
        m.setJMSDestination(destination(jms, WireHeaders.DESTINATION, where));
        Long mode = number(jms, WireHeaders.DELIVERY_MODE, where);
        if (mode != null) {
            if (mode != DeliveryMode.PERSISTENT && mode != DeliveryMode.NON_PERSISTENT) {
                throw new MessageFormatException("Header " + WireHeaders.DELIVERY_MODE + " is " + mode
                        + ", not 1 (NON_PERSISTENT) or 2 (PERSISTENT)" + where);
            }
            m.setJMSDeliveryMode(mode.intValue());
        }
        Long expiration = number(jms, WireHeaders.EXPIRATION, where);
        m.setJMSExpiration(expiration == null ? 0 : expiration);
        Long deliveryTime = number(jms, WireHeaders.DELIVERY_TIME, where);
        m.setJMSDeliveryTime(deliveryTime == null ? m.getJMSTimestamp() : deliveryTime);
        Long priority = number(jms, WireHeaders.PRIORITY, where);
        if (priority != null) {
            if (priority < 0 || priority > 9) {
                throw new MessageFormatException("Header " + WireHeaders.PRIORITY + " is " + priority
                        + ", not within 0..9" + where);
            }
            m.setJMSPriority(priority.intValue());
        }
        m.setJMSType(text(jms, WireHeaders.TYPE, where));
    }

    /**
     * The property types {@code jms.property-types} lists. A producer sending one kind of message writes the same list
     * every time: the last list parsed is kept with its bytes.
     */
    private static Map<String, PropertyType> propertyTypes(JmsHeaders jms, Object where) throws MessageFormatException {
        byte[] raw = jms.get(WireHeaders.PROPERTY_TYPES);
        if (raw == null || raw.length == 0) {
            return Map.of();
        }
        LastParsed<Map<String, PropertyType>> last = lastTypes;
        if (last != null && java.util.Arrays.equals(last.raw, raw)) {
            return last.value;
        }
        String typeList = text(jms, WireHeaders.PROPERTY_TYPES, where);
        Map<String, PropertyType> types = new LinkedHashMap<>();
        for (String entry : typeList.split(";", -1)) {
            int eq = entry.indexOf('=');
            PropertyType type = eq < 0 ? null : PropertyType.fromCode(entry.substring(eq + 1));
            if (type == null || !PropertyNames.isValid(entry.substring(0, eq))) {
                throw new MessageFormatException("Header " + WireHeaders.PROPERTY_TYPES + " has the malformed "
                        + "entry '" + entry + "' (expected name=type with type one of z b s i l f d)" + where);
            }
            types.put(entry.substring(0, eq), type);
        }
        types = java.util.Collections.unmodifiableMap(types);
        lastTypes = new LastParsed<>(raw.clone(), types);
        return types;
    }

    private static volatile LastParsed<Map<String, PropertyType>> lastTypes;

    private static void decodeProperties(WeirMessage m, Map<String, byte[]> props, Map<String, PropertyType> types, Object where)
            throws JMSException {
        for (Map.Entry<String, byte[]> p : props.entrySet()) {
            String name = p.getKey();
            byte[] raw = p.getValue();
            PropertyType type = types.get(name);
            if (raw == null) {
                m.setObjectProperty(name, null);
            } else if (type == null) {
                String value = lenientUtf8(raw);
                if (value != null) { // a binary header written by another client cannot be a JMS property
                    m.setStringProperty(name, value);
                }
            } else {
                String ascii = BodyValues.asciiOrNull(raw);
                String text = ascii != null ? ascii : BodyValues.utf8(ByteBuffer.wrap(raw), "Property '" + name + "'" + where);
                m.setObjectProperty(name, type.parse(name, text, where));
            }
        }
    }

    private static String text(JmsHeaders jms, String key, Object where) throws MessageFormatException {
        byte[] raw = jms.get(key);
        if (raw == null) {
            return null;
        }
        String ascii = BodyValues.asciiOrNull(raw); // the error text below is built only when it is needed
        return ascii != null ? ascii : BodyValues.utf8(ByteBuffer.wrap(raw), "Header " + key + where);
    }

    private static Long number(JmsHeaders jms, String key, Object where) throws MessageFormatException {
        byte[] raw = jms.get(key);
        if (raw == null) {
            return null;
        }
        long plain = plainDecimal(raw);
        if (plain != NOT_PLAIN) {
            return plain;
        }
        String text = text(jms, key, where);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new MessageFormatException("Header " + key + " is '" + text + "', not a whole number" + where);
        }
    }

    private static final long NOT_PLAIN = Long.MIN_VALUE;

    /**
     * {@code raw} as a number when it is what the encoder writes, ASCII digits with an optional minus (at most 18 of
     * them: no overflow), else {@link #NOT_PLAIN} and the caller parses it the general way (and words its error).
     */
    static long plainDecimal(byte[] raw) {
        int i = raw.length > 0 && raw[0] == '-' ? 1 : 0;
        if (raw.length == i || raw.length - i > 18) {
            return NOT_PLAIN;
        }
        long v = 0;
        for (int k = i; k < raw.length; k++) {
            int d = raw[k] - '0';
            if (d < 0 || d > 9) {
                return NOT_PLAIN;
            }
            v = v * 10 + d;
        }
        return i == 1 ? -v : v;
    }

    private static WeirDestination destination(JmsHeaders jms, String key, Object where)
            throws MessageFormatException {
        byte[] raw = jms.get(key);
        if (raw == null) {
            return null;
        }
        LastParsed<WeirDestination> last = lastDestination;
        if (last != null && java.util.Arrays.equals(last.raw, raw)) {
            return last.value;
        }
        String uri = text(jms, key, where);
        WeirDestination d;
        try {
            d = WeirDestination.fromUri(uri);
        } catch (IllegalArgumentException e) {
            throw new MessageFormatException("Header " + key + " is not a destination: " + e.getMessage() + where);
        }
        if (!d.isTemporary()) {
            lastDestination = new LastParsed<>(raw.clone(), d);
        }
        return d;
    }

    /**
     * A value decoded from a header, kept with the header's bytes: the records received one after another mostly carry
     * the same destination and the same property-type list. The value is immutable (temporary destinations, tied to
     * their connection, are decoded every time).
     */
    private record LastParsed<T>(byte[] raw, T value) {
    }

    private static volatile LastParsed<WeirDestination> lastDestination;

    /**
     * The {@code jms.*} headers of one record, by name: a slot per header Weir knows (the others are not read), for a
     * handful of them at most per message, without a map's entries.
     */
    private static final class JmsHeaders {
        private static final String[] NAMES = {WireHeaders.BODY_TYPE, WireHeaders.MESSAGE_ID, WireHeaders.TIMESTAMP,
                WireHeaders.CORRELATION_ID, WireHeaders.CORRELATION_ID_BYTES, WireHeaders.REPLY_TO, WireHeaders.DESTINATION,
                WireHeaders.DELIVERY_MODE, WireHeaders.EXPIRATION, WireHeaders.DELIVERY_TIME, WireHeaders.PRIORITY,
                WireHeaders.TYPE, WireHeaders.PROPERTY_TYPES};
        private final byte[][] values = new byte[NAMES.length][];
        /** Bit i: header NAMES[i] was present (with a value, or null). */
        private int present;

        private static int slot(String key) {
            for (int i = 0; i < NAMES.length; i++) {
                if (NAMES[i] == key) { // the share member hands over these very strings (PlainBatchReader's key cache)
                    return i;
                }
            }
            for (int i = 0; i < NAMES.length; i++) {
                if (NAMES[i].equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        /** The last value of a repeated header wins, as a map's would. */
        void put(String key, byte[] value) {
            int i = slot(key);
            if (i >= 0) {
                values[i] = value;
                present |= 1 << i;
            }
        }

        byte[] get(String key) {
            int i = slot(key);
            return i < 0 ? null : values[i];
        }

        boolean has(String key) {
            int i = slot(key);
            return i >= 0 && (present & (1 << i)) != 0;
        }
    }

    private static String lenientUtf8(byte[] raw) {
        String ascii = BodyValues.asciiOrNull(raw);
        if (ascii != null) {
            return ascii;
        }
        try {
            return BodyValues.utf8(ByteBuffer.wrap(raw), "");
        } catch (MessageFormatException e) {
            return null;
        }
    }
}
