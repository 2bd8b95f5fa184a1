package io.weir.ra.outbound;

import io.weir.ra.WeirRaQueue;
import io.weir.ra.WeirRaTopic;
import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.testing.PoolingConnectionManager;
import io.weir.ra.testing.TestBroker;
import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionInProgressException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.SecurityException;
import jakarta.resource.spi.security.PasswordCredential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.security.auth.Subject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The outbound side through a pooling connection manager that plays the server: send and receive, pooling and
 * reuse, container transactions over LocalTransaction, the EE restrictions, the managed connection's lifecycle
 * and sign-on.
 */
class OutboundTest {

    private static final long RECEIVE_MS = 30_000;
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private WeirManagedConnectionFactory mcf;
    private PoolingConnectionManager cm;
    private WeirRaConnectionFactory cf;

    @BeforeEach
    void pool() throws Exception {
        mcf = new WeirManagedConnectionFactory();
        mcf.setBootstrapServers(broker.bootstrapServers());
        cm = new PoolingConnectionManager();
        cf = (WeirRaConnectionFactory) mcf.createConnectionFactory(cm);
    }

    @AfterEach
    void closePool() {
        cm.close();
    }

    private static Queue queue(String prefix) {
        return new WeirRaQueue(TestBroker.unique(prefix));
    }

    /** What a plain provider consumer finds on {@code q}, in order, until it waited {@code lastWaitMs} for more. */
    private static List<String> drain(Queue q, int expected, long lastWaitMs) {
        return broker.drain(q, expected, RECEIVE_MS, lastWaitMs);
    }

    @Test
    void sendsAndReceivesThroughOnePooledConnection() throws Exception {
        Queue q = queue("out-pool");
        try (Connection c = cf.createConnection(); Session s = c.createSession()) {
            s.createProducer(q).send(s.createTextMessage("classic"));
        }
        try (JMSContext ctx = cf.createContext()) {
            ctx.createProducer().setProperty("kind", "simplified").send(q, "simplified");
        }
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            c.start();
            MessageConsumer consumer = s.createConsumer(q);
            assertThat(((TextMessage) consumer.receive(RECEIVE_MS)).getText()).isEqualTo("classic");
            Message second = consumer.receive(RECEIVE_MS);
            assertThat(second.getBody(String.class)).isEqualTo("simplified");
            assertThat(second.getStringProperty("kind")).isEqualTo("simplified");
        }
        assertThat(cm.created()).isEqualTo(1);
        assertThat(cm.idle()).isEqualTo(1);
    }

    @Test
    void aSendInAContainerTransactionCommitsWithIt() throws Exception {
        Queue q = queue("out-commit");
        cm.begin();
        try (JMSContext ctx = cf.createContext()) {
            ctx.createProducer().send(q, "committed");
            assertThat(ctx.getTransacted()).isTrue();
            assertThatThrownBy(ctx::commit).isInstanceOf(jakarta.jms.TransactionInProgressRuntimeException.class);
        }
        assertThat(cm.idle()).as("held by the transaction until it ends").isZero();
        assertThat(drain(q, 0, 500)).as("nothing before the commit").isEmpty();
        cm.commit();
        assertThat(cm.idle()).isEqualTo(1);
        assertThat(drain(q, 1, 500)).containsExactly("committed");
    }

    @Test
    void aSendInARolledBackTransactionNeverArrives() throws Exception {
        Queue q = queue("out-rollback");
        cm.begin();
        try (Connection c = cf.createConnection(); Session s = c.createSession(Session.SESSION_TRANSACTED)) {
            s.createProducer(q).send(s.createTextMessage("rolled back"));
            assertThatThrownBy(s::commit).isInstanceOf(TransactionInProgressException.class);
        }
        cm.rollback();
        try (JMSContext ctx = cf.createContext()) {
            ctx.createProducer().send(q, "after");
        }
        assertThat(drain(q, 1, 1000)).containsExactly("after");
    }

    @Test
    void aReceiveInARolledBackTransactionLeavesTheMessageOnTheQueue() throws Exception {
        Queue q = queue("out-receive");
        try (JMSContext ctx = broker.plain().createContext()) {
            ctx.createProducer().send(q, "kept");
        }
        cm.begin();
        try (JMSContext ctx = cf.createContext()) {
            assertThat(ctx.createConsumer(q).receiveBody(String.class, RECEIVE_MS)).isEqualTo("kept");
        }
        cm.rollback();
        assertThat(drain(q, 1, 500)).containsExactly("kept");

        cm.begin();
        try (JMSContext ctx = cf.createContext()) {
            ctx.createProducer().send(q, "second");
        }
        cm.commit();
        cm.begin();
        try (JMSContext ctx = cf.createContext()) {
            assertThat(ctx.createConsumer(q).receiveBody(String.class, RECEIVE_MS)).isEqualTo("second");
        }
        cm.commit();
        assertThat(drain(q, 0, 500)).as("consumed in a committed transaction").isEmpty();
    }

    @Test
    void outsideATransactionALocalTransactedSessionIsHonoured() throws Exception {
        Queue q = queue("out-local");
        try (Connection c = cf.createConnection(); Session s = c.createSession(true, Session.SESSION_TRANSACTED)) {
            assertThat(s.getTransacted()).isTrue();
            s.createProducer(q).send(s.createTextMessage("dropped"));
            s.rollback();
            s.createProducer(q).send(s.createTextMessage("kept"));
            s.commit();
        }
        assertThat(drain(q, 1, 500)).containsExactly("kept");
    }

    @Test
    void worksFromAnApplicationThreadWhoseContextClassLoaderCannotSeeKafka() throws Exception {
        // an application server runs the application with its deployment's class loader as the context class
        // loader; kafka-clients (inside the .rar) loads its plug-in classes through it unless the adapter says otherwise
        Queue q = queue("out-tccl");
        Thread t = Thread.currentThread();
        ClassLoader original = t.getContextClassLoader();
        t.setContextClassLoader(new java.net.URLClassLoader(new java.net.URL[0], null));
        try {
            cm.close();
            cm = new PoolingConnectionManager();
            cf = (WeirRaConnectionFactory) mcf.createConnectionFactory(cm);
            try (JMSContext ctx = cf.createContext()) {
                ctx.createProducer().send(q, "from the application");
            }
            try (Connection c = cf.createConnection(); Session s = c.createSession()) {
                c.start();
                assertThat(s.createConsumer(q).receive(RECEIVE_MS).getBody(String.class)).isEqualTo("from the application");
                assertThat(s.createBrowser(q).getEnumeration().hasMoreElements()).isFalse();
            }
        } finally {
            t.setContextClassLoader(original);
        }
    }

    @Test
    void theJakartaEeRestrictionsHold() throws Exception {
        Queue q = queue("out-rules");
        try (Connection c = cf.createConnection()) {
            assertThatThrownBy(() -> c.setClientID("x")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.setExceptionListener(e -> { })).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(c::stop).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.createConnectionConsumer(q, null, null, 1)).isInstanceOf(IllegalStateException.class);
            Session s = c.createSession();
            assertThatThrownBy(c::createSession).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one session");
            assertThatThrownBy(() -> s.setMessageListener(m -> { })).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> s.createConsumer(q).setMessageListener(m -> { })).isInstanceOf(IllegalStateException.class);
            s.close();
            c.createSession().close();
        }
        try (JMSContext ctx = cf.createContext()) {
            assertThatThrownBy(() -> ctx.setClientID("x")).isInstanceOf(IllegalStateRuntimeException.class);
            assertThatThrownBy(() -> ctx.setExceptionListener(e -> { })).isInstanceOf(IllegalStateRuntimeException.class);
            assertThatThrownBy(ctx::stop).isInstanceOf(IllegalStateRuntimeException.class);
            assertThatThrownBy(() -> ctx.createContext(JMSContext.AUTO_ACKNOWLEDGE)).isInstanceOf(IllegalStateRuntimeException.class);
            assertThatThrownBy(() -> ctx.createConsumer(q).setMessageListener(m -> { }))
                    .isInstanceOf(IllegalStateRuntimeException.class);
        }
    }

    @Test
    void theManagedConnectionReportsClosesAndIsCleanedUpForReuse() throws Exception {
        ManagedConnection mc = mcf.createManagedConnection(null, null);
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        mc.addConnectionEventListener(new Recorder(events));
        try {
            Session first = (Session) mc.getConnection(null, null);
            first.createTextMessage("usable");
            first.close();
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.getId()).isEqualTo(ConnectionEvent.CONNECTION_CLOSED);
                assertThat(e.getConnectionHandle()).isSameAs(first);
            });

            Session second = (Session) mc.getConnection(null, null);
            mc.cleanup();
            assertThatThrownBy(second::createTextMessage).isInstanceOf(IllegalStateException.class);

            // a handle moved to another managed connection works there
            ManagedConnection other = mcf.createManagedConnection(null, null);
            try {
                Session moved = (Session) mc.getConnection(null, null);
                other.associateConnection(moved);
                assertThat(moved.createTextMessage("on the other").getText()).isEqualTo("on the other");
                other.cleanup();
                assertThatThrownBy(moved::createTextMessage).isInstanceOf(IllegalStateException.class);
            } finally {
                other.destroy();
            }
            assertThat(mc.getXAResource()).isSameAs(mc.getXAResource()); // one XAResource for the connection's life
            assertThat(mc.getMetaData().getEISProductName()).isEqualTo("Weir");
        } finally {
            mc.destroy();
        }
        assertThatThrownBy(() -> mc.getConnection(null, null)).isInstanceOf(jakarta.resource.ResourceException.class);
    }

    @Test
    void aHandleAnswersIsValidAsTheServersRecoveryPluginAsks() throws Exception {
        // IronJacamar's default recovery plugin calls isValid(int) on a handle of the recovery connection, by
        // reflection, and destroys the connection (and with it the XAResource it gave the transaction manager) when
        // the method is missing or answers false
        ManagedConnection mc = mcf.createManagedConnection(null, null);
        try {
            Object handle = mc.getConnection(null, null);
            java.lang.reflect.Method isValid = handle.getClass().getMethod("isValid", int.class);
            assertThat(isValid.invoke(handle, 5)).isEqualTo(true);
            ((Session) handle).close();
            assertThat(isValid.invoke(handle, 5)).as("after close").isEqualTo(false);

            Object cleaned = mc.getConnection(null, null);
            mc.cleanup();
            assertThat(isValid.invoke(cleaned, 5)).as("after cleanup").isEqualTo(false);

            Object live = mc.getConnection(null, null);
            mc.destroy();
            assertThat(isValid.invoke(live, 5)).as("after destroy").isEqualTo(false);
        } finally {
            mc.destroy();
        }
    }

    @Test
    void credentialsComeFromTheContainerTheComponentOrTheConfiguration() throws Exception {
        WeirResourceAdapter ra = new WeirResourceAdapter();
        ra.setUserName("adapter-user");
        ra.setPassword("a");
        mcf.setResourceAdapter(ra);
        assertThat(mcf.credentials(null, null)).isEqualTo(new WeirManagedConnectionFactory.Credentials("adapter-user", "a"));
        mcf.setUserName("factory-user");
        mcf.setPassword("f");
        assertThat(mcf.credentials(null, null)).isEqualTo(new WeirManagedConnectionFactory.Credentials("factory-user", "f"));
        assertThat(mcf.credentials(null, new WeirConnectionRequestInfo("bob", "b", Session.AUTO_ACKNOWLEDGE)))
                .isEqualTo(new WeirManagedConnectionFactory.Credentials("bob", "b"));
        assertThat(mcf.credentials(container("alice", "secret"), new WeirConnectionRequestInfo("bob", "b", 1)))
                .isEqualTo(new WeirManagedConnectionFactory.Credentials("alice", "secret"));
        assertThatThrownBy(() -> mcf.credentials(new Subject(), null)).isInstanceOf(SecurityException.class);

        // through the pool: container-managed for the first, component-managed (another user) for the second
        cm.subject(container("alice", "secret"));
        try (Connection c = cf.createConnection(); Session s = c.createSession()) {
            s.createTextMessage();
        }
        assertThat(cm.created()).isEqualTo(1);
        cm.subject(null);
        try (Connection c = cf.createConnection("bob", "b"); Session s = c.createSession()) {
            s.createTextMessage();
        }
        assertThat(cm.created()).as("bob's connection is not alice's").isEqualTo(2);
        try (Connection c = cf.createConnection("bob", "b"); Session s = c.createSession()) {
            s.createTextMessage();
        }
        assertThat(cm.created()).as("bob's idle connection is reused").isEqualTo(2);
    }

    private Subject container(String user, String password) {
        PasswordCredential pc = new PasswordCredential(user, password.toCharArray());
        pc.setManagedConnectionFactory(mcf);
        return new Subject(false, Set.of(), Set.of(), Set.of(pc));
    }

    @Test
    void outsideAServerEachSessionHasItsOwnConnection() throws Exception {
        WeirRaConnectionFactory unmanaged = (WeirRaConnectionFactory) mcf.createConnectionFactory();
        Queue q = queue("out-unmanaged");
        try (JMSContext ctx = unmanaged.createContext()) {
            ctx.createProducer().send(q, "unmanaged");
        }
        assertThat(drain(q, 1, 500)).containsExactly("unmanaged");
    }

    @Test
    void factoriesAndAdminObjectsSerialize() throws Exception {
        WeirRaQueue q = new WeirRaQueue();
        q.setName("orders");
        assertThat(roundTrip(q)).isEqualTo(q).extracting(x -> ((WeirRaQueue) x).getQueueName()).isEqualTo("orders");
        WeirRaTopic t = new WeirRaTopic("prices");
        assertThat(roundTrip(t)).isEqualTo(t).isNotEqualTo(new WeirRaQueue("prices"));
        assertThat(roundTrip(mcf)).isEqualTo(mcf);
        assertThat(roundTrip(cf)).isInstanceOf(WeirRaConnectionFactory.class);
        assertThatThrownBy(() -> new WeirRaQueue().getQueueName()).hasMessageContaining("'name'");
    }

    private static Object roundTrip(Serializable o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    private record Recorder(List<ConnectionEvent> events) implements ConnectionEventListener {
        @Override
        public void connectionClosed(ConnectionEvent event) {
            events.add(event);
        }

        @Override
        public void localTransactionStarted(ConnectionEvent event) {
            events.add(event);
        }

        @Override
        public void localTransactionCommitted(ConnectionEvent event) {
            events.add(event);
        }

        @Override
        public void localTransactionRolledback(ConnectionEvent event) {
            events.add(event);
        }

        @Override
        public void connectionErrorOccurred(ConnectionEvent event) {
            events.add(event);
        }
    }
}
