package io.weir.broker.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The log cleaner's map from record key to the offset of the key's latest record, in a fixed amount of
 * memory: an open-addressing hash table in one buffer, each slot a 16-byte MD5 digest of the key and an
 * 8-byte offset plus one (zero marks an empty slot, so a fresh or cleared buffer is all zeros). Two keys with the same digest would share a slot; with a 128-bit digest that is not a
 * practical concern (Kafka's cleaner makes the same trade).
 *
 * <p>Probing is linear from the slot the digest's first bytes name. The map refuses entries beyond
 * {@code loadFactor} of its slots, so probes stay short; {@link #canHold} lets the caller stop at a segment
 * boundary before that happens.
 *
 * <p>Not thread-safe: each cleaner thread owns one map, cleared between logs.
 */
final class OffsetMap {
    static final int DIGEST_BYTES = 16;
    private static final int SLOT_BYTES = DIGEST_BYTES + Long.BYTES;

    private final ByteBuffer slots;
    private final int capacity;
    private final int maxEntries;
    private final MessageDigest digest;
    private final byte[] hash = new byte[DIGEST_BYTES];
    private final byte[] probe = new byte[DIGEST_BYTES];
    private int entries;
    private long latestOffset = -1;

    /**
     * @param memoryBytes bytes for the table ({@code log.cleaner.dedupe.buffer.size} / cleaner threads)
     * @param loadFactor  the share of slots that may be used ({@code log.cleaner.io.buffer.load.factor})
     */
    OffsetMap(int memoryBytes, double loadFactor) {
        if (memoryBytes < SLOT_BYTES * 2) {
            throw new IllegalArgumentException("An offset map needs at least " + SLOT_BYTES * 2 + " bytes, got " + memoryBytes);
        }
        if (loadFactor <= 0 || loadFactor >= 1) {
            throw new IllegalArgumentException("Load factor must lie strictly between 0 and 1, got " + loadFactor);
        }
        this.capacity = memoryBytes / SLOT_BYTES;
        this.maxEntries = Math.max(1, (int) (capacity * loadFactor));
        this.slots = ByteBuffer.allocate(capacity * SLOT_BYTES);
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    /** Entries the map accepts in all. */
    int maxEntries() {
        return maxEntries;
    }

    int size() {
        return entries;
    }

    /** Whether {@code more} new keys would still fit. */
    boolean canHold(long more) {
        return entries + more <= maxEntries;
    }

    /** The largest offset put since the last {@link #clear}, or -1. */
    long latestOffset() {
        return latestOffset;
    }

    /**
     * Records {@code offset} as the latest for {@code key} (the key's remaining bytes; its position is not moved).
     *
     * @throws IllegalStateException when the key is new and the map is full
     */
    void put(ByteBuffer key, long offset) {
        hashInto(key, hash);
        int slot = findSlot(hash);
        int at = slot * SLOT_BYTES;
        if (isEmpty(at)) {
            if (entries >= maxEntries) {
                throw new IllegalStateException("Offset map is full (" + maxEntries + " keys)");
            }
            slots.put(at, hash);
            entries++;
        }
        slots.putLong(at + DIGEST_BYTES, offset + 1);
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The offset last put for {@code key}, or -1 when it was never put. */
    long get(ByteBuffer key) {
        hashInto(key, hash);
        int at = findSlot(hash) * SLOT_BYTES;
        return isEmpty(at) ? -1 : slots.getLong(at + DIGEST_BYTES) - 1;
    }

    void clear() {
        if (entries > 0) {
            java.util.Arrays.fill(slots.array(), (byte) 0);
        }
        entries = 0;
        latestOffset = -1;
    }

    private boolean isEmpty(int at) {
        return slots.getLong(at + DIGEST_BYTES) == 0L;
    }

    /** The slot holding {@code h}, or the empty slot where it would go. */
    private int findSlot(byte[] h) {
        int start = Math.floorMod(((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff),
                capacity);
        for (int i = 0; i < capacity; i++) {
            int slot = (start + i) % capacity;
            int at = slot * SLOT_BYTES;
            if (isEmpty(at)) {
                return slot;
            }
            slots.get(at, probe);
            if (java.util.Arrays.equals(probe, h)) {
                return slot;
            }
        }
        throw new IllegalStateException("Offset map has no free slot"); // unreachable: maxEntries < capacity
    }

    private void hashInto(ByteBuffer key, byte[] out) {
        digest.update(key.duplicate());
        try {
            digest.digest(out, 0, DIGEST_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
