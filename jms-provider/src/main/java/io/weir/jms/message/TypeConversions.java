package io.weir.jms.message;

import jakarta.jms.MessageFormatException;

/**
 * The value conversions Jakarta Messaging allows when reading properties (§3.5.4) and map/stream body
 * values (§3.11.3). Pure and stateless.
 *
 * <p>A value written as one type may be read as another when the table marks the cell; other cells throw
 * {@link MessageFormatException}. A {@code String} is parsed with the target type's {@code valueOf}, so a bad
 * string throws {@link NumberFormatException}. A null value reads as {@code valueOf(null)} would: {@code false}
 * for boolean, {@link NumberFormatException} for the integral types, {@link NullPointerException} for float,
 * double and char, and null for String and byte[]. {@code Character} and {@code byte[]} values occur only in
 * map and stream bodies: a char reads as char or String, a byte[] only as byte[].
 */
public final class TypeConversions {

    private TypeConversions() {
    }

    public static boolean toBoolean(Object v) throws MessageFormatException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v == null || v instanceof String) {
            return Boolean.parseBoolean((String) v);
        }
        throw invalid(v, "boolean");
    }

    public static byte toByte(Object v) throws MessageFormatException {
        if (v instanceof Byte b) {
            return b;
        }
        if (v == null || v instanceof String) {
            return Byte.parseByte((String) v);
        }
        throw invalid(v, "byte");
    }

    public static short toShort(Object v) throws MessageFormatException {
        if (v instanceof Short s) {
            return s;
        }
        if (v instanceof Byte b) {
            return b;
        }
        if (v == null || v instanceof String) {
            return Short.parseShort((String) v);
        }
        throw invalid(v, "short");
    }

    public static int toInt(Object v) throws MessageFormatException {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Short s) {
            return s;
        }
        if (v instanceof Byte b) {
            return b;
        }
        if (v == null || v instanceof String) {
            return Integer.parseInt((String) v);
        }
        throw invalid(v, "int");
    }

    public static long toLong(Object v) throws MessageFormatException {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Short s) {
            return s;
        }
        if (v instanceof Byte b) {
            return b;
        }
        if (v == null || v instanceof String) {
            return Long.parseLong((String) v);
        }
        throw invalid(v, "long");
    }

    public static float toFloat(Object v) throws MessageFormatException {
        if (v instanceof Float f) {
            return f;
        }
        if (v == null || v instanceof String) {
            return Float.valueOf((String) v); // null: NullPointerException, as valueOf(null) does
        }
        throw invalid(v, "float");
    }

    public static double toDouble(Object v) throws MessageFormatException {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Float f) {
            return f;
        }
        if (v == null || v instanceof String) {
            return Double.valueOf((String) v); // null: NullPointerException, as valueOf(null) does
        }
        throw invalid(v, "double");
    }

    public static char toChar(Object v) throws MessageFormatException {
        if (v instanceof Character c) {
            return c;
        }
        if (v == null) {
            throw new NullPointerException("The value is null and cannot be read as a char");
        }
        throw invalid(v, "char");
    }

    public static String toStringValue(Object v) throws MessageFormatException {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[]) {
            throw invalid(v, "String");
        }
        return v.toString();
    }

    /** A byte[] value as itself (not copied), null as null. */
    public static byte[] toBytes(Object v) throws MessageFormatException {
        if (v == null || v instanceof byte[]) {
            return (byte[]) v;
        }
        throw invalid(v, "byte[]");
    }

    /** True for the types a property may hold: the objectified primitives (not Character) and String. */
    public static boolean isPropertyType(Object v) {
        return v instanceof Boolean || v instanceof Byte || v instanceof Short || v instanceof Integer
                || v instanceof Long || v instanceof Float || v instanceof Double || v instanceof String;
    }

    /** True for the types a map or stream body value may hold: property types, Character and byte[]. */
    public static boolean isBodyValueType(Object v) {
        return isPropertyType(v) || v instanceof Character || v instanceof byte[];
    }

    /** The JMS name of {@code v}'s type, for messages. */
    public static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[]) {
            return "byte[]";
        }
        return switch (v.getClass().getSimpleName()) {
            case "Boolean" -> "boolean";
            case "Byte" -> "byte";
            case "Short" -> "short";
            case "Character" -> "char";
            case "Integer" -> "int";
            case "Long" -> "long";
            case "Float" -> "float";
            case "Double" -> "double";
            default -> v.getClass().getName();
        };
    }

    private static MessageFormatException invalid(Object v, String target) {
        return new MessageFormatException("A " + typeName(v) + " value cannot be read as " + target);
    }
}
