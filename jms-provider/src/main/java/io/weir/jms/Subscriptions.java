package io.weir.jms;

import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;

import java.util.HashMap;
import java.util.Map;

/**
 * Group names of subscriptions, and which subscriptions have active consumers in this JVM. The spec's
 * "only one active consumer per unshared durable subscription" and "no unsubscribe while active" rules are
 * enforced within the JVM; across processes an unshared durable subscription with two consumers behaves as a
 * shared one (a documented limit).
 */
final class Subscriptions {

    private static final Map<String, Integer> ACTIVE = new HashMap<>();
    private static final Map<String, Boolean> UNSHARED = new HashMap<>();

    private Subscriptions() {
    }

    static String durableGroup(String clientId, String name) {
        return clientId == null ? name : clientId + "." + name;
    }

    static String sharedGroup(String clientId, String name) {
        return "jms-shared." + (clientId == null ? "" : clientId + ".") + name;
    }

    static synchronized void acquireUnshared(String group, String name) throws JMSException {
        if (ACTIVE.getOrDefault(group, 0) > 0) {
            throw new IllegalStateException("Durable subscription '" + name + "' already has an active consumer");
        }
        ACTIVE.put(group, 1);
        UNSHARED.put(group, true);
    }

    static synchronized void releaseUnshared(String group) {
        ACTIVE.remove(group);
        UNSHARED.remove(group);
    }

    static synchronized void acquireShared(String group) {
        ACTIVE.merge(group, 1, Integer::sum);
    }

    /** Returns true when this was the last active consumer. */
    static synchronized boolean releaseShared(String group) {
        Integer n = ACTIVE.get(group);
        if (n == null || n <= 1) {
            ACTIVE.remove(group);
            return true;
        }
        ACTIVE.put(group, n - 1);
        return false;
    }

    static synchronized boolean isActive(String group) {
        return ACTIVE.getOrDefault(group, 0) > 0;
    }

    static synchronized boolean isUnsharedActive(String group) {
        return UNSHARED.getOrDefault(group, false);
    }
}
