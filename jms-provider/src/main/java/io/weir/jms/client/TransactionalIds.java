package io.weir.jms.client;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code transactional.id}s of transacted sessions: {@code <prefix>-<slot>}, where the slot is the lowest
 * number not held by another live session of this JVM with the same prefix. A session holds its slot until it
 * closes.
 *
 * <p>Why slots: Kafka fences a "zombie" (an older instance of a producer that is still alive, or died with a
 * transaction open) when a new producer initialises the same transactional id; the broker then aborts the zombie's
 * open transaction at once. An application restarted with the same prefix opens its transacted sessions again on
 * slots 0, 1, 2, ... and so takes over, and aborts, what its previous run left open. Limits: the prefix must be
 * unique per running application instance (two live JVMs with one prefix fence each other's sessions); a restarted
 * instance that opens fewer transacted sessions than before does not fence the higher slots, whose open
 * transactions are then aborted by the broker's transaction timeout ({@code transaction.timeout.ms}).
 *
 * <p>JVM-wide state on purpose (as the JVM-wide client-id and subscription registries): slots must not collide
 * between two connection factories of one JVM with the same prefix. Thread-safe.
 */
public final class TransactionalIds {

    private static final Map<String, BitSet> IN_USE = new HashMap<>();

    private TransactionalIds() {
    }

    /** Takes the lowest free slot for {@code prefix}. */
    public static Lease acquire(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("A transactional id prefix must not be null or empty");
        }
        synchronized (IN_USE) {
            BitSet slots = IN_USE.computeIfAbsent(prefix, p -> new BitSet());
            int slot = slots.nextClearBit(0);
            slots.set(slot);
            return new Lease(prefix, slot);
        }
    }

    static void release(String prefix, int slot) {
        synchronized (IN_USE) {
            BitSet slots = IN_USE.get(prefix);
            if (slots != null) {
                slots.clear(slot);
                if (slots.isEmpty()) {
                    IN_USE.remove(prefix);
                }
            }
        }
    }

    /** One session's hold on a slot; {@link #close()} gives it back (idempotent). */
    public static final class Lease implements AutoCloseable {
        private final String prefix;
        private final int slot;
        private boolean released;

        Lease(String prefix, int slot) {
            this.prefix = prefix;
            this.slot = slot;
        }

        public String transactionalId() {
            return prefix + "-" + slot;
        }

        public int slot() {
            return slot;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(prefix, slot);
            }
        }

        @Override
        public String toString() {
            return transactionalId();
        }
    }
}
