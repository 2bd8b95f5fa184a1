package io.weir.ra.inflow;

import io.weir.ra.ProviderClassLoader;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import jakarta.jms.XAConnection;
import io.weir.jms.WeirXASession;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.HintsContext;
import jakarta.resource.spi.work.WorkAdapter;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkContextProvider;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One concurrent delivery of an activation: a long-running {@link Work} that owns a transacted provider
 * session (on the activation's connection) and its consumer, and delivers one message at a time to its own message endpoint.
 *
 * <p>Each message is consumed in the session's local transaction: committed once the delivery succeeded,
 * rolled back (so the provider delivers it again, {@code JMSXDeliveryCount} one higher) when it failed. A
 * delivery succeeded when
 * <ul>
 *   <li>non-transacted endpoint: {@code onMessage} returned normally;</li>
 *   <li>transacted endpoint: the container transaction started by {@code beforeDelivery} committed, as seen
 *       by a synchronization registered with the server's {@code TransactionSynchronizationRegistry}; where
 *       the outcome cannot be seen (no registry, no transaction), neither {@code onMessage} nor
 *       {@code afterDelivery} threw.</li>
 * </ul>
 * A message delivered before is held back ({@code redeliveryDelayMs}, doubled per attempt) before it is delivered
 * again; one delivered {@code maxDeliveryAttempts} times goes to the dead-letter queue, in the same local
 * transaction as its consumption. Broker failures tear the session down; it reconnects with backoff.
 *
 * <p>Thread-safety: {@link #run} is the only user of the JMS objects; {@link #release} may come from any thread.
 */
final class DeliverySession implements Work, WorkContextProvider {

    private static final Logger log = LoggerFactory.getLogger(DeliverySession.class);
    /** How long one receive waits: bounds how quickly a stop is noticed. */
    private static final long RECEIVE_TIMEOUT_MS = 500;

    private final WeirActivation activation;
    private final int index;
    private final CountDownLatch finishedSessions;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final DeadLetters deadLetters;
    private volatile boolean released;
    private Connection connection; // the activation's, while this session has a session on it
    private Session session;
    private WeirXASession xaSession; // the session, when deliveries run in the container's XA transactions
    private DeliveryXAResource xaResource; // the XAResource the endpoint was made with (null: none)
    private MessageConsumer consumer;
    private MessageEndpoint endpoint;
    private int reconnectAttempts;
    private boolean counted;
    private ClassLoader serverLoader; // the work thread's context class loader, given back for endpoint calls

    DeliverySession(WeirActivation activation, int index, CountDownLatch finishedSessions) {
        this.activation = activation;
        this.index = index;
        this.finishedSessions = finishedSessions;
        WeirActivationSpec spec = activation.spec();
        this.deadLetters = new DeadLetters(spec.getDeadLetterDestination(), spec.getMaxDeliveryAttempts());
    }

    int index() {
        return index;
    }

    WorkListener workListener() {
        return new WorkAdapter() {
            @Override
            public void workRejected(WorkEvent e) {
                log.error("{}: the WorkManager rejected delivery session {}: {}", activation.name(), index,
                        e.getException() == null ? "no reason given" : e.getException().getMessage());
                finished();
            }
        };
    }

    /** False once the adapter or the server stops this session (an interrupted thread counts as stopped). */
    private boolean running() {
        return !released && !activation.isStopping() && !Thread.currentThread().isInterrupted();
    }

    @Override
    public void release() {
        released = true;
    }

    /** Tells a server that understands hints that this work runs until the endpoint is deactivated. */
    @Override
    public List<WorkContext> getWorkContexts() {
        if (!activation.longRunningHintSupported()) {
            return List.of();
        }
        HintsContext hints = new HintsContext();
        hints.setName("Weir delivery session " + index);
        hints.setDescription(activation.name());
        hints.setHint(HintsContext.LONGRUNNING_HINT, Boolean.TRUE);
        return List.of(hints);
    }

    @Override
    public void run() {
        // kafka-clients needs the adapter's context class loader; the endpoint gets the thread's own (see toServerLoader)
        ClassLoader previous = ProviderClassLoader.enter();
        serverLoader = previous;
        try {
            while (running()) {
                try {
                    if (!step()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    log.error("{}: delivery session {} failed unexpectedly; it starts anew", activation.name(), index, e);
                    lost("Delivering", e);
                }
            }
        } finally {
            teardown();
            if (endpoint != null) {
                releaseEndpoint();
            }
            finished();
            ProviderClassLoader.exit(previous);
        }
    }

    /** Connects if needed, then receives and delivers at most one message; false when the session must stop. */
    private boolean step() {
        if (session == null && !connect()) {
            activation.awaitStop(activation.outage().delayMs(reconnectAttempts));
            return true;
        }
        if (endpoint == null && !createEndpoint()) {
            activation.awaitStop(activation.outage().delayMs(Math.max(1, reconnectAttempts)));
            return true;
        }
        Message m;
        try {
            m = consumer.receive(RECEIVE_TIMEOUT_MS);
        } catch (JMSException e) {
            lost("Receiving", e);
            return true;
        }
        if (m == null) {
            return true;
        }
        if (!running()) {
            // received after stop was asked: not delivered, so not consumed (rolled back by teardown)
            log.debug("{}: session {} received {} after stop; not delivered", activation.name(), index, id(m));
            return false;
        }
        if (!holdBackRedelivery(m)) {
            log.debug("{}: session {} stops while holding back {}; not delivered", activation.name(), index, id(m));
            return false;
        }
        deliver(m);
        return true;
    }

    /**
     * A message delivered before waits {@code redeliveryDelayMs}, doubled per earlier redelivery, before it is
     * delivered again (or moved to the dead-letter queue). Without it a failure that is not the message's (an
     * endpoint the server stops before it deactivates it, a database that is down) would use up every delivery
     * attempt in moments and send the message to the dead-letter queue. False when the session stops meanwhile:
     * the message is then not delivered (teardown rolls it back, so it is kept).
     */
    private boolean holdBackRedelivery(Message m) {
        int attempt = DeadLetters.deliveryCount(m);
        long delay = activation.spec().redeliveryDelayMs(attempt);
        if (delay > 0) {
            log.debug("{}: session {} holds {} (delivery {}) back for {} ms", activation.name(), index, id(m), attempt,
                    delay);
            activation.awaitStop(delay);
        }
        return running();
    }

    void finished() {
        if (finished.compareAndSet(false, true)) {
            finishedSessions.countDown();
        }
    }

    // ------------------------------------------------------------------ connection

    private boolean connect() {
        reconnectAttempts++;
        Connection c;
        try {
            c = activation.connection();
        } catch (JMSException | RuntimeException e) {
            activation.outage().failed("Connecting (session " + index + ")", e);
            return false;
        }
        try {
            connection = c;
            if (activation.xa()) {
                xaSession = (WeirXASession) ((XAConnection) c).createXASession();
                xaSession.setHoldForBranch(true); // what is received waits for the delivery's branch
                session = xaSession;
            } else {
                session = c.createSession(Session.SESSION_TRANSACTED);
            }
            if (session instanceof io.weir.jms.WeirSession ws) {
                // one message at a time per session: what one session acquired is not waiting while another idles
                ws.setConsumerPrefetch(activation.spec().getPrefetchRecords());
            }
            consumer = activation.createConsumer(session);
        } catch (JMSException | RuntimeException e) {
            teardown();
            activation.discardConnection(c);
            activation.outage().failed("Creating the consumer (session " + index + ")", e);
            return false;
        }
        reconnectAttempts = 0;
        activation.outage().recovered();
        activation.sessionConnected(true);
        counted = true;
        return true;
    }

    /**
     * A receive or commit failed: this session starts anew after a backoff. The shared connection stays (its
     * kafka-clients reconnect by themselves); only a failure to make a session or consumer on it replaces it.
     */
    private void lost(String what, Exception e) {
        teardown();
        activation.outage().failed(what + " (session " + index + ")", e);
        activation.awaitStop(activation.outage().delayMs(1));
    }

    /** Closes the session; what was received and not committed is rolled back, so delivered again. */
    private void teardown() {
        Session s = session;
        if (counted) {
            counted = false;
            activation.sessionConnected(false);
        }
        WeirXASession xs = xaSession;
        connection = null;
        session = null;
        xaSession = null;
        consumer = null;
        deadLetters.forget();
        if (s != null) {
            if (xs != null && endpoint != null && xaResource != null) {
                releaseEndpoint(); // its XAResource is this session's, which closes now
            }
            try {
                if (xs != null) {
                    xs.rollbackHeld();
                } else {
                    s.rollback();
                }
            } catch (JMSException | RuntimeException e) {
                log.debug("{}: rollback while closing session {}: {}", activation.name(), index, e.getMessage());
            }
            try {
                s.close();
            } catch (JMSException | RuntimeException e) {
                log.debug("{}: closing session {}: {}", activation.name(), index, e.getMessage());
            }
        }
    }

    private boolean createEndpoint() {
        try {
            ClassLoader adapter = toServerLoader();
            try {
                xaResource = xaSession == null ? null : new DeliveryXAResource(xaSession.getXAResource());
                endpoint = activation.endpointFactory().createEndpoint(xaResource);
            } finally {
                back(adapter);
            }
            return true;
        } catch (UnavailableException e) {
            log.debug("{}: the endpoint is not available yet: {}", activation.name(), e.getMessage());
            return false;
        }
    }

    // ------------------------------------------------------------------ delivery

    private void deliver(Message m) {
        int attempt = DeadLetters.deliveryCount(m);
        try {
            if (deadLetters.exceeded(attempt)) {
                if (xaSession != null) {
                    OwnBranch.run(xaSession, () -> deadLetters.send(session, m, attempt, activation.destination()));
                } else {
                    deadLetters.send(session, m, attempt, activation.destination());
                    session.commit();
                }
                return;
            }
        } catch (JMSException e) {
            lost("Moving a message to the dead-letter queue", e);
            return;
        }
        if (xaResource != null) {
            xaResource.resetSeen();
        }
        boolean delivered = activation.transacted() ? deliverTransacted(m) : deliverPlain(m);
        if (xaResource != null && xaResource.seen()) {
            // the container's transaction manager committed or rolled back the branch that took the message
            log.debug("{}: session {} delivered {} in an XA branch ({})", activation.name(), index, id(m),
                    delivered ? "committed" : "rolled back");
            return;
        }
        log.debug("{}: session {} {} {}", activation.name(), index, delivered ? "commits" : "rolls back", id(m));
        try {
            if (xaSession != null) {
                // the container did not enlist the endpoint's XAResource: the outcome decides, as without XA
                if (delivered) {
                    xaSession.commitHeld();
                } else {
                    xaSession.rollbackHeld();
                }
            } else if (delivered) {
                session.commit();
            } else {
                session.rollback();
            }
        } catch (JMSException e) {
            lost(delivered ? "Committing a delivered message" : "Rolling back a failed delivery", e);
        }
    }

    private boolean deliverPlain(Message m) {
        Throwable failure = invoke(m);
        if (failure != null) {
            failed(m, failure);
        }
        return failure == null;
    }

    /** Calls onMessage; what it throws (but a VirtualMachineError) is a failed delivery, not the session's end. */
    private Throwable invoke(Message m) {
        ClassLoader adapter = toServerLoader();
        try {
            ((MessageListener) endpoint).onMessage(m);
            return null;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return t;
        } finally {
            back(adapter);
        }
    }

    private boolean deliverTransacted(Message m) {
        ClassLoader adapter = toServerLoader();
        try {
            endpoint.beforeDelivery(WeirActivation.ON_MESSAGE);
        } catch (NoSuchMethodException | ResourceException | RuntimeException e) {
            back(adapter);
            // the container could not start a transaction: not the message's fault, so wait before it comes again
            failed(m, e);
            replaceEndpoint();
            activation.awaitStop(activation.outage().delayMs(1));
            return false;
        }
        back(adapter);
        TransactionOutcome outcome = TransactionOutcome.register(activation.transactionRegistry());
        Throwable listenerFailure = invoke(m);
        if (listenerFailure != null) {
            markRollbackOnly(outcome);
        }
        Throwable failure = listenerFailure;
        adapter = toServerLoader();
        try {
            endpoint.afterDelivery();
        } catch (ResourceException | RuntimeException e) {
            failure = failure == null ? e : failure;
        } finally {
            back(adapter);
        }
        // an onMessage that threw is never a delivery, whatever became of the transaction
        boolean delivered = listenerFailure == null
                && (outcome != null && outcome.known() ? outcome.committed() : failure == null);
        if (!delivered) {
            failed(m, failure != null ? failure : new IllegalStateException("the container transaction rolled back"));
        }
        return delivered;
    }

    /**
     * onMessage threw: the container transaction must not commit. A container marks it rollback-only when the bean
     * throws, but a server may refuse the call before its transaction interceptor runs (WildFly throws
     * "WFLYEE0043: Component is stopped" between stopping a bean and deactivating its endpoint), and afterDelivery
     * then commits the transaction begun by beforeDelivery: what the endpoint's resources did in it must not stay.
     */
    private void markRollbackOnly(TransactionOutcome outcome) {
        jakarta.transaction.TransactionSynchronizationRegistry registry = activation.transactionRegistry();
        if (outcome == null || registry == null) {
            return;
        }
        try {
            registry.setRollbackOnly();
        } catch (RuntimeException e) {
            log.debug("{}: session {} cannot mark the failed delivery's transaction rollback-only: {}",
                    activation.name(), index, e.toString());
        }
    }

    /** A failed beforeDelivery may leave the endpoint unusable: use a new one for the next message. */
    private void replaceEndpoint() {
        releaseEndpoint();
    }

    private void releaseEndpoint() {
        ClassLoader adapter = toServerLoader();
        try {
            endpoint.release();
        } catch (RuntimeException e) {
            log.debug("{}: releasing an endpoint: {}", activation.name(), e.getMessage());
        } finally {
            endpoint = null;
            xaResource = null;
            back(adapter);
        }
    }

    /** The endpoint is called with the work thread's own context class loader; returns the adapter's to restore. */
    private ClassLoader toServerLoader() {
        Thread t = Thread.currentThread();
        ClassLoader adapter = t.getContextClassLoader();
        t.setContextClassLoader(serverLoader);
        return adapter;
    }

    private static void back(ClassLoader adapter) {
        Thread.currentThread().setContextClassLoader(adapter);
    }

    private static String id(Message m) {
        try {
            return m.getJMSMessageID();
        } catch (JMSException e) {
            return "?";
        }
    }

    private void failed(Message m, Throwable t) {
        String id = id(m);
        log.warn("{}: delivery of {} (attempt {}) failed and is rolled back: {}", activation.name(), id,
                DeadLetters.deliveryCount(m), Outage.describe(t));
        log.debug("{}: delivery failure", activation.name(), t);
    }
}
