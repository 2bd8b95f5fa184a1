package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every cell of the conversion tables of Jakarta Messaging §3.5.4 (properties) and §3.11.3 (map and stream
 * bodies), checked through the public message APIs, against a table written out here independently of
 * {@link TypeConversions}.
 */
class ConversionTableTest {

    enum T { BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, STRING, BYTES }

    /** Written type → the types it may be read as (the "X" cells of the tables). */
    private static final Map<T, Set<T>> ALLOWED = Map.of(
            T.BOOLEAN, EnumSet.of(T.BOOLEAN, T.STRING),
            T.BYTE, EnumSet.of(T.BYTE, T.SHORT, T.INT, T.LONG, T.STRING),
            T.SHORT, EnumSet.of(T.SHORT, T.INT, T.LONG, T.STRING),
            T.CHAR, EnumSet.of(T.CHAR, T.STRING),
            T.INT, EnumSet.of(T.INT, T.LONG, T.STRING),
            T.LONG, EnumSet.of(T.LONG, T.STRING),
            T.FLOAT, EnumSet.of(T.FLOAT, T.DOUBLE, T.STRING),
            T.DOUBLE, EnumSet.of(T.DOUBLE, T.STRING),
            T.STRING, EnumSet.of(T.BOOLEAN, T.BYTE, T.SHORT, T.INT, T.LONG, T.FLOAT, T.DOUBLE, T.STRING),
            T.BYTES, EnumSet.of(T.BYTES));

    private static final Set<T> PROPERTY_TYPES =
            EnumSet.of(T.BOOLEAN, T.BYTE, T.SHORT, T.INT, T.LONG, T.FLOAT, T.DOUBLE, T.STRING);

    private static Object sample(T t) {
        return switch (t) {
            case BOOLEAN -> true;
            case BYTE -> (byte) 7;
            case SHORT -> (short) 7;
            case CHAR -> 'c';
            case INT -> 7;
            case LONG -> 7L;
            case FLOAT -> 7.5f;
            case DOUBLE -> 7.5d;
            case STRING -> "7";
            case BYTES -> new byte[] {1, 2, 3};
        };
    }

    /** What reading {@code sample(from)} as {@code to} must return, for an allowed cell. */
    private static Object expected(T from, T to) {
        Object v = sample(from);
        if (to == T.STRING) {
            return String.valueOf(v);
        }
        if (from == T.STRING) {
            return switch (to) {
                case BOOLEAN -> Boolean.valueOf("7");
                case BYTE -> (byte) 7;
                case SHORT -> (short) 7;
                case INT -> 7;
                case LONG -> 7L;
                case FLOAT -> 7f;
                case DOUBLE -> 7d;
                default -> throw new AssertionError();
            };
        }
        return switch (to) {
            case SHORT -> ((Number) v).shortValue();
            case INT -> ((Number) v).intValue();
            case LONG -> ((Number) v).longValue();
            case DOUBLE -> ((Number) v).doubleValue();
            default -> v;
        };
    }

    @FunctionalInterface
    interface Reader {
        Object read(T as) throws JMSException;
    }

    private static Object readProperty(WeirMessage m, String name, T as) throws JMSException {
        return switch (as) {
            case BOOLEAN -> m.getBooleanProperty(name);
            case BYTE -> m.getByteProperty(name);
            case SHORT -> m.getShortProperty(name);
            case INT -> m.getIntProperty(name);
            case LONG -> m.getLongProperty(name);
            case FLOAT -> m.getFloatProperty(name);
            case DOUBLE -> m.getDoubleProperty(name);
            case STRING -> m.getStringProperty(name);
            default -> throw new AssertionError(as);
        };
    }

    private static Object readMap(WeirMapMessage m, String name, T as) throws JMSException {
        return switch (as) {
            case BOOLEAN -> m.getBoolean(name);
            case BYTE -> m.getByte(name);
            case SHORT -> m.getShort(name);
            case CHAR -> m.getChar(name);
            case INT -> m.getInt(name);
            case LONG -> m.getLong(name);
            case FLOAT -> m.getFloat(name);
            case DOUBLE -> m.getDouble(name);
            case STRING -> m.getString(name);
            case BYTES -> m.getBytes(name);
        };
    }

    private static Object readStream(WeirStreamMessage m, T as) throws JMSException {
        return switch (as) {
            case BOOLEAN -> m.readBoolean();
            case BYTE -> m.readByte();
            case SHORT -> m.readShort();
            case CHAR -> m.readChar();
            case INT -> m.readInt();
            case LONG -> m.readLong();
            case FLOAT -> m.readFloat();
            case DOUBLE -> m.readDouble();
            case STRING -> m.readString();
            case BYTES -> {
                byte[] buf = new byte[16];
                int n = m.readBytes(buf);
                yield n < 0 ? null : java.util.Arrays.copyOf(buf, n);
            }
        };
    }

    private static void checkCell(T from, T to, Reader reader, List<String> failures) {
        boolean allowed = ALLOWED.get(from).contains(to);
        String cell = from + " -> " + to;
        try {
            Object got = reader.read(to);
            if (!allowed) {
                failures.add(cell + ": expected MessageFormatException, got " + got);
            } else if (!java.util.Objects.deepEquals(got, expected(from, to))) {
                failures.add(cell + ": expected " + expected(from, to) + ", got " + got);
            }
        } catch (MessageFormatException e) {
            if (allowed) {
                failures.add(cell + ": unexpected " + e);
            }
        } catch (Exception e) {
            failures.add(cell + ": unexpected " + e);
        }
    }

    @Test
    void propertyTableEveryCell() throws JMSException {
        List<String> failures = new ArrayList<>();
        int cells = 0;
        for (T from : PROPERTY_TYPES) {
            WeirMessage m = WeirMessage.create();
            m.setObjectProperty("p", sample(from));
            for (T to : PROPERTY_TYPES) {
                checkCell(from, to, as -> readProperty(m, "p", as), failures);
                cells++;
            }
            // and after the record round trip a receiver sees the same
            WeirMessage received = MessageCodecTest.roundTrip(m);
            for (T to : PROPERTY_TYPES) {
                checkCell(from, to, as -> readProperty(received, "p", as), failures);
            }
        }
        assertThat(cells).isEqualTo(64);
        assertThat(failures).isEmpty();
    }

    @Test
    void mapTableEveryCell() throws JMSException {
        List<String> failures = new ArrayList<>();
        for (T from : T.values()) {
            WeirMapMessage m = new WeirMapMessage();
            m.setObject("v", sample(from));
            for (T to : T.values()) {
                checkCell(from, to, as -> readMap(m, "v", as), failures);
            }
            WeirMapMessage received = (WeirMapMessage) MessageCodecTest.roundTrip(m);
            for (T to : T.values()) {
                checkCell(from, to, as -> readMap(received, "v", as), failures);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void streamTableEveryCellAndFailedReadsKeepThePosition() throws JMSException {
        List<String> failures = new ArrayList<>();
        for (T from : T.values()) {
            for (T to : T.values()) {
                WeirStreamMessage m = new WeirStreamMessage();
                m.writeObject(sample(from));
                m.writeInt(99);
                m.reset();
                checkCell(from, to, as -> readStream(m, as), failures);
                if (!ALLOWED.get(from).contains(to)) {
                    // the failed read left the position on the value: it can still be read as itself
                    Object again = m.readObject();
                    if (!java.util.Objects.deepEquals(again, sample(from))) {
                        failures.add(from + " -> " + to + ": position moved, then read " + again);
                    }
                }
                if (m.readInt() != 99) {
                    failures.add(from + " -> " + to + ": next value wrong");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void nullValuesReadAsValueOfNull() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setStringProperty("n", null);
        WeirMapMessage map = new WeirMapMessage();
        map.setString("n", null);
        for (Reader r : List.<Reader>of(as -> readProperty(m, "n", as), as -> readProperty(m, "absent", as),
                as -> readMap(map, "n", as), as -> readMap(map, "absent", as))) {
            assertThat(r.read(T.BOOLEAN)).isEqualTo(false);
            assertThat(r.read(T.STRING)).isNull();
            for (T numeric : List.of(T.BYTE, T.SHORT, T.INT, T.LONG)) {
                assertThatThrownBy(() -> r.read(numeric)).isInstanceOf(NumberFormatException.class);
            }
            assertThatThrownBy(() -> r.read(T.FLOAT)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> r.read(T.DOUBLE)).isInstanceOf(NullPointerException.class);
        }
        assertThat(map.getBytes("n")).isNull();
        assertThat(map.getBytes("absent")).isNull();
        assertThatThrownBy(() -> map.getChar("n")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.getChar("absent")).isInstanceOf(NullPointerException.class);
        assertThat(m.getObjectProperty("n")).isNull();
        assertThat(m.propertyExists("n")).isTrue();
        assertThat(m.propertyExists("absent")).isFalse();
    }

    @Test
    void nullStreamValueFailuresKeepThePosition() throws JMSException {
        for (T to : T.values()) {
            WeirStreamMessage s = new WeirStreamMessage();
            s.writeString(null);
            s.writeString("next");
            s.reset();
            switch (to) {
                case BOOLEAN -> assertThat(s.readBoolean()).isFalse();
                case STRING -> assertThat(s.readString()).isNull();
                case BYTES -> assertThat(s.readBytes(new byte[4])).isEqualTo(-1);
                case BYTE, SHORT, INT, LONG -> {
                    assertThatThrownBy(() -> readStream(s, to)).isInstanceOf(NumberFormatException.class);
                    assertThat(s.readObject()).isNull();
                }
                case FLOAT, DOUBLE, CHAR -> {
                    assertThatThrownBy(() -> readStream(s, to)).isInstanceOf(NullPointerException.class);
                    assertThat(s.readObject()).isNull();
                }
                default -> fail("unhandled " + to);
            }
            assertThat(s.readString()).as("after reading null as %s", to).isEqualTo("next");
        }
    }

    @Test
    void badNumberStringsThrowNumberFormatExceptionAndKeepThePosition() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setStringProperty("s", "abc");
        assertThat(m.getBooleanProperty("s")).isFalse();
        for (T numeric : List.of(T.BYTE, T.SHORT, T.INT, T.LONG, T.FLOAT, T.DOUBLE)) {
            assertThatThrownBy(() -> readProperty(m, "s", numeric)).isInstanceOf(NumberFormatException.class);
            WeirStreamMessage s = new WeirStreamMessage();
            s.writeString("abc");
            s.reset();
            assertThatThrownBy(() -> readStream(s, numeric)).isInstanceOf(NumberFormatException.class);
            assertThat(s.readString()).isEqualTo("abc");
        }
        m.setStringProperty("big", "300");
        assertThatThrownBy(() -> m.getByteProperty("big")).isInstanceOf(NumberFormatException.class);
        assertThat(m.getShortProperty("big")).isEqualTo((short) 300);
        m.setStringProperty("t", "TRUE");
        assertThat(m.getBooleanProperty("t")).isTrue();
        m.setStringProperty("f", "1.25");
        assertThat(m.getFloatProperty("f")).isEqualTo(1.25f);
        assertThat(m.getDoubleProperty("f")).isEqualTo(1.25d);
    }

    @Test
    void floatToStringToDoubleKeepsJavaSemantics() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setFloatProperty("f", 0.1f);
        assertThat(m.getDoubleProperty("f")).isEqualTo((double) 0.1f);
        assertThat(m.getStringProperty("f")).isEqualTo("0.1");
    }
}
