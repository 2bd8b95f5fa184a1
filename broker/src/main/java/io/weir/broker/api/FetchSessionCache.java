package io.weir.broker.api;

import io.weir.broker.common.Time;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The broker's incremental fetch sessions (KIP-227), at most {@code max.incremental.fetch.session.cache.slots}
 * of them. When the cache is full, a new session takes a slot only by evicting:
 * <ol>
 *   <li>the least recently used session, if unused for longer than
 *       {@code min.incremental.fetch.session.eviction.ms}; otherwise</li>
 *   <li>the least valuable session among those that may be evicted, if it is less valuable than the
 *       new one. A session may be evicted once it is older than the eviction time; a consumer's session
 *       (not privileged) may be evicted at any age by a follower's new session. Value orders followers
 *       above consumers, then larger sessions (more partitions) above smaller ones; among equals the
 *       least recently used goes first, and a newcomer must be strictly more valuable.</li>
 * </ol>
 * A session that finds no slot is not created: its fetcher keeps sending full requests.
 *
 * <p>Thread-safe (this object's monitor). Time is injected; session ids come from {@code ids}, never 0,
 * never one in use.
 */
public final class FetchSessionCache {
    private final int maxSlots;
    private final long evictionMs;
    private final Time time;
    private final IntSupplier ids;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private int partitionsCached;
    private long created;
    private long evictions;
    private long incrementalFetches;

    /**
     * @param maxSlots   {@code max.incremental.fetch.session.cache.slots}; 0 disables sessions
     * @param evictionMs {@code min.incremental.fetch.session.eviction.ms}
     * @param ids        random session ids
     */
    public FetchSessionCache(int maxSlots, long evictionMs, Time time, IntSupplier ids) {
        if (maxSlots < 0 || evictionMs < 0) {
            throw new IllegalArgumentException("slots " + maxSlots + " and eviction ms " + evictionMs + " must not be negative");
        }
        this.maxSlots = maxSlots;
        this.evictionMs = evictionMs;
        this.time = time;
        this.ids = ids;
    }

    /**
     * Creates a session of {@code partitions} when a slot is free or can be freed by the eviction rules.
     *
     * @return the new session, or null when there is no room for it
     */
    synchronized FetchSession create(boolean privileged, boolean usesTopicIds, List<FetchSession.CachedPartition> partitions) {
        long now = time.milliseconds();
        if (maxSlots == 0 || (sessions.size() >= maxSlots && !evictFor(privileged, partitions.size(), now))) {
            return null;
        }
        FetchSession session = new FetchSession(newId(), privileged, usesTopicIds, now, partitions);
        sessions.put(session.id, session);
        partitionsCached += session.cachedSize;
        created++;
        return session;
    }

    /** The session with this id, or null. */
    synchronized FetchSession get(int id) {
        return sessions.get(id);
    }

    /** Removes a session (closed by its fetcher, or left empty). @return whether it was cached */
    synchronized boolean remove(int id) {
        FetchSession s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        partitionsCached -= s.cachedSize;
        return true;
    }

    /**
     * Marks a session used now and takes its new size, after an incremental request was applied to it.
     * The caller holds the session's monitor or knows no one else changes it.
     */
    synchronized void touch(FetchSession session, int size) {
        if (sessions.get(session.id) != session) {
            return; // evicted meanwhile
        }
        session.lastUsedMs = time.milliseconds();
        partitionsCached += size - session.cachedSize;
        session.cachedSize = size;
        incrementalFetches++;
    }

    private boolean evictFor(boolean privileged, int size, long now) {
        FetchSession lru = null;
        FetchSession cheapest = null;
        for (FetchSession s : sessions.values()) {
            if (lru == null || s.lastUsedMs < lru.lastUsedMs) {
                lru = s;
            }
            boolean evictable = now - s.creationMs > evictionMs || (privileged && !s.privileged);
            if (evictable && (cheapest == null || lessValuable(s, cheapest))) {
                cheapest = s;
            }
        }
        FetchSession victim;
        if (lru != null && now - lru.lastUsedMs > evictionMs) {
            victim = lru;
        } else if (cheapest != null && moreValuable(privileged, size, cheapest)) {
            victim = cheapest;
        } else {
            return false;
        }
        sessions.remove(victim.id);
        partitionsCached -= victim.cachedSize;
        evictions++;
        return true;
    }

    private static boolean lessValuable(FetchSession a, FetchSession b) {
        if (a.privileged != b.privileged) {
            return !a.privileged;
        }
        if (a.cachedSize != b.cachedSize) {
            return a.cachedSize < b.cachedSize;
        }
        return a.lastUsedMs < b.lastUsedMs;
    }

    private static boolean moreValuable(boolean privileged, int size, FetchSession existing) {
        if (privileged != existing.privileged) {
            return privileged;
        }
        return size > existing.cachedSize;
    }

    private int newId() {
        while (true) {
            int id = ids.getAsInt();
            if (id > 0 && !sessions.containsKey(id)) {
                return id;
            }
        }
    }

    /** Sessions cached now (Kafka's NumIncrementalFetchSessions). */
    public synchronized int sessionCount() {
        return sessions.size();
    }

    /** Sessions of follower replicas cached now. */
    public synchronized int followerSessionCount() {
        return (int) sessions.values().stream().filter(s -> s.privileged).count();
    }

    /** Partitions held by all sessions (Kafka's NumIncrementalFetchPartitionsCached). */
    public synchronized int partitionsCached() {
        return partitionsCached;
    }

    /** Sessions created since start. */
    public synchronized long sessionsCreated() {
        return created;
    }

    /** Sessions evicted to make room for others since start. */
    public synchronized long evictions() {
        return evictions;
    }

    /** Incremental fetch requests answered from a session since start. */
    public synchronized long incrementalFetches() {
        return incrementalFetches;
    }
}
