package io.weir.jms;

import jakarta.jms.InvalidDestinationException;

/**
 * The rules a JMS destination name must follow to be usable as a Kafka topic name: 1 to 249 characters of
 * {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}, and not starting with {@code __} (Kafka's internal
 * topics). Pure and stateless.
 */
public final class DestinationNames {

    /** The longest legal Kafka topic name. */
    public static final int MAX_LENGTH = 249;

    private DestinationNames() {
    }

    /**
     * Returns {@code name} when it is legal.
     *
     * @throws InvalidDestinationException naming the rule that {@code name} breaks
     */
    public static String validate(String name) throws InvalidDestinationException {
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidDestinationException(problem);
        }
        return name;
    }

    /** True when {@link #validate} would accept {@code name}. */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /** Why {@code name} is not legal, or null when it is. */
    static String problem(String name) {
        if (name == null) {
            return "Destination name must not be null";
        }
        if (name.isEmpty()) {
            return "Destination name must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "Destination name is " + name.length() + " characters long; at most " + MAX_LENGTH
                    + " are allowed: '" + name.substring(0, 40) + "...'";
        }
        if (name.equals(".") || name.equals("..")) {
            return "Destination name must not be '" + name + "'";
        }
        if (name.startsWith("__")) {
            return "Destination name '" + name + "' must not start with '__' (reserved for internal topics)";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                return "Destination name '" + name + "' has the illegal character '" + c + "' at index " + i
                        + "; only [a-zA-Z0-9._-] are allowed";
            }
        }
        return null;
    }
}
