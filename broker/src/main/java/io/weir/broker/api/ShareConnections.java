package io.weir.broker.api;

import io.weir.broker.share.ShareKey;
import io.weir.broker.share.ShareSessions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends the share sessions of a closed connection: what their members held becomes available again at once. */
final class ShareConnections {
    private static final Logger log = LoggerFactory.getLogger(ShareConnections.class);

    private ShareConnections() {
    }

    static void closed(ShareSupport share, long connectionId) {
        if (share.share() == null) {
            return;
        }
        for (ShareSessions.Session s : share.share().sessions().connectionClosed(connectionId)) {
            List<ShareKey> keys = s.partitions().stream().map(p -> new ShareKey(s.id().groupId(), p.topicId(), p.partition())).toList();
            log.debug("Connection {} closed: ending the share session of member {} of group {}", connectionId, s.id().memberId(),
                    s.id().groupId());
            share.share().partitions().releaseMember(s.id().groupId(), s.id().memberId(), keys, false);
            for (var p : s.partitions()) { // what it held is available again: wake the fetches waiting for records
                ShareSupport.Target t = share.resolve(p.topicId(), p.partition());
                if (t.error() == org.apache.kafka.common.protocol.Errors.NONE) {
                    share.services().replicas().fetchPurgatory().onAppend(t.tp());
                }
            }
        }
    }
}
