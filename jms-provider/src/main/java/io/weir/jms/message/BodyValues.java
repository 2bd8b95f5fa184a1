package io.weir.jms.message;

import jakarta.jms.MessageFormatException;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary encoding of MapMessage and StreamMessage bodies (see WIRE-FORMAT.md). Pure and stateless.
 *
 * <pre>
 * map body    = version:int8(=1) count:int32 { name:string value }*count
 * stream body = version:int8(=1) count:int32 { value }*count
 * value       = tag:int8 payload
 *   0 null      (no payload)          5 int     int32
 *   1 boolean   int8 0 or 1           6 long    int64
 *   2 byte      int8                  7 float   int32 IEEE 754 bits
 *   3 short     int16                 8 double  int64 IEEE 754 bits
 *   4 char      uint16 UTF-16 unit    9 String  string
 *                                    10 byte[]  length:int32 bytes
 * string      = length:int32 UTF-8 bytes
 * </pre>
 * All integers are big-endian. Decoding rejects unknown versions and tags, negative or overlong lengths,
 * malformed UTF-8 and trailing bytes with a {@link MessageFormatException}.
 */
public final class BodyValues {

    static final byte VERSION = 1;

    static final byte NULL = 0;
    static final byte BOOLEAN = 1;
    static final byte BYTE = 2;
    static final byte SHORT = 3;
    static final byte CHAR = 4;
    static final byte INT = 5;
    static final byte LONG = 6;
    static final byte FLOAT = 7;
    static final byte DOUBLE = 8;
    static final byte STRING = 9;
    static final byte BYTES = 10;

    private BodyValues() {
    }

    public static byte[] encodeMap(Map<String, Object> map) throws MessageFormatException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(VERSION);
            out.writeInt(map.size());
            for (Map.Entry<String, Object> e : map.entrySet()) {
                writeString(out, e.getKey());
                writeValue(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    public static byte[] encodeStream(List<Object> values) throws MessageFormatException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(VERSION);
            out.writeInt(values.size());
            for (Object v : values) {
                writeValue(out, v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Map<String, Object> decodeMap(byte[] body) throws MessageFormatException {
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            int count = header(in, "MapMessage");
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = readString(in);
                if (name.isEmpty()) {
                    throw new MessageFormatException("MapMessage body entry " + i + " has an empty name");
                }
                map.put(name, readValue(in));
            }
            end(in, "MapMessage");
            return map;
        } catch (BufferUnderflowException e) {
            throw new MessageFormatException("MapMessage body is truncated at byte " + in.position());
        }
    }

    public static List<Object> decodeStream(byte[] body) throws MessageFormatException {
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            int count = header(in, "StreamMessage");
            List<Object> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(readValue(in));
            }
            end(in, "StreamMessage");
            return values;
        } catch (BufferUnderflowException e) {
            throw new MessageFormatException("StreamMessage body is truncated at byte " + in.position());
        }
    }

    private static int header(ByteBuffer in, String what) throws MessageFormatException {
        byte version = in.get();
        if (version != VERSION) {
            throw new MessageFormatException(what + " body has the unknown encoding version " + version);
        }
        int count = in.getInt();
        if (count < 0 || count > in.remaining()) {
            throw new MessageFormatException(what + " body claims " + count + " values in " + in.remaining()
                    + " bytes");
        }
        return count;
    }

    private static void end(ByteBuffer in, String what) throws MessageFormatException {
        if (in.hasRemaining()) {
            throw new MessageFormatException(what + " body has " + in.remaining() + " unexpected trailing bytes");
        }
    }

    private static void writeValue(DataOutputStream out, Object v) throws IOException, MessageFormatException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeByte(b ? 1 : 0);
        } else if (v instanceof Byte b) {
            out.writeByte(BYTE);
            out.writeByte(b);
        } else if (v instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else if (v instanceof Character c) {
            out.writeByte(CHAR);
            out.writeChar(c);
        } else if (v instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (v instanceof Float f) {
            out.writeByte(FLOAT);
            out.writeInt(Float.floatToRawIntBits(f));
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (v instanceof byte[] b) {
            out.writeByte(BYTES);
            out.writeInt(b.length);
            out.write(b);
        } else {
            throw new MessageFormatException("Cannot encode a body value of type " + v.getClass().getName());
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static Object readValue(ByteBuffer in) throws MessageFormatException {
        int at = in.position();
        byte tag = in.get();
        return switch (tag) {
            case NULL -> null;
            case BOOLEAN -> {
                byte b = in.get();
                if (b != 0 && b != 1) {
                    throw new MessageFormatException("Boolean value at byte " + at + " is " + b + ", not 0 or 1");
                }
                yield b == 1;
            }
            case BYTE -> in.get();
            case SHORT -> in.getShort();
            case CHAR -> in.getChar();
            case INT -> in.getInt();
            case LONG -> in.getLong();
            case FLOAT -> Float.intBitsToFloat(in.getInt());
            case DOUBLE -> Double.longBitsToDouble(in.getLong());
            case STRING -> readString(in);
            case BYTES -> {
                byte[] b = new byte[length(in)];
                in.get(b);
                yield b;
            }
            default -> throw new MessageFormatException("Unknown value type tag " + tag + " at byte " + at);
        };
    }

    private static int length(ByteBuffer in) throws MessageFormatException {
        int at = in.position();
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new MessageFormatException("Length " + length + " at byte " + at + " exceeds the "
                    + in.remaining() + " bytes left");
        }
        return length;
    }

    private static String readString(ByteBuffer in) throws MessageFormatException {
        int length = length(in);
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        return utf8(slice, "String value");
    }

    /**
     * {@code raw} as a string when it is all ASCII (then it is valid UTF-8 and decodes to the same characters),
     * else null: the common case of headers and property values, without a decoder.
     */
    static String asciiOrNull(byte[] raw) {
        for (byte b : raw) {
            if (b < 0) {
                return null;
            }
        }
        return new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Strictly decodes UTF-8, rejecting malformed input; {@code what} (its {@code toString()}) names it in the error. */
    static String utf8(ByteBuffer bytes, Object what) throws MessageFormatException {
        if (bytes.hasArray()) {
            byte[] a = bytes.array();
            int from = bytes.arrayOffset() + bytes.position();
            int to = from + bytes.remaining();
            int i = from;
            while (i < to && a[i] >= 0) {
                i++;
            }
            if (i == to) { // all ASCII: valid UTF-8, decoded without a decoder
                return new String(a, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            MessageFormatException mfe = new MessageFormatException(what + " is not valid UTF-8: " + e);
            mfe.setLinkedException(e);
            mfe.initCause(e);
            throw mfe;
        }
    }
}
