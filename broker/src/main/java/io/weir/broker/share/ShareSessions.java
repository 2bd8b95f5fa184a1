package io.weir.broker.share;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Share sessions (KIP-932) on this broker, one per group member: the partitions it fetches, so
 * that later requests only name changes, and the epoch that orders its requests. Epoch 0 opens a
 * session (replacing the member's previous one), -1 closes it, and every other request must carry
 * the epoch after the previous one. A session belongs to the connection that opened it: when that
 * connection closes (the consumer stopped or died), the session ends and its records are released at
 * once instead of waiting for their locks to expire.
 *
 * <p>Thread-safe.
 */
public final class ShareSessions {
    private final Map<Id, Session> sessions = new ConcurrentHashMap<>();
    private final int maxSessions;

    /** A member of a group. */
    public record Id(String groupId, String memberId) {
    }

    /** One session. Guarded by itself. */
    public static final class Session {
        final Id id;
        final long connectionId;
        final Set<TopicIdPartition> partitions = new LinkedHashSet<>();
        int nextEpoch = 1;

        Session(Id id, long connectionId) {
            this.id = id;
            this.connectionId = connectionId;
        }

        public synchronized List<TopicIdPartition> partitions() {
            return List.copyOf(partitions);
        }

        public Id id() {
            return id;
        }
    }

    /** The outcome of a request's session handling: the session (null when closed) or an error. */
    public record Use(Errors error, Session session, List<TopicIdPartition> closedPartitions) {
    }

    public ShareSessions(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    /**
     * Opens, continues or closes the member's session for one request.
     *
     * @param added     partitions the request adds (ShareFetch), or empty
     * @param forgotten partitions the request removes, or empty
     */
    public Use use(Id id, int epoch, long connectionId, List<TopicIdPartition> added, List<TopicIdPartition> forgotten) {
        if (epoch == 0) {
            if (!sessions.containsKey(id) && sessions.size() >= maxSessions) {
                return new Use(Errors.SHARE_SESSION_LIMIT_REACHED, null, List.of());
            }
            Session s = new Session(id, connectionId);
            s.partitions.addAll(added);
            Session previous = sessions.put(id, s);
            return new Use(Errors.NONE, s, previous == null ? List.of() : previous.partitions());
        }
        Session s = sessions.get(id);
        if (s == null) {
            return new Use(Errors.SHARE_SESSION_NOT_FOUND, null, List.of());
        }
        synchronized (s) {
            if (epoch == -1) {
                sessions.remove(id, s);
                return new Use(Errors.NONE, null, List.copyOf(s.partitions));
            }
            if (epoch != s.nextEpoch) {
                return new Use(Errors.INVALID_SHARE_SESSION_EPOCH, null, List.of());
            }
            s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
            s.partitions.addAll(added);
            forgotten.forEach(s.partitions::remove);
            return new Use(Errors.NONE, s, List.of());
        }
    }

    /** Whether {@code s} is still the member's session (not closed, replaced or ended with its connection). */
    public boolean isOpen(Session s) {
        return s != null && sessions.get(s.id) == s;
    }

    /** Whether the member has a session on this broker. */
    public boolean hasSession(Id id) {
        return sessions.containsKey(id);
    }

    /** Ends the sessions opened on a connection that closed; returns them with their partitions. */
    public List<Session> connectionClosed(long connectionId) {
        List<Session> closed = new ArrayList<>();
        sessions.values().removeIf(s -> {
            if (s.connectionId == connectionId) {
                closed.add(s);
                return true;
            }
            return false;
        });
        return closed;
    }

    public int size() {
        return sessions.size();
    }
}
