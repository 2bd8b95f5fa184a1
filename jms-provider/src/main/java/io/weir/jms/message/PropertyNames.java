package io.weir.jms.message;

import java.util.Locale;
import java.util.Set;

/**
 * The rules for message property names (Jakarta Messaging §3.5.1, §3.8.1.1): a selector identifier, i.e. a
 * {@link Character#isJavaIdentifierStart} character followed by {@link Character#isJavaIdentifierPart}
 * characters, that is not one of the selector words {@code NULL TRUE FALSE NOT AND OR BETWEEN LIKE IN IS ESCAPE}
 * (which selectors read in any case). Pure: its only state is a bounded cache of names found valid.
 */
public final class PropertyNames {

    private static final Set<String> RESERVED =
            Set.of("NULL", "TRUE", "FALSE", "NOT", "AND", "OR", "BETWEEN", "LIKE", "IN", "IS", "ESCAPE");
    /** The longest reserved word: a longer name is none of them, without upper-casing it (once per property per message). */
    private static final int MAX_RESERVED_LENGTH = 7;

    public static final String JMSX_DELIVERY_COUNT = "JMSXDeliveryCount";
    public static final String JMSX_GROUP_ID = "JMSXGroupID";
    public static final String JMSX_GROUP_SEQ = "JMSXGroupSeq";

    private PropertyNames() {
    }

    /**
     * Returns {@code name} when it may name a property.
     *
     * @throws IllegalArgumentException if {@code name} is null, empty, not an identifier or a reserved word
     */
    public static String validate(String name) {
        if (name != null && KNOWN_VALID.containsKey(name)) {
            return name;
        }
        if (name == null) {
            throw new IllegalArgumentException("Property name must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Property name must not be empty");
        }
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("Property name '" + name + "' is not a Java identifier");
        }
        if (RESERVED.contains(name.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Property name '" + name + "' is a reserved selector word");
        }
        remember(name);
        return name;
    }

    /**
     * Names found valid so far (an application uses a few, on every message it sends or receives, each checked two or
     * three times on the way), up to {@link #KNOWN_MAX}: a lookup instead of a walk of the name's code points and an
     * upper-cased copy. Names of up to {@link #KNOWN_MAX_LENGTH} characters only.
     */
    private static final java.util.Map<String, Boolean> KNOWN_VALID = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KNOWN_MAX = 4096;
    /** Longer names (any producer may write any header) are checked every time instead of held. */
    private static final int KNOWN_MAX_LENGTH = 64;

    private static void remember(String name) {
        if (name.length() <= KNOWN_MAX_LENGTH && KNOWN_VALID.size() < KNOWN_MAX) {
            KNOWN_VALID.put(name, Boolean.TRUE);
        }
    }

    /** True when {@link #validate} would accept {@code name}. */
    public static boolean isValid(String name) {
        if (name != null && KNOWN_VALID.containsKey(name)) {
            return true;
        }
        boolean valid = name != null && !name.isEmpty() && isIdentifier(name)
                && (name.length() > MAX_RESERVED_LENGTH || !RESERVED.contains(name.toUpperCase(Locale.ROOT)));
        if (valid) {
            remember(name);
        }
        return valid;
    }

    private static boolean isIdentifier(String name) {
        int first = name.codePointAt(0);
        if (!Character.isJavaIdentifierStart(first)) {
            return false;
        }
        for (int i = Character.charCount(first); i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!Character.isJavaIdentifierPart(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
