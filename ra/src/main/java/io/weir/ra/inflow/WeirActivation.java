package io.weir.ra.inflow;

import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTopic;
import io.weir.ra.ProviderSettings;
import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.XaResourceIds;
import io.weir.ra.outbound.WeirManagedConnectionFactory;
import io.weir.ra.outbound.WeirRaConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One message endpoint activated with one spec: up to {@code maxSession} {@link DeliverySession}s, each a
 * long-running {@code Work} on the server's {@link WorkManager} with its own transacted provider session, all on
 * one provider connection. {@link #stop} lets every in-flight delivery finish, leaves whatever was received and not delivered
 * uncommitted (so it is delivered again), and returns once every session has closed.
 *
 * <p>Lifecycle: {@code start} once, {@code stop} once, from the adapter; thread-safe.
 */
public final class WeirActivation {

    private static final Logger log = LoggerFactory.getLogger(WeirActivation.class);
    static final Method ON_MESSAGE;

    static {
        try {
            ON_MESSAGE = MessageListener.class.getMethod("onMessage", Message.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How long {@link #stop} waits for in-flight deliveries before it gives up waiting (they still finish). */
    private static final long STOP_WAIT_MS = 60_000;

    private final WeirActivationSpec spec;
    private final MessageEndpointFactory endpointFactory;
    private final BootstrapContext bootstrapContext;
    private final ProviderSettings adapterDefaults;
    private final String adapterUser;
    private final String adapterPassword;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Object connectionLock = new Object();
    private Connection connection; // guarded by connectionLock
    private final java.util.concurrent.atomic.AtomicInteger connectedSessions = new java.util.concurrent.atomic.AtomicInteger();
    private final List<DeliverySession> sessions = new ArrayList<>();
    private volatile CountDownLatch finishedSessions = new CountDownLatch(0);
    private volatile Destination destination;
    private volatile WeirActivationSpec.DestinationKind kind;
    private volatile WeirConnectionFactory connectionFactory;
    private volatile WeirXAConnectionFactory xaConnectionFactory; // null: no XA (a plain factory was looked up)
    private volatile WeirResourceAdapter adapter;
    private volatile String user;
    private volatile String password;
    private volatile boolean transacted;
    private volatile TransactionSynchronizationRegistry transactionRegistry;
    private volatile boolean longRunningHint;
    private volatile Outage outage;
    private volatile String name;

    public WeirActivation(WeirActivationSpec spec, MessageEndpointFactory endpointFactory, BootstrapContext bootstrapContext,
                          ProviderSettings adapterDefaults, String adapterUser, String adapterPassword) {
        this.spec = spec;
        this.endpointFactory = endpointFactory;
        this.bootstrapContext = bootstrapContext;
        this.adapterDefaults = adapterDefaults;
        this.adapterUser = adapterUser;
        this.adapterPassword = adapterPassword;
    }

    /**
     * Resolves the destination and the connection settings, then schedules the delivery sessions. An
     * unreachable broker does not fail activation: the sessions log it once and retry.
     *
     * @throws ResourceException if a lookup fails, a property is inconsistent, or the WorkManager refuses the work
     */
    public void start() throws ResourceException {
        resolveDestination();
        try {
            transacted = endpointFactory.isDeliveryTransacted(ON_MESSAGE);
        } catch (NoSuchMethodException e) {
            throw new ResourceException("The endpoint has no onMessage(Message) method", e);
        }
        resolveConnectionFactory();
        transactionRegistry = registryOf(bootstrapContext);
        longRunningHint = hintsSupported(bootstrapContext);
        name = "Weir endpoint " + endpointName() + " on " + destination + " (bootstrapServers="
                + connectionFactory.getBootstrapServers() + ")";
        outage = new Outage(name, spec.getReconnectInitialDelayMs(), spec.getReconnectMaxDelayMs());
        int count = sessionCount();
        if (count < spec.getMaxSession()) {
            log.info("{}: maxSession {} reduced to 1: an unshared topic subscription has one consumer "
                    + "(set shareSubscriptions=true to share it)", name, spec.getMaxSession());
        }
        WorkManager wm = bootstrapContext.getWorkManager();
        CountDownLatch finished = new CountDownLatch(count);
        finishedSessions = finished;
        synchronized (sessions) {
            for (int i = 0; i < count; i++) {
                DeliverySession s = new DeliverySession(this, i, finished);
                sessions.add(s);
            }
            for (DeliverySession s : sessions) {
                try {
                    wm.scheduleWork(s, WorkManager.INDEFINITE, null, s.workListener());
                } catch (WorkException e) {
                    for (DeliverySession notStarted : sessions.subList(s.index(), sessions.size())) {
                        notStarted.finished();
                    }
                    throw new ResourceException(name + ": the WorkManager refused delivery session " + s.index(), e);
                }
            }
        }
        log.info("{}: activated, {} session(s), {} delivery", name, count,
                xa() ? "transacted (XA, resource manager " + xaConnectionFactory.getXaResourceId() + ")"
                        : transacted ? "transacted" : "non-transacted");
    }

    private String endpointName() {
        try {
            String n = endpointFactory.getActivationName();
            return n == null ? endpointFactory.toString() : n;
        } catch (RuntimeException | AbstractMethodError e) {
            return endpointFactory.toString();
        }
    }

    private static boolean hintsSupported(BootstrapContext ctx) {
        try {
            return ctx.isContextSupported(jakarta.resource.spi.work.HintsContext.class);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    boolean longRunningHintSupported() {
        return longRunningHint;
    }

    private static TransactionSynchronizationRegistry registryOf(BootstrapContext ctx) {
        try {
            return ctx.getTransactionSynchronizationRegistry();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private void resolveDestination() throws ResourceException {
        String lookup = spec.getDestinationLookup();
        if (lookup != null && !lookup.isBlank()) {
            Object o = lookup(lookup, "destinationLookup");
            if (o instanceof Queue q && !(o instanceof Topic)) {
                kind = WeirActivationSpec.DestinationKind.QUEUE;
                destination = q;
            } else if (o instanceof Topic t) {
                kind = WeirActivationSpec.DestinationKind.TOPIC;
                destination = t;
            } else {
                throw new InvalidPropertyException("Weir activation spec: destinationLookup: '" + lookup
                        + "' is " + (o == null ? "null" : "a " + o.getClass().getName()) + ", not a queue or topic");
            }
            if (spec.hasDestinationType() && spec.kind() != kind) {
                throw new InvalidPropertyException("Weir activation spec: destinationType: " + spec.getDestinationType()
                        + " does not match '" + lookup + "', a " + kind.name().toLowerCase(java.util.Locale.ROOT));
            }
            return;
        }
        kind = spec.kind();
        destination = kind == WeirActivationSpec.DestinationKind.QUEUE
                ? new WeirQueue(spec.getDestination().trim()) : new WeirTopic(spec.getDestination().trim());
    }

    private void resolveConnectionFactory() throws ResourceException {
        String lookup = spec.getConnectionFactoryLookup();
        String specUser = spec.getUserName();
        if (lookup != null && !lookup.isBlank()) {
            Object o = lookup(lookup, "connectionFactoryLookup");
            if (o instanceof WeirRaConnectionFactory ra) {
                WeirManagedConnectionFactory mcf = ra.managedConnectionFactory();
                connectionFactory = settingsOrThrow(mcf.providerSettings(), "connectionFactoryLookup",
                        XaResourceIds.orElse(spec.getXaResourceId(), mcf.effectiveXaResourceId()));
                user = blank(specUser) ? mcf.effectiveUserName() : specUser;
                password = blank(specUser) ? mcf.effectivePassword() : spec.getPassword();
            } else if (o instanceof WeirConnectionFactory w) {
                connectionFactory = w;
                xaConnectionFactory = w instanceof WeirXAConnectionFactory x ? x : null;
                user = specUser;
                password = spec.getPassword();
            } else {
                throw new InvalidPropertyException("Weir activation spec: connectionFactoryLookup: '" + lookup + "' is "
                        + (o == null ? "null" : "a " + o.getClass().getName()) + ", not a Weir connection factory");
            }
            return;
        }
        ProviderSettings own = new ProviderSettings(spec.getBootstrapServers(), spec.getClientId(), spec.getConnectionParameters());
        connectionFactory = settingsOrThrow(own.orElse(adapterDefaults), "bootstrapServers",
                XaResourceIds.orElse(spec.getXaResourceId(), adapter != null ? adapter.effectiveXaResourceId() : XaResourceIds.defaultId()));
        user = blank(specUser) ? adapterUser : specUser;
        password = blank(specUser) ? adapterPassword : spec.getPassword();
    }

    /** The provider factory of {@code settings}, and for transacted delivery the XA factory of {@code xaResourceId}. */
    private WeirConnectionFactory settingsOrThrow(ProviderSettings settings, String property, String xaResourceId)
            throws InvalidPropertyException {
        ProviderSettings s = settings;
        if (spec.getClientId() != null && !spec.getClientId().isBlank()) {
            s = new ProviderSettings(settings.bootstrapServers(), spec.getClientId(), settings.connectionParameters());
        }
        WeirConnectionFactory plain;
        try {
            plain = s.connectionFactory();
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException("Weir activation spec: " + property + ": " + e.getMessage());
        }
        if (transacted) {
            try {
                xaConnectionFactory = adapter != null ? adapter.xaFactory(s, xaResourceId) : s.xaConnectionFactory(xaResourceId);
            } catch (IllegalArgumentException e) {
                throw new InvalidPropertyException("Weir activation spec: xaResourceId: " + e.getMessage());
            }
        }
        return plain;
    }

    /**
     * The adapter whose XA resource managers (one provider XA factory per settings and id) this activation shares,
     * so that its deliveries and the adapter's outbound connections on the same brokers are the same resource
     * manager. Called before {@link #start}; without it the activation makes its own.
     */
    public void useAdapter(WeirResourceAdapter adapter) {
        this.adapter = adapter;
    }

    /** Whether deliveries run in XA branches of the container's transactions (transacted endpoint, XA factory). */
    boolean xa() {
        return transacted && xaConnectionFactory != null;
    }

    private static Object lookup(String jndiName, String property) throws InvalidPropertyException {
        try {
            return new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            InvalidPropertyException ipe = new InvalidPropertyException("Weir activation spec: " + property + ": cannot look up '"
                    + jndiName + "': " + e.getMessage());
            ipe.initCause(e);
            throw ipe;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** One session for an unshared topic subscription (more would each get every message), else maxSession. */
    int sessionCount() {
        if (kind == WeirActivationSpec.DestinationKind.TOPIC && !spec.sharesSubscriptions()) {
            return 1;
        }
        return spec.getMaxSession();
    }

    /** Stops delivery: in-flight deliveries finish, then every session closes; waits for that (bounded). */
    public void stop() {
        stopping.countDown();
        List<DeliverySession> all;
        synchronized (sessions) {
            all = new ArrayList<>(sessions);
        }
        for (DeliverySession s : all) {
            s.release();
        }
        try {
            if (!finishedSessions.await(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("{}: {} session(s) still delivering after {} ms; each stops once its onMessage returns",
                        name, finishedSessions.getCount(), STOP_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
        if (name != null) {
            log.info("{}: deactivated", name);
        }
    }

    /** Sessions connected now, each with its consumer in place (for monitoring and tests). */
    public int connectedSessions() {
        return connectedSessions.get();
    }

    // ------------------------------------------------------------------ what the sessions use

    void sessionConnected(boolean connected) {
        if (connected) {
            connectedSessions.incrementAndGet();
        } else {
            connectedSessions.decrementAndGet();
        }
    }

    boolean isStopping() {
        return stopping.getCount() == 0;
    }

    /** Waits up to {@code ms} unless the activation stops first; true if it is stopping. */
    boolean awaitStop(long ms) {
        try {
            return stopping.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * The provider connection the sessions share, opened (and started) on first use or after
     * {@link #discardConnection}. A provider connection is thread-safe; each session has its own provider session.
     */
    Connection connection() throws JMSException {
        synchronized (connectionLock) {
            if (isStopping()) {
                throw new jakarta.jms.IllegalStateException("The endpoint is being deactivated");
            }
            if (connection == null) {
                Connection c = xa() ? xaConnectionFactory.createXAConnection(user, password)
                        : connectionFactory.createConnection(user, password);
                try {
                    c.start();
                } catch (JMSException | RuntimeException e) {
                    closeQuietly(c);
                    throw e;
                }
                connection = c;
            }
            return connection;
        }
    }

    /** A session could not work with {@code c}: the next one to connect opens a new connection. */
    void discardConnection(Connection c) {
        synchronized (connectionLock) {
            if (connection != c || c == null) {
                return;
            }
            connection = null;
        }
        closeQuietly(c);
    }

    private void closeConnection() {
        Connection c;
        synchronized (connectionLock) {
            c = connection;
            connection = null;
        }
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (JMSException | RuntimeException e) {
            log.debug("Closing an endpoint connection: {}", e.getMessage());
        }
    }

    MessageConsumer createConsumer(Session session) throws JMSException {
        String selector = spec.getMessageSelector();
        if (kind == WeirActivationSpec.DestinationKind.QUEUE) {
            return session.createConsumer(destination, selector);
        }
        Topic topic = (Topic) destination;
        String sub = spec.getSubscriptionName();
        if (spec.isDurable()) {
            return spec.sharesSubscriptions() ? session.createSharedDurableConsumer(topic, sub, selector)
                    : session.createDurableConsumer(topic, sub, selector, false);
        }
        return spec.sharesSubscriptions() ? session.createSharedConsumer(topic, sub, selector)
                : session.createConsumer(topic, selector);
    }

    WeirActivationSpec spec() {
        return spec;
    }

    MessageEndpointFactory endpointFactory() {
        return endpointFactory;
    }

    boolean transacted() {
        return transacted;
    }

    TransactionSynchronizationRegistry transactionRegistry() {
        return transactionRegistry;
    }

    Outage outage() {
        return outage;
    }

    Destination destination() {
        return destination;
    }

    String name() {
        return name;
    }
}
