package io.weir.broker.api;

import io.weir.broker.common.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how a Fetch request uses fetch sessions (Kafka's FetchManager), following the request's
 * session id and epoch:
 * <ul>
 *   <li>id 0, epoch -1 (or Fetch before v7): no session, answered whole;</li>
 *   <li>epoch 0: a full fetch that opens a new session when the cache has room (a session named in it
 *       is closed first);</li>
 *   <li>epoch -1 with an id: the session is closed and the request answered whole without a session;</li>
 *   <li>any other epoch: an incremental fetch of that session, which must exist
 *       ({@code FETCH_SESSION_ID_NOT_FOUND}), be at that epoch ({@code INVALID_FETCH_SESSION_EPOCH})
 *       and name topics the way the session does ({@code FETCH_SESSION_TOPIC_ID_ERROR}); its
 *       partitions are added or updated, its forgotten topics removed. A session left empty is closed.</li>
 * </ul>
 * Thread-safe.
 */
public final class FetchSessions {
    public static final String CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String EVICTION_MS = "min.incremental.fetch.session.eviction.ms";
    public static final int DEFAULT_CACHE_SLOTS = 1000;
    public static final long DEFAULT_EVICTION_MS = 120_000L;
    private static final short FIRST_SESSION_VERSION = 7;
    private static final short TOPIC_ID_VERSION = 13;
    private static final Logger log = LoggerFactory.getLogger(FetchSessions.class);

    private final FetchSessionCache cache;

    public FetchSessions(FetchSessionCache cache) {
        this.cache = cache;
    }

    /** Sessions as configured in the broker properties (Kafka's names and defaults). */
    public static FetchSessions fromProperties(Map<String, String> props, Time time) {
        int slots = (int) number(props, CACHE_SLOTS, DEFAULT_CACHE_SLOTS, Integer.MAX_VALUE);
        long evictionMs = number(props, EVICTION_MS, DEFAULT_EVICTION_MS, Long.MAX_VALUE);
        return new FetchSessions(new FetchSessionCache(slots, evictionMs, time,
                () -> ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE)));
    }

    private static long number(Map<String, String> props, String key, long dflt, long max) {
        String value = props.get(key);
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0 || n > max) {
                throw new ConfigException(key, value, "must be between 0 and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "not a number");
        }
    }

    public FetchSessionCache cache() {
        return cache;
    }

    /**
     * The context of one request.
     *
     * @param follower whether a replica sends it (its session is preferred when the cache is full)
     */
    FetchContext newContext(FetchRequestData data, short version, boolean follower) {
        boolean topicIds = version >= TOPIC_ID_VERSION;
        int id = data.sessionId();
        int epoch = data.sessionEpoch();
        if (version < FIRST_SESSION_VERSION) {
            return new FetchContext.Sessionless(items(data));
        }
        if (epoch == 0 || epoch == -1) {
            if (id != 0 && cache.remove(id)) {
                log.debug("Fetch session {} closed by its fetcher (epoch {})", id, epoch);
            }
            return epoch == -1 ? new FetchContext.Sessionless(items(data))
                    : new FetchContext.Full(items(data), cache, follower, topicIds);
        }
        FetchSession session = cache.get(id);
        if (session == null) {
            return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        synchronized (session) {
            if (session.epoch() != epoch) {
                log.debug("Fetch session {}: request epoch {}, expected {}", id, epoch, session.epoch());
                return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            if (session.usesTopicIds != topicIds) {
                return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
            }
            for (FetchContext.Item item : items(data)) {
                FetchPartition p = item.partition();
                session.upsert(item.key(topicIds), p.fetchOffset(), p.partitionMaxBytes(), p.currentLeaderEpoch(),
                        p.lastFetchedEpoch(), p.logStartOffset());
            }
            for (ForgottenTopic f : data.forgottenTopicsData()) {
                for (int partition : f.partitions()) {
                    session.remove(topicIds ? FetchSession.Key.byId(f.topicId(), partition)
                            : FetchSession.Key.byName(f.topic(), partition));
                }
            }
            if (session.size() == 0) {
                cache.remove(id);
                log.debug("Fetch session {} closed: no partitions left", id);
                return new FetchContext.Sessionless(List.of());
            }
            cache.touch(session, session.size());
            session.advanceEpoch();
            List<FetchContext.Item> items = new ArrayList<>(session.size());
            for (FetchSession.CachedPartition c : session.partitions()) {
                items.add(new FetchContext.Item(c.key.topicId(), c.key.topic(), new FetchPartition()
                        .setPartition(c.key.partition()).setFetchOffset(c.fetchOffset).setPartitionMaxBytes(c.maxBytes)
                        .setCurrentLeaderEpoch(c.currentLeaderEpoch).setLastFetchedEpoch(c.lastFetchedEpoch)
                        .setLogStartOffset(c.fetcherLogStartOffset)));
            }
            return new FetchContext.Incremental(items, session);
        }
    }

    private static List<FetchContext.Item> items(FetchRequestData data) {
        List<FetchContext.Item> items = new ArrayList<>();
        for (FetchTopic t : data.topics()) {
            for (FetchPartition p : t.partitions()) {
                items.add(new FetchContext.Item(t.topicId(), t.topic(), p));
            }
        }
        return items;
    }
}
