package io.weir.cdi;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSPasswordCredential;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSessionMode;
import jakarta.jms.Queue;
import jakarta.jms.Topic;
import jakarta.jms.TransactionRolledBackRuntimeException;
import jakarta.jms.XAJMSContext;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Weld SE applications against an embedded broker, configured by src/test/resources/jndi.properties. */
class WeirJmsExtensionTest {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        System.setProperty("weir.cdi.test.bootstrap", cluster.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("weir.cdi.test.bootstrap");
        cluster.close();
    }

    private static Weld weld(Class<?>... beans) {
        // discovery on (as in an application): the extension comes from META-INF/services; the beans are added here
        return new Weld(UUID.randomUUID().toString()).addBeanClasses(beans);
    }

    @Dependent // no client proxy: the test reads the fields
    static class OrderSender {
        @Inject
        @JMSConnectionFactory("Orders")
        JMSContext context;
        @Inject
        @JmsDestination("OrderQueue")
        Queue orders;

        void send(String text) {
            context.createProducer().send(orders, text);
        }
    }

    @Dependent // no client proxy: the test reads the fields
    static class OrderReader {
        @Inject
        @JMSConnectionFactory("Orders")
        JMSContext context;
        @Inject
        @JMSConnectionFactory("Orders")
        @JMSSessionMode(JMSContext.CLIENT_ACKNOWLEDGE)
        JMSContext clientAck;
        @Inject
        @JMSConnectionFactory("Orders")
        @JMSPasswordCredential(userName = "alice", password = "secret")
        JMSContext alice;
        @Inject
        @JmsDestination("OrderQueue")
        Queue orders;
        @Inject
        @JmsDestination("Prices")
        Topic prices;
        @Inject
        @JmsDestination("raw-events")
        Topic raw;
        @Inject
        @JMSConnectionFactory("Audit")
        ConnectionFactory audit;
    }

    @Test
    void injectedContextsSendAndReceiveOnePerRequestScopeAndConfiguration() {
        try (WeldContainer container = weld(OrderSender.class, OrderReader.class).initialize()) {
            OrderSender sender = container.select(OrderSender.class).get();
            OrderReader reader = container.select(OrderReader.class).get();
            RequestContextController request = container.select(RequestContextController.class).get();

            request.activate();
            JMSContext first;
            try {
                sender.send("order-1");
                // each consumer is closed before the next opens: an open one holds what it prefetched, and a second
                // consumer joining beside it can lose its acknowledgement (jms-provider README, share-mode limits)
                try (var c = reader.context.createConsumer(reader.orders)) {
                    assertThat(c.receiveBody(String.class, 60_000)).isEqualTo("order-1");
                }
                reader.alice.createProducer().send(reader.orders, "order-2");
                try (var c = reader.context.createConsumer(reader.orders)) {
                    assertThat(c.receiveBody(String.class, 60_000)).isEqualTo("order-2");
                }

                first = ((InjectedJMSContext) sender.context).delegate();
                assertThat(((InjectedJMSContext) reader.context).delegate()).isSameAs(first);
                assertThat(((InjectedJMSContext) reader.clientAck).delegate()).isNotSameAs(first);
                assertThat(((InjectedJMSContext) reader.alice).delegate()).isNotSameAs(first);
                assertThat(reader.clientAck.getSessionMode()).isEqualTo(JMSContext.CLIENT_ACKNOWLEDGE);
                assertThat(reader.context.getSessionMode()).isEqualTo(JMSContext.AUTO_ACKNOWLEDGE);
                assertThatThrownBy(sender.context::close).isInstanceOf(IllegalStateRuntimeException.class)
                        .hasMessageContaining("close");
                assertThatThrownBy(reader.clientAck::acknowledge).isInstanceOf(IllegalStateRuntimeException.class);
            } finally {
                request.deactivate();
            }
            // closed at the end of the request scope; the next scope has its own
            assertThatThrownBy(first::createProducer).isInstanceOf(IllegalStateRuntimeException.class);
            request.activate();
            try {
                assertThat(((InjectedJMSContext) sender.context).delegate()).isNotSameAs(first);
            } finally {
                request.deactivate();
            }

            assertThat(reader.orders.toString()).contains("cdi-orders");
            assertThat(reader.prices.toString()).contains("cdi-prices");
            assertThat(reader.raw.toString()).contains("raw-events");
            assertThat(reader.audit).isInstanceOf(WeirConnectionFactory.class);
            assertThat(((WeirConnectionFactory) reader.audit).getClientId()).isEqualTo("cdi-audit");
        }
    }

    static class UnknownFactory {
        @Inject
        @JMSConnectionFactory("Nope")
        JMSContext context;
    }

    static class DefaultFactory {
        @Inject
        JMSContext context;
    }

    static class BadDestination {
        @Inject
        @JmsDestination("not a name!")
        Queue queue;
    }

    static class WrongKind {
        @Inject
        @JmsDestination("Prices")
        Queue queue;
    }

    @Test
    void everyUnresolvedInjectionPointIsNamedInOneDeploymentProblem() {
        assertThatThrownBy(() -> weld(UnknownFactory.class, DefaultFactory.class, BadDestination.class, WrongKind.class).initialize())
                .isInstanceOf(DeploymentException.class)
                .hasMessageContaining("UnknownFactory.context: no connection factory named 'Nope'")
                .hasMessageContaining("DefaultFactory.context: no default connection factory")
                .hasMessageContaining("BadDestination.queue: 'not a name!' is neither")
                .hasMessageContaining("WrongKind.queue: 'Prices' is configured as a topic");
    }

    @Test
    void aFactoryWithoutAnAddressFailsTheStart() {
        System.setProperty("connectionFactory.Empty", "?clientId=x");
        try {
            assertThatThrownBy(() -> weld(OrderSender.class).initialize())
                    .isInstanceOf(DeploymentException.class)
                    .hasMessageContaining("connectionFactory.Empty names no bootstrap servers");
        } finally {
            System.clearProperty("connectionFactory.Empty");
        }
    }

    @Test
    void theDefaultFactoryIsTheOneNamedDefaultJmsConnectionFactory() {
        System.setProperty("connectionFactory.DefaultJMSConnectionFactory", cluster.bootstrapServers() + "?clientId=cdi-default");
        try (WeldContainer container = weld(DefaultFactory.class).initialize()) {
            RequestContextController request = container.select(RequestContextController.class).get();
            request.activate();
            try {
                assertThat(container.select(DefaultFactory.class).get().context.getClientID()).isEqualTo("cdi-default");
            } finally {
                request.deactivate();
            }
        } finally {
            System.clearProperty("connectionFactory.DefaultJMSConnectionFactory");
        }
    }

    /** Only the registry (the container below runs without discovery, so without Narayana's own CDI beans). */
    @Dependent
    static class RegistryOnly {
        @Produces
        TransactionSynchronizationRegistry registry() {
            return Narayana.synchronizationRegistry();
        }
    }

    @Dependent // no client proxy: the test reads the fields
    static class XaSender {
        @Inject
        @JMSConnectionFactory("OrdersXA")
        JMSContext context;
        @Inject
        @JmsDestination("cdi-jta-orders")
        Queue orders;
    }

    @Dependent // no client proxy: the test reads the fields
    static class XaAuditor {
        @Inject
        @JMSConnectionFactory("OrdersXA")
        JMSContext context;
        @Inject
        @JMSConnectionFactory("Orders")
        JMSContext plain;
    }

    private static JMSContext delegate(JMSContext injected) {
        return ((InjectedJMSContext) injected).delegate();
    }

    @Test
    void aJtaTransactionSharesOneEnlistedContextThatCommitsOrRollsBackWithIt() throws Exception {
        // narayana-jta on the class path brings a CDI extension whose beans are the TransactionManager and the
        // TransactionSynchronizationRegistry: the Weir extension finds them there, no application code needed
        TransactionManager tm = Narayana.transactionManager();
        try (WeldContainer container = weld(XaSender.class, XaAuditor.class).initialize()) {
            XaSender sender = container.select(XaSender.class).get();
            XaAuditor auditor = container.select(XaAuditor.class).get();
            RequestContextController request = container.select(RequestContextController.class).get();

            // no request scope is active: the transaction scope alone holds the contexts
            tm.begin();
            JMSContext rolledBack;
            JMSContext plain;
            try {
                rolledBack = delegate(sender.context);
                assertThat(rolledBack).isInstanceOf(XAJMSContext.class);
                assertThat(delegate(auditor.context)).isSameAs(rolledBack);
                plain = delegate(auditor.plain); // a plain factory: shared within the transaction, not enlisted
                assertThat(plain).isNotInstanceOf(XAJMSContext.class).isNotSameAs(rolledBack);
                assertThat(delegate(auditor.plain)).isSameAs(plain);
                sender.context.createProducer().send(sender.orders, "rolled-back");
            } finally {
                tm.rollback();
            }
            // both closed when the transaction completed
            assertThatThrownBy(rolledBack::createProducer).isInstanceOf(IllegalStateRuntimeException.class);
            assertThatThrownBy(plain::createProducer).isInstanceOf(IllegalStateRuntimeException.class);
            // no transaction, no request scope: nothing to use
            assertThatThrownBy(() -> delegate(sender.context)).isInstanceOf(ContextNotActiveException.class);

            tm.begin();
            try {
                JMSContext committed = delegate(sender.context);
                assertThat(committed).isNotSameAs(rolledBack);
                assertThat(delegate(auditor.context)).isSameAs(committed);
                auditor.context.createProducer().send(sender.orders, "committed");
                tm.commit();
            } catch (Exception | AssertionError e) {
                tm.rollback();
                throw e;
            }

            tm.begin();
            try { // a transaction already marked for rollback cannot be joined: said so, nothing opened is left behind
                tm.setRollbackOnly();
                assertThatThrownBy(sender.context::createProducer).isInstanceOf(TransactionRolledBackRuntimeException.class)
                        .hasMessageContaining("marked for rollback");
            } finally {
                tm.rollback();
            }

            request.activate();
            try {
                JMSContext inRequest = delegate(sender.context);
                assertThat(inRequest).isNotInstanceOf(XAJMSContext.class);
                tm.begin();
                try { // a transaction inside the request scope: the transaction scope wins
                    assertThat(delegate(sender.context)).isNotSameAs(inRequest).isInstanceOf(XAJMSContext.class);
                } finally {
                    tm.rollback();
                }
                assertThat(delegate(sender.context)).isSameAs(inRequest);

                sender.context.createProducer().send(sender.orders, "after");
                List<String> received = new ArrayList<>();
                try (var c = sender.context.createConsumer(sender.orders)) {
                    for (int i = 0; i < 10 && !(received.contains("committed") && received.contains("after")); i++) {
                        String body = c.receiveBody(String.class, 60_000);
                        if (body != null) {
                            received.add(body);
                        }
                    }
                    String more = c.receiveBody(String.class, 2_000);
                    if (more != null) {
                        received.add(more);
                    }
                }
                assertThat(received).containsExactlyInAnyOrder("committed", "after");
            } finally {
                request.deactivate();
            }
        }
    }

    @Test
    void anXaFactoryInATransactionWithoutATransactionManagerFailsClearly() throws Exception {
        TransactionManager tm = Narayana.transactionManager();
        try (WeldContainer container = new Weld(UUID.randomUUID().toString()).disableDiscovery()
                .addExtension(new WeirJmsExtension()).addBeanClasses(XaSender.class, RegistryOnly.class).initialize()) {
            XaSender sender = container.select(XaSender.class).get();
            tm.begin();
            try {
                assertThatThrownBy(sender.context::createProducer).isInstanceOf(JMSRuntimeException.class)
                        .hasMessageContaining("no jakarta.transaction.TransactionManager was found")
                        .hasMessageContaining("factory 'OrdersXA'");
            } finally {
                tm.rollback();
            }
        }
    }

    /** The idiomatic form: a {@code @Transactional} method (Narayana's CDI interceptor) calling another bean. */
    @jakarta.enterprise.context.ApplicationScoped
    static class OrderDesk {
        @Inject
        @JMSConnectionFactory("OrdersXA")
        JMSContext context;
        @Inject
        @JmsDestination("cdi-jta-desk")
        Queue orders;
        @Inject
        XaAuditor auditor;

        @jakarta.transaction.Transactional
        boolean place(String order, boolean fail) {
            context.createProducer().send(orders, order);
            boolean shared = delegate(auditor.context) == delegate(context);
            if (fail) {
                throw new IllegalArgumentException("refused: " + order); // a RuntimeException rolls back
            }
            return shared;
        }

        /** The next order or null, in the caller's request scope (no transaction). */
        String next(long timeoutMillis) {
            try (var c = context.createConsumer(orders)) {
                return c.receiveBody(String.class, timeoutMillis);
            }
        }
    }

    @Test
    void aTransactionalMethodSendsOnlyWhenItCommits() {
        Narayana.transactionManager();
        try (WeldContainer container = weld(OrderDesk.class, XaAuditor.class).initialize()) {
            OrderDesk desk = container.select(OrderDesk.class).get();
            assertThatThrownBy(() -> desk.place("refused", true)).isInstanceOf(IllegalArgumentException.class);
            assertThat(desk.place("accepted", false)).isTrue();
            RequestContextController request = container.select(RequestContextController.class).get();
            request.activate();
            try {
                assertThat(desk.next(60_000)).isEqualTo("accepted");
                assertThat(desk.next(2_000)).isNull();
            } finally {
                request.deactivate();
            }
        }
    }
}
