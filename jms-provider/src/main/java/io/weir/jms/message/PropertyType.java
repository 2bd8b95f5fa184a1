package io.weir.jms.message;

import jakarta.jms.MessageFormatException;

/**
 * The type codes of the {@code jms.property-types} record header (see WIRE-FORMAT.md). A property not listed
 * there is a String.
 */
enum PropertyType {
    BOOLEAN("z"), BYTE("b"), SHORT("s"), INT("i"), LONG("l"), FLOAT("f"), DOUBLE("d"), STRING("t");

    final String code;

    PropertyType(String code) {
        this.code = code;
    }

    static PropertyType of(Object value) {
        if (value instanceof Boolean) {
            return BOOLEAN;
        } else if (value instanceof Byte) {
            return BYTE;
        } else if (value instanceof Short) {
            return SHORT;
        } else if (value instanceof Integer) {
            return INT;
        } else if (value instanceof Long) {
            return LONG;
        } else if (value instanceof Float) {
            return FLOAT;
        } else if (value instanceof Double) {
            return DOUBLE;
        }
        return STRING;
    }

    private static final PropertyType[] ALL = values();

    static PropertyType fromCode(String code) {
        for (PropertyType t : ALL) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        return null;
    }

    /** The value {@code text} (as written by {@code toString()}) denotes. */
    Object parse(String name, String text, Object where) throws MessageFormatException {
        try {
            return switch (this) {
                case BOOLEAN -> {
                    if (!text.equals("true") && !text.equals("false")) {
                        throw new NumberFormatException("not true or false");
                    }
                    yield Boolean.valueOf(text);
                }
                case BYTE -> Byte.valueOf(text);
                case SHORT -> Short.valueOf(text);
                case INT -> Integer.valueOf(text);
                case LONG -> Long.valueOf(text);
                case FLOAT -> Float.valueOf(text);
                case DOUBLE -> Double.valueOf(text);
                case STRING -> text;
            };
        } catch (NumberFormatException e) {
            throw new MessageFormatException("Property '" + name + "' is '" + text + "', which is not a "
                    + name().toLowerCase(java.util.Locale.ROOT) + where);
        }
    }
}
