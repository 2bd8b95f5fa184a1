package io.weir.jms;

import io.weir.jms.client.TwoPhaseClient;
import io.weir.jms.client.WireSecurity;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAQueueConnection;
import jakarta.jms.XAQueueSession;
import jakarta.jms.XASession;
import jakarta.jms.XATopicConnection;
import jakarta.jms.XATopicSession;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection that makes XA sessions. It owns the {@link TwoPhaseClient} its branches' Kafka transactions are written
 * through. Closing it aborts its branches that are not prepared; prepared ones stay on the brokers for the
 * transaction manager (commit or rollback through another connection of the same resource id, or recovery).
 */
public final class WeirXAConnection extends WeirConnection implements XAConnection, XAQueueConnection, XATopicConnection {

    private static final Logger log = LoggerFactory.getLogger(WeirXAConnection.class);

    private final XaBranches branches;
    private final TwoPhaseClient twoPhase;

    private WeirXAConnection(ConnectionSettings settings, Admin admin, XaBranches branches, WireSecurity security) {
        super(settings, admin);
        this.branches = branches;
        this.twoPhase = new TwoPhaseClient(settings.bootstrapServers(), "weir-jms-xa-" + connectionId(),
                settings.sendTimeoutMs(), System::currentTimeMillis, security);
    }

    static WeirXAConnection open(ConnectionSettings settings, XaBranches branches) throws JMSException {
        WireSecurity security;
        try {
            // the two-phase requests go over the provider's own connections, secured with the same kafka-clients settings
            security = WireSecurity.of(settings.clientBase());
        } catch (IllegalArgumentException e) {
            throw JmsExceptionSupport.create("Cannot secure XA connections to " + settings.bootstrapServers(), e);
        }
        return new WeirXAConnection(settings, openAdmin(settings), branches, security);
    }

    TwoPhaseClient twoPhase() {
        return twoPhase;
    }

    @Override
    public XASession createXASession() throws JMSException {
        return newXASession(WeirSession.Kind.GENERAL);
    }

    @Override
    public XAQueueSession createXAQueueSession() throws JMSException {
        return newXASession(WeirSession.Kind.QUEUE);
    }

    @Override
    public XATopicSession createXATopicSession() throws JMSException {
        return newXASession(WeirSession.Kind.TOPIC);
    }

    WeirXASession newXASession(WeirSession.Kind kind) throws JMSException {
        checkClosed();
        lockClientId();
        return register(new WeirXASession(this, branches, kind));
    }

    @Override
    public void close() throws JMSException {
        try {
            super.close();
        } finally {
            for (XaBranch b : branches.ownedBy(this)) {
                synchronized (b) {
                    branches.remove(b);
                    if (b.state != io.weir.jms.xa.XaState.PREPARED) {
                        try {
                            b.kafka.end(false);
                        } catch (RuntimeException e) {
                            log.warn("Aborting branch {} of a closed connection failed: {}", b, e.toString());
                        }
                    }
                }
            }
            twoPhase.close();
        }
    }
}
