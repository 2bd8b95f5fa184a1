package io.weir.broker.api;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * How one Fetch request relates to fetch sessions (KIP-227): which partitions to read, and how the
 * answer read for them becomes the response (whole, or only what changed, with the session id).
 * Made by {@link FetchSessions#newContext}; {@link #respond} is called once, with the final reads.
 */
sealed interface FetchContext {

    /** A partition to read: its topic (by id from Fetch v13, else by name) and the fetch state. */
    record Item(Uuid topicId, String topic, FetchPartition partition) {
        FetchSession.Key key(boolean byId) {
            return byId ? FetchSession.Key.byId(topicId, partition.partition())
                    : FetchSession.Key.byName(topic, partition.partition());
        }
    }

    /** The partitions to read, in order. */
    List<Item> items();

    /**
     * The response, from the answer read for each of {@link #items()} (same order).
     *
     * @param topicIds whether topics are named by id (Fetch v13+)
     */
    FetchResponseData respond(List<PartitionData> read, boolean topicIds);

    /** A fetch without a session (session id 0, epoch -1; a closing request; Fetch before v7): answered whole. */
    record Sessionless(List<Item> items) implements FetchContext {
        @Override
        public FetchResponseData respond(List<PartitionData> read, boolean topicIds) {
            return assemble(items, read, topicIds, null).setSessionId(0);
        }
    }

    /** A full fetch (epoch 0) that opens a session when the cache has room: answered whole. */
    record Full(List<Item> items, FetchSessionCache cache, boolean follower, boolean topicIds) implements FetchContext {
        @Override
        public FetchResponseData respond(List<PartitionData> read, boolean byId) {
            int sessionId = 0;
            if (!items.isEmpty()) {
                List<FetchSession.CachedPartition> cached = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    FetchPartition p = items.get(i).partition();
                    FetchSession.CachedPartition c = new FetchSession.CachedPartition(items.get(i).key(topicIds), p.fetchOffset(),
                            p.partitionMaxBytes(), p.currentLeaderEpoch(), p.lastFetchedEpoch(), p.logStartOffset());
                    PartitionData d = read.get(i);
                    c.mustRespond(d.highWatermark(), d.lastStableOffset(), d.logStartOffset(), false,
                            d.errorCode() != Errors.NONE.code(), false);
                    cached.add(c);
                }
                FetchSession session = cache.create(follower, topicIds, cached);
                sessionId = session == null ? 0 : session.id;
            }
            return assemble(items, read, byId, null).setSessionId(sessionId);
        }
    }

    /**
     * An incremental fetch in a session: every partition of the session is read, and the response
     * carries only those with records, an error, a diverging epoch or offsets the fetcher has not been
     * told. Partitions that returned records move to the end of the session's order.
     */
    record Incremental(List<Item> items, FetchSession session) implements FetchContext {
        @Override
        public FetchResponseData respond(List<PartitionData> read, boolean topicIds) {
            boolean[] keep = new boolean[items.size()];
            List<FetchSession.Key> withRecords = new ArrayList<>();
            synchronized (session) {
                for (int i = 0; i < items.size(); i++) {
                    FetchSession.Key key = items.get(i).key(session.usesTopicIds);
                    FetchSession.CachedPartition c = session.partition(key);
                    if (c == null) {
                        continue; // forgotten by a request that overtook this one
                    }
                    PartitionData d = read.get(i);
                    boolean hasRecords = d.records() != null && d.records().sizeInBytes() > 0;
                    keep[i] = c.mustRespond(d.highWatermark(), d.lastStableOffset(), d.logStartOffset(), hasRecords,
                            d.errorCode() != Errors.NONE.code(), d.divergingEpoch().epoch() >= 0);
                    if (hasRecords) {
                        withRecords.add(key);
                    }
                }
                session.moveToEnd(withRecords);
            }
            return assemble(items, read, topicIds, keep).setSessionId(session.id);
        }
    }

    /** A session request that cannot be served (unknown session, wrong epoch): a top-level error, no partitions. */
    record SessionError(Errors error) implements FetchContext {
        @Override
        public List<Item> items() {
            return List.of();
        }

        @Override
        public FetchResponseData respond(List<PartitionData> read, boolean topicIds) {
            return new FetchResponseData().setErrorCode(error.code()).setSessionId(0);
        }
    }

    /** Groups consecutive partitions of one topic; {@code keep} (null: all) selects the partitions sent. */
    private static FetchResponseData assemble(List<Item> items, List<PartitionData> read, boolean topicIds, boolean[] keep) {
        FetchResponseData data = new FetchResponseData();
        FetchableTopicResponse current = null;
        Item currentItem = null;
        for (int i = 0; i < items.size(); i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            Item item = items.get(i);
            boolean sameTopic = currentItem != null
                    && (topicIds ? currentItem.topicId().equals(item.topicId()) : currentItem.topic().equals(item.topic()));
            if (!sameTopic) {
                current = new FetchableTopicResponse().setTopic(topicIds ? "" : item.topic())
                        .setTopicId(topicIds ? item.topicId() : Uuid.ZERO_UUID);
                data.responses().add(current);
                currentItem = item;
            }
            current.partitions().add(read.get(i));
        }
        return data;
    }
}
