package io.weir.samples.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a CLIENT_ACKNOWLEDGE consumer got, message by message, sorted into what JMS allows and what it does not:
 * <ul>
 *   <li>a message delivered again with {@code JMSRedelivered=true} that was not acknowledged (or whose
 *       acknowledgement failed) is a <em>redelivery</em>: allowed, at-least-once;</li>
 *   <li>a message whose first delivery to the application carries {@code JMSRedelivered=true} was delivered
 *       before as far as the broker knows (fetched by the consumer, never handed to the application, released
 *       at the failover): allowed, and counted apart;</li>
 *   <li>a message delivered again after its acknowledgement succeeded is a <em>duplicate of an acknowledged
 *       message</em>: not allowed;</li>
 *   <li>a message delivered again without the flag is a <em>duplicate</em> too (the same number sent twice, or a
 *       redelivery the provider did not flag).</li>
 * </ul>
 * {@code acknowledge()} acknowledges everything the session delivered, so an acknowledgement covers every message
 * received since the previous one. Not thread-safe: the consumer's thread fills it, the report reads it after that
 * thread ended.
 */
final class DeliveryTally {

    private final Set<Integer> distinct = new HashSet<>();
    private final List<Integer> sinceAcknowledge = new ArrayList<>();
    private final Set<Integer> acknowledged = new HashSet<>();
    private final List<Integer> redelivered = new ArrayList<>();
    private final List<Integer> flaggedAtFirstDelivery = new ArrayList<>();
    private final List<Integer> duplicatesOfAcknowledged = new ArrayList<>();
    private final List<Integer> unflaggedDuplicates = new ArrayList<>();
    private int failedAcknowledgements;

    void received(int number, boolean redeliveredFlag) {
        if (acknowledged.contains(number)) {
            duplicatesOfAcknowledged.add(number);
        } else if (redeliveredFlag) {
            (distinct.contains(number) ? redelivered : flaggedAtFirstDelivery).add(number);
        } else if (distinct.contains(number)) {
            unflaggedDuplicates.add(number);
        }
        distinct.add(number);
        sinceAcknowledge.add(number);
    }

    /** {@code acknowledge()} returned: the broker has the acknowledgement of everything received since the last one. */
    void acknowledged() {
        acknowledged.addAll(sinceAcknowledge);
        sinceAcknowledge.clear();
    }

    /** {@code acknowledge()} failed: those messages may come again (flagged redelivered), which is allowed. */
    void acknowledgeFailed() {
        failedAcknowledgements++;
        sinceAcknowledge.clear();
    }

    boolean hasUnacknowledged() {
        return !sinceAcknowledge.isEmpty();
    }

    int distinctCount() {
        return distinct.size();
    }

    /** The numbers in {@code [0, sent)} never received. */
    List<Integer> missing(int sent) {
        List<Integer> missing = new ArrayList<>();
        for (int n = 0; n < sent; n++) {
            if (!distinct.contains(n)) {
                missing.add(n);
            }
        }
        return missing;
    }

    List<Integer> redelivered() {
        return List.copyOf(new TreeSet<>(redelivered));
    }

    List<Integer> flaggedAtFirstDelivery() {
        return List.copyOf(new TreeSet<>(flaggedAtFirstDelivery));
    }

    List<Integer> duplicatesOfAcknowledged() {
        return List.copyOf(duplicatesOfAcknowledged);
    }

    List<Integer> unflaggedDuplicates() {
        return List.copyOf(unflaggedDuplicates);
    }

    int failedAcknowledgements() {
        return failedAcknowledgements;
    }
}
