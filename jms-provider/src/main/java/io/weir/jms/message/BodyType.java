package io.weir.jms.message;

import java.util.Locale;

/** The six kinds of JMS message; {@link #wireName()} is the value of the {@code jms.body-type} record header. */
public enum BodyType {
    MESSAGE, TEXT, BYTES, MAP, STREAM, OBJECT;

    /** {@code message}, {@code text}, {@code bytes}, {@code map}, {@code stream} or {@code object}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type whose {@link #wireName()} is {@code name}, or null when there is none. */
    public static BodyType fromWireName(String name) {
        for (BodyType t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
