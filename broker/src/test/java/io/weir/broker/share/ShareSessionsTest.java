package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ShareSessionsTest {
    private final ShareSessions sessions = new ShareSessions(2);
    private final TopicIdPartition p0 = new TopicIdPartition(Uuid.randomUuid(), 0, "");
    private final TopicIdPartition p1 = new TopicIdPartition(p0.topicId(), 1, "");
    private final ShareSessions.Id a = new ShareSessions.Id("g", "a");

    @Test
    void epochsOrderTheRequestsOfASession() {
        assertThat(sessions.use(a, 3, 1, List.of(), List.of()).error()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
        assertThat(sessions.use(a, 0, 1, List.of(p0), List.of()).session().partitions()).containsExactly(p0);
        assertThat(sessions.use(a, 2, 1, List.of(), List.of()).error()).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(sessions.use(a, 1, 1, List.of(p1), List.of(p0)).session().partitions()).containsExactly(p1);
        assertThat(sessions.use(a, 1, 1, List.of(), List.of()).error()).as("an epoch is used once").isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        ShareSessions.Use closed = sessions.use(a, -1, 1, List.of(), List.of());
        assertThat(closed.error()).isEqualTo(Errors.NONE);
        assertThat(closed.closedPartitions()).containsExactly(p1);
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aClosedConnectionEndsItsSessionsAndTheLimitHolds() {
        sessions.use(a, 0, 7, List.of(p0), List.of());
        sessions.use(new ShareSessions.Id("g", "b"), 0, 8, List.of(p0), List.of());
        assertThat(sessions.use(new ShareSessions.Id("g", "c"), 0, 9, List.of(p0), List.of()).error())
                .isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED);
        assertThat(sessions.connectionClosed(7)).extracting(ShareSessions.Session::id).containsExactly(a);
        assertThat(sessions.size()).isEqualTo(1);
    }
}
