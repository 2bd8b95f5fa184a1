package io.weir.jms;

import io.weir.jms.client.TransactionEngine;
import jakarta.jms.JMSException;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TopicSession;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.XAQueueSession;
import jakarta.jms.XASession;
import jakarta.jms.XATopicSession;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An XA session. While its {@link WeirXAResource} associates it with a branch (start .. end), it works as a
 * transacted session whose transaction is the branch: sends go into the branch's Kafka transaction and what its
 * consumers deliver is consumed with the branch. Outside a branch it works as an {@code AUTO_ACKNOWLEDGE} session
 * (Jakarta Messaging 3.1, 6.2.9: an XA session outside a distributed transaction is not transacted).
 * {@link #commit}/{@link #rollback} are the transaction manager's: TransactionInProgressException.
 */
public final class WeirXASession extends WeirSession implements XASession, XAQueueSession, XATopicSession {

    private final WeirXAResource resource;
    private final AtomicReference<XaBranch> association;
    private volatile boolean holdForBranch;

    WeirXASession(WeirXAConnection connection, XaBranches branches, Kind kind) {
        this(connection, branches, kind, new AtomicReference<>());
    }

    private WeirXASession(WeirXAConnection connection, XaBranches branches, Kind kind, AtomicReference<XaBranch> association) {
        super(connection, AUTO_ACKNOWLEDGE, kind, new BranchEngine(association));
        this.association = association;
        this.resource = new WeirXAResource(this, connection, branches, System::currentTimeMillis);
    }

    XaBranch associated() {
        return association.get();
    }

    void associate(XaBranch b) {
        association.set(b);
    }

    void dissociate() {
        association.set(null);
    }

    @Override
    int mode() {
        return association.get() != null || holdForBranch ? SESSION_TRANSACTED : AUTO_ACKNOWLEDGE;
    }

    /**
     * With {@code true}, what this session's consumers deliver outside a branch is not acknowledged but held for the
     * next branch: the next {@code start .. end} of this session's XAResource takes it into its branch, so it is
     * consumed if that branch commits and delivered again if it rolls back. This is how a message endpoint consumes
     * in its container's transaction although the message is received before the transaction begins (a resource
     * adapter receives, then the container starts the transaction and enlists the XAResource). Held messages that
     * no branch takes are given back with {@link #rollbackHeld} or consumed with {@link #commitHeld}. Sends outside a
     * branch are refused while holding. For the session's owning thread.
     */
    public void setHoldForBranch(boolean hold) throws JMSException {
        checkClosed();
        holdForBranch = hold;
    }

    /** Consumes what was delivered outside a branch and held ({@link #setHoldForBranch}), waiting for the broker. */
    public void commitHeld() throws JMSException {
        checkClosed();
        checkNotAssociated("commitHeld");
        Map<io.weir.jms.client.ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> held = takeDelivered();
        for (Map.Entry<io.weir.jms.client.ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> e : held.entrySet()) {
            await(e.getKey().consumedAndCommit(e.getValue(), true), "Committing the held messages");
        }
    }

    /** Gives back what was delivered outside a branch and held: it is delivered again. */
    public void rollbackHeld() throws JMSException {
        checkClosed();
        checkNotAssociated("rollbackHeld");
        rollbackConsumed();
    }

    private void checkNotAssociated(String what) throws jakarta.jms.IllegalStateException {
        if (association.get() != null) {
            throw new jakarta.jms.IllegalStateException(what + ": the session is associated with a branch");
        }
    }

    @Override
    public Session getSession() throws JMSException {
        checkClosed();
        return this;
    }

    @Override
    public QueueSession getQueueSession() throws JMSException {
        checkClosed();
        return this;
    }

    @Override
    public TopicSession getTopicSession() throws JMSException {
        checkClosed();
        return this;
    }

    @Override
    public WeirXAResource getXAResource() {
        return resource;
    }

    @Override
    public boolean getTransacted() throws JMSException {
        checkClosed();
        return true;
    }

    @Override
    public void commit() throws JMSException {
        checkClosed();
        throw new TransactionInProgressException("An XA session is committed by its transaction manager (XAResource)");
    }

    @Override
    public void rollback() throws JMSException {
        checkClosed();
        throw new TransactionInProgressException("An XA session is rolled back by its transaction manager (XAResource)");
    }

    /** The session's transaction engine: the associated branch's Kafka transaction. */
    private static final class BranchEngine implements TransactionEngine {
        private final AtomicReference<XaBranch> association;

        BranchEngine(AtomicReference<XaBranch> association) {
            this.association = association;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            XaBranch b = association.get();
            if (b == null) {
                throw new IllegalStateException("The XA session is not associated with a transaction branch");
            }
            return b.kafka.send(record, callback);
        }

        @Override
        public void commit(Map<io.weir.jms.client.ReaderEngine, List<ConsumerRecord<byte[], byte[]>>> consumed) {
            throw new IllegalStateException("An XA branch is committed through its XAResource");
        }

        @Override
        public void rollback() {
            throw new IllegalStateException("An XA branch is rolled back through its XAResource");
        }

        @Override
        public void close() {
            // a branch outlives the session: the transaction manager still ends, prepares and commits it
        }
    }
}
