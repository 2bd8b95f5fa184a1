package io.weir.broker.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * An incremental fetch session (KIP-227): the partitions a fetcher reads, with the fetch state it last
 * sent for each and what the broker last answered for each, so that an incremental request names only
 * what changed and the answer leaves out what did not.
 *
 * <p>The partitions keep an order: the partitions that returned records move to the end, so that a
 * response cut by {@code max.bytes} starts with other partitions next time.
 *
 * <p>Thread-safety: the partition state and the epoch are guarded by this object's monitor (a fetcher
 * sends one request of a session at a time, but the monitor keeps a misbehaving one harmless);
 * {@link #lastUsedMs} and {@link #cachedSize} belong to the {@link FetchSessionCache} and are guarded by
 * its monitor. Lock order: session, then cache.
 */
final class FetchSession {

    /** Identifies a partition in a session: by topic id (Fetch v13+) or by topic name. */
    record Key(Uuid topicId, String topic, int partition) {
        static Key byId(Uuid topicId, int partition) {
            return new Key(topicId, null, partition);
        }

        static Key byName(String topic, int partition) {
            return new Key(Uuid.ZERO_UUID, topic, partition);
        }
    }

    /**
     * One partition of a session. The request side (fetch offset, limits, epochs) is what the fetcher
     * last sent; the response side (high watermark, last stable offset, log start) is what the broker
     * last answered, -1 when it must be answered again.
     */
    static final class CachedPartition {
        final Key key;
        long fetchOffset;
        int maxBytes;
        int currentLeaderEpoch;
        int lastFetchedEpoch;
        long fetcherLogStartOffset;
        long highWatermark = -1;
        long lastStableOffset = -1;
        long logStartOffset = -1;

        CachedPartition(Key key, long fetchOffset, int maxBytes, int currentLeaderEpoch, int lastFetchedEpoch,
                        long fetcherLogStartOffset) {
            this.key = key;
            update(fetchOffset, maxBytes, currentLeaderEpoch, lastFetchedEpoch, fetcherLogStartOffset);
        }

        void update(long fetchOffset, int maxBytes, int currentLeaderEpoch, int lastFetchedEpoch, long fetcherLogStartOffset) {
            this.fetchOffset = fetchOffset;
            this.maxBytes = maxBytes;
            this.currentLeaderEpoch = currentLeaderEpoch;
            this.lastFetchedEpoch = lastFetchedEpoch;
            this.fetcherLogStartOffset = fetcherLogStartOffset;
        }

        /**
         * Whether an incremental answer must carry this partition (it has records, an error, a
         * diverging epoch, or a high watermark, last stable offset or log start the fetcher has not
         * been told), remembering what it is told. An error forgets the high watermark, so that the
         * partition is answered again once the error is gone.
         */
        boolean mustRespond(long highWatermark, long lastStableOffset, long logStartOffset, boolean hasRecords,
                            boolean hasError, boolean diverging) {
            boolean respond = hasRecords || hasError || diverging;
            if (this.highWatermark != highWatermark || this.lastStableOffset != lastStableOffset
                    || this.logStartOffset != logStartOffset) {
                respond = true;
            }
            this.highWatermark = hasError ? -1 : highWatermark;
            this.lastStableOffset = lastStableOffset;
            this.logStartOffset = logStartOffset;
            return respond;
        }
    }

    /** A session epoch after {@code epoch}: 1 follows the largest int, as in Kafka. */
    static int nextEpoch(int epoch) {
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }

    final int id;
    /** A follower's session (Kafka's "privileged"): preferred when the cache is full. */
    final boolean privileged;
    final boolean usesTopicIds;
    final long creationMs;
    private final LinkedHashMap<Key, CachedPartition> partitions = new LinkedHashMap<>();
    /** The epoch the next incremental request must carry. */
    private int epoch = 1;

    // owned by FetchSessionCache, under its monitor
    long lastUsedMs;
    int cachedSize;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, long creationMs, List<CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = creationMs;
        this.lastUsedMs = creationMs;
        for (CachedPartition p : partitions) {
            this.partitions.put(p.key, p);
        }
        this.cachedSize = partitions.size();
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized void advanceEpoch() {
        epoch = nextEpoch(epoch);
    }

    synchronized int size() {
        return partitions.size();
    }

    /** Adds or updates a partition the fetcher sent. @return whether it was new to the session */
    synchronized boolean upsert(Key key, long fetchOffset, int maxBytes, int currentLeaderEpoch, int lastFetchedEpoch,
                                long fetcherLogStartOffset) {
        CachedPartition p = partitions.get(key);
        if (p == null) {
            partitions.put(key, new CachedPartition(key, fetchOffset, maxBytes, currentLeaderEpoch, lastFetchedEpoch,
                    fetcherLogStartOffset));
            return true;
        }
        p.update(fetchOffset, maxBytes, currentLeaderEpoch, lastFetchedEpoch, fetcherLogStartOffset);
        return false;
    }

    /** Removes a partition the fetcher forgot. @return whether it was in the session */
    synchronized boolean remove(Key key) {
        return partitions.remove(key) != null;
    }

    synchronized CachedPartition partition(Key key) {
        return partitions.get(key);
    }

    /** The partitions in fetch order (a copy). */
    synchronized List<CachedPartition> partitions() {
        return new ArrayList<>(partitions.values());
    }

    /** Moves the partitions that returned records to the end of the fetch order, keeping their order. */
    synchronized void moveToEnd(List<Key> keys) {
        for (Key k : keys) {
            CachedPartition p = partitions.remove(k);
            if (p != null) {
                partitions.put(k, p);
            }
        }
    }

    @Override
    public String toString() {
        return "FetchSession(id=" + id + (privileged ? ", follower" : "") + ", partitions=" + size() + ")";
    }
}
