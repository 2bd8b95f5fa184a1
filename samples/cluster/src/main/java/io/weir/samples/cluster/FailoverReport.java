package io.weir.samples.cluster;

import java.util.List;

/**
 * The outcome of one run: what was sent, what arrived, and what the kill cost.
 *
 * @param messages                 how many numbered messages the producer was to send
 * @param sent                     sends the cluster acknowledged (a PERSISTENT send returns once it did)
 * @param sendRetries              sends that failed and were tried again by the application
 * @param distinctReceived         numbers the consumer received at least once
 * @param missing                  numbers sent and never received
 * @param redelivered              numbers received again with JMSRedelivered set, not acknowledged before: allowed
 * @param flaggedAtFirstDelivery   numbers whose first delivery to the application had JMSRedelivered set (the
 *                                 broker counted a delivery that never reached it): allowed
 * @param duplicatesOfAcknowledged numbers received again after their acknowledgement succeeded: not allowed
 * @param unflaggedDuplicates      numbers received again without JMSRedelivered
 * @param failedAcknowledgements   {@code acknowledge()} calls that failed (their messages may come again)
 * @param killedBroker             the broker killed: the queue's leader at that moment
 * @param newLeader                the leader elected in its place (-1 if none was seen)
 * @param newLeaderMs              from the kill until the Admin client saw the new leader
 * @param producerPauseMs          the longest wait between two completed sends from the kill on
 * @param consumerPauseMs          the longest wait between two received messages from the kill on
 */
public record FailoverReport(int messages, int sent, int sendRetries, int distinctReceived, List<Integer> missing,
                             List<Integer> redelivered, List<Integer> flaggedAtFirstDelivery,
                             List<Integer> duplicatesOfAcknowledged,
                             List<Integer> unflaggedDuplicates, int failedAcknowledgements, int killedBroker,
                             int newLeader, long newLeaderMs, long producerPauseMs, long consumerPauseMs) {

    /** Everything sent arrived, and nothing acknowledged came twice. */
    public boolean nothingLostOrDuplicated() {
        return sent == messages && missing.isEmpty() && duplicatesOfAcknowledged.isEmpty() && unflaggedDuplicates.isEmpty();
    }

    public String describe() {
        return String.join(System.lineSeparator(),
                "---- report ----",
                "broker killed (kill -9):                  " + killedBroker + ", the queue's leader; new leader: "
                        + (newLeader < 0 ? "none seen" : "broker " + newLeader + ", seen " + newLeaderMs + " ms after the kill"),
                "sent, acknowledged by the cluster:        " + sent + " of " + messages
                        + (sendRetries == 0 ? "" : " (" + sendRetries + " sends failed and were retried)"),
                "received, distinct:                       " + distinctReceived,
                "missing:                                  " + missing.size() + shortList(missing),
                "redelivered, JMSRedelivered=true:         " + redelivered.size() + shortList(redelivered)
                        + (redelivered.isEmpty() ? "" : " (not acknowledged when the broker died: allowed)"),
                "first delivered with JMSRedelivered=true: " + flaggedAtFirstDelivery.size() + shortList(flaggedAtFirstDelivery)
                        + (flaggedAtFirstDelivery.isEmpty() ? "" : " (fetched, not handed out, released at the failover: allowed)"),
                "duplicates of acknowledged messages:      " + duplicatesOfAcknowledged.size() + shortList(duplicatesOfAcknowledged),
                "duplicates without JMSRedelivered:        " + unflaggedDuplicates.size() + shortList(unflaggedDuplicates),
                "failed acknowledge() calls:               " + failedAcknowledgements,
                "failover pause, producer:                 " + producerPauseMs + " ms (longest wait for a send from the kill on)",
                "failover pause, consumer:                 " + consumerPauseMs + " ms (longest gap between two messages from the kill on)",
                nothingLostOrDuplicated() ? "=> nothing lost, nothing acknowledged delivered twice"
                        : "=> MESSAGES LOST OR DUPLICATED");
    }

    private static String shortList(List<Integer> numbers) {
        if (numbers.isEmpty()) {
            return "";
        }
        List<Integer> head = numbers.subList(0, Math.min(20, numbers.size()));
        return " " + head + (numbers.size() > head.size() ? " ..." : "");
    }
}
