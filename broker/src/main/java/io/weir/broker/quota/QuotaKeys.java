package io.weir.broker.quota;

import java.util.Set;

/**
 * The quota keys clients can be given, as Kafka names them, and what a valid value is. Only the byte
 * rates are enforced by Weir; {@code request_percentage} and {@code controller_mutation_rate} are kept and
 * described for Kafka's tools but not enforced yet.
 */
public final class QuotaKeys {
    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
    public static final Set<String> ALL = Set.of(PRODUCER_BYTE_RATE, CONSUMER_BYTE_RATE, REQUEST_PERCENTAGE,
            CONTROLLER_MUTATION_RATE);

    private QuotaKeys() {
    }

    /** Why {@code value} cannot be set for {@code key}, or null when it can. */
    public static String invalid(String key, double value) {
        if (!ALL.contains(key)) {
            return "Unknown client quota key '" + key + "'; valid keys are " + String.join(", ", new java.util.TreeSet<>(ALL));
        }
        if (Double.isNaN(value) || Double.isInfinite(value) || value <= 0) {
            return "The value of " + key + " must be a positive number, not " + value;
        }
        boolean whole = key.equals(PRODUCER_BYTE_RATE) || key.equals(CONSUMER_BYTE_RATE);
        if (whole && (value != Math.rint(value) || value > Long.MAX_VALUE)) {
            return "The value of " + key + " must be a whole number of bytes per second, not " + value;
        }
        return null;
    }
}
