package io.weir.jms.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Uuid;

/**
 * Where the partitions of queues' topics are, as the share consumers of one connection factory last learnt it from
 * the brokers at one bootstrap address: a topic's id and each partition's leader, and the ShareFetch version those
 * brokers speak. A new member of a known queue sends its first ShareFetch together with its join (the heartbeat and the
 * Metadata request, on the same connection: the broker handles them in order), so that its first messages arrive one
 * round trip sooner ({@link ShareGroupMember#join}). Learnt from members' Metadata answers, and from the answer to
 * the CreateTopics that made the topic when the cluster has a single broker (which then leads every partition).
 *
 * <p>Entries are trusted for a minute; a member whose joining fetch finds one wrong (a topic recreated, a leader moved)
 * forgets it and fetches as usual. Thread-safe.
 */
public final class TopicLayouts {

    /** How long what was learnt is trusted. */
    static final long TRUST_MS = 60_000;
    /** Topics remembered at most (a factory used for very many queues forgets them all and learns again). */
    private static final int MAX_TOPICS = 10_000;

    /** A topic's id and the leader address ({@code host:port}) of each partition that has one. */
    public record Layout(Uuid topicId, Map<Integer, String> leaders) {
    }

    private record Learnt(Layout layout, long at) {
    }

    private final LongSupplier clock;
    private final Map<String, Learnt> topics = new ConcurrentHashMap<>();
    private volatile short shareFetchVersion = -1;
    private volatile long versionLearntAt;

    public TopicLayouts(LongSupplier clock) {
        this.clock = clock;
    }

    /** The layout of {@code topic}, or null when unknown or stale. */
    Layout get(String topic) {
        Learnt l = topics.get(topic);
        return l != null && clock.getAsLong() - l.at() < TRUST_MS ? l.layout() : null;
    }

    /** Remembers where the partitions of {@code topic} are (those without a leader are left out of {@code leaders}). */
    public void put(String topic, Uuid topicId, Map<Integer, String> leaders) {
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId) || leaders.isEmpty()) {
            return;
        }
        if (topics.size() > MAX_TOPICS) {
            topics.clear();
        }
        topics.put(topic, new Learnt(new Layout(topicId, Map.copyOf(leaders)), clock.getAsLong()));
    }

    /**
     * Forgets {@code topic}'s layout naming {@code topicId}: it was found wrong (one learnt since, naming another id,
     * stays).
     */
    void forget(String topic, Uuid topicId) {
        topics.computeIfPresent(topic, (t, l) -> l.layout().topicId().equals(topicId) ? null : l);
    }

    /** The ShareFetch version these brokers were seen to speak recently (at most the provider's), else -1. */
    short shareFetchVersion() {
        return clock.getAsLong() - versionLearntAt < TRUST_MS ? shareFetchVersion : -1;
    }

    void shareFetchVersion(short version) {
        shareFetchVersion = version;
        versionLearntAt = clock.getAsLong();
    }

    /** Forgets everything: a joining fetch was refused in a way that says the brokers changed. */
    void clear() {
        topics.clear();
        versionLearntAt = 0;
        shareFetchVersion = -1;
    }
}
