package io.weir.ra.it.app;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the message-driven beans of the test application saw, kept in the server for the test client to read through
 * {@link LedgerServlet}: every delivery of every message text (whether it was marked redelivered, its
 * {@code JMSXDeliveryCount}), and how many deliveries of {@link ParallelMdb} were in {@code onMessage} at once.
 * Outside any transaction, so a delivery whose transaction rolls back is still recorded. Thread-safe.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class Ledger {

    private final Map<String, List<String>> deliveries = new ConcurrentHashMap<>();
    private final Object parallelLock = new Object();
    private int inFlight;
    private int maxInFlight;

    /**
     * Records one delivery of {@code text}.
     *
     * @return which delivery of this text it is: 1 for the first
     */
    public int delivered(String text, boolean redelivered, int deliveryCount) {
        List<String> list = deliveries.computeIfAbsent(text, t -> new ArrayList<>());
        synchronized (list) {
            list.add(redelivered + "/" + deliveryCount);
            return list.size();
        }
    }

    /** The deliveries of {@code text}, each {@code redelivered/JMSXDeliveryCount}, comma-separated. */
    public String deliveries(String text) {
        List<String> list = deliveries.get(text);
        if (list == null) {
            return "";
        }
        synchronized (list) {
            return String.join(",", list);
        }
    }

    /**
     * Enters a parallel delivery and holds it until {@code target} deliveries have been in at once, or until
     * {@code timeoutMs} has passed (so that a server that delivers one at a time is slow, never stuck).
     */
    public void enterParallel(int target, long timeoutMs) throws InterruptedException {
        synchronized (parallelLock) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            parallelLock.notifyAll();
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            long left;
            while (maxInFlight < target && (left = deadline - System.nanoTime()) > 0) {
                parallelLock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public void exitParallel() {
        synchronized (parallelLock) {
            inFlight--;
        }
    }

    /** The most parallel deliveries seen in {@code onMessage} at once. */
    public int maxInFlight() {
        synchronized (parallelLock) {
            return maxInFlight;
        }
    }
}
