package io.weir.jms.message;

import java.util.Locale;

/** The six kinds of JMS message; {@link #wireName()} is the value of the {@code jms.body-type} record header. */
public enum BodyType {
    MESSAGE, TEXT, BYTES, MAP, STREAM, OBJECT;

    private static final BodyType[] ALL = values();

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** {@code message}, {@code text}, {@code bytes}, {@code map}, {@code stream} or {@code object}. */
    public String wireName() {
        return wireName;
    }

    /** The type whose {@link #wireName()} is {@code name}, or null when there is none. */
    public static BodyType fromWireName(String name) {
        for (BodyType t : ALL) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
