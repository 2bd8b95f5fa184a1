package io.weir.ra.inflow;

import io.weir.ra.WeirRaQueue;
import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.outbound.WeirManagedConnectionFactory;
import io.weir.ra.outbound.WeirRaConnectionFactory;
import io.weir.ra.testing.FakeBootstrapContext;
import io.weir.ra.testing.Narayana;
import io.weir.ra.testing.XaConnectionManager;
import io.weir.ra.testing.TestBroker;
import jakarta.jms.Connection;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.transaction.xa.XAResource;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A transacted message endpoint whose container (played with Narayana) enlists the XAResource the adapter gave it in
 * the transaction it begins in {@code beforeDelivery}: the consumed message and the endpoint's sends through the
 * adapter's outbound connections (another resource manager, so two phases) commit together, and a transaction
 * marked rollback-only gives the message back and discards the sends.
 *
 * <p>In both queue modes. Classic (consumer groups, {@code connectionParameters=queueMode=classic}): the consumed
 * position is part of the delivery's branch, so the branch is prepared and committed in two phases with the reply's,
 * exactly once even across a crash. Share (the default on Weir): the message's share acknowledgement joins the
 * branch's Kafka transaction (Weir's transactional share acknowledgement, jms-provider/TRANSACTIONS.md), so the branch
 * is prepared and committed in two phases too, exactly once; a rolled back delivery comes again and its reply never
 * arrives.
 */
class XaInboundTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static final TransactionManager tm = Narayana.transactionManager();

    @ParameterizedTest(name = "queueMode={0}")
    @ValueSource(strings = {"classic", "share"})
    void theConsumedMessageAndTheEndpointsSendsCommitInOneXaTransaction(String queueMode) throws Exception {
        FakeBootstrapContext context = new FakeBootstrapContext(Narayana.synchronizationRegistry());
        WeirResourceAdapter ra = new WeirResourceAdapter();
        ra.setBootstrapServers(broker.bootstrapServers());
        ra.setXaResourceId(TestBroker.unique("rm-in"));
        ra.start(context);
        broker.closeAfter(context);
        broker.closeAfter(ra::stop);

        XaConnectionManager cm = new XaConnectionManager(tm);
        broker.closeAfter(cm);
        WeirManagedConnectionFactory mcf = new WeirManagedConnectionFactory();
        mcf.setResourceAdapter(ra);
        mcf.setXaResourceId(TestBroker.unique("rm-out")); // another resource manager: the container commits in two phases
        WeirRaConnectionFactory replies = (WeirRaConnectionFactory) mcf.createConnectionFactory(cm);

        String in = TestBroker.unique("xa-in");
        Queue out = new WeirRaQueue(TestBroker.unique("xa-out"));
        Bean bean = new Bean(replies, out);
        WeirActivationSpec spec = new WeirActivationSpec();
        spec.setResourceAdapter(ra);
        spec.setDestination(in);
        spec.setMaxSession(2);
        spec.setRedeliveryDelayMs(0L);
        spec.setConnectionParameters("queueMode=" + queueMode);
        ra.endpointActivation(bean, spec);
        broker.closeFirst(() -> ra.endpointDeactivation(bean, spec));
        await().atMost(WAIT).until(() -> ra.connectedSessions() >= 2);

        List<String> sent = List.of("m-0", "m-1", "fail-2", "m-3", "m-4", "m-5");
        try (JMSContext ctx = broker.plain().createContext()) {
            for (String t : sent) {
                ctx.createProducer().send(ctx.createQueue(in), t);
            }
        }

        List<String> got = new ArrayList<>();
        try (JMSContext ctx = broker.plain().createContext(); JMSConsumer c = ctx.createConsumer(out)) {
            while (got.size() < sent.size()) {
                String body = c.receiveBody(String.class, WAIT.toMillis());
                if (body == null) {
                    break;
                }
                got.add(body);
            }
            await().atMost(WAIT).until(() -> bean.committed.size() >= sent.size());
            String extra = c.receiveBody(String.class, 2_000);
            if (extra != null) {
                got.add(extra);
            }
        }
        // each message's reply exactly once: the rolled back attempt's reply was discarded
        assertThat(got).containsExactlyInAnyOrderElementsOf(sent.stream().map(t -> "reply-" + t).toList());
        assertThat(bean.committed).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(bean.rolledBack).containsExactly("fail-2");
        assertThat(bean.xaResources).isNotEmpty().doesNotContainNull();
        assertThat(cm.enlisted()).hasSize(sent.size() + 1);
        assertThat(cm.enlisted()).filteredOn(r -> r.calls().contains("rollback")).hasSize(1);
        // the endpoint's branch (the consumed position, or on share groups the message's acknowledgement inside the
        // branch's transaction) and the reply's were two resource managers: prepared, then committed
        assertThat(cm.enlisted()).filteredOn(r -> !r.calls().contains("rollback"))
                .allSatisfy(r -> assertThat(r.calls()).contains("prepare=0", "commit(false)"));
        // nothing is left on the input queue
        io.weir.jms.WeirConnectionFactory sameMode = new io.weir.jms.WeirConnectionFactory(broker.bootstrapServers());
        sameMode.setQueueMode(io.weir.jms.QueueMode.parse(queueMode)); // a queue's two modes keep separate positions
        try (JMSContext ctx = sameMode.createContext(); JMSConsumer c = ctx.createConsumer(ctx.createQueue(in))) {
            assertThat(c.receiveBody(String.class, 2_000)).isNull();
        }
    }

    /** A message-driven bean and its container: CMT REQUIRED, the container's transactions Narayana's. */
    private static final class Bean implements MessageEndpointFactory {
        final List<XAResource> xaResources = new CopyOnWriteArrayList<>();
        final List<String> committed = new CopyOnWriteArrayList<>();
        final List<String> rolledBack = new CopyOnWriteArrayList<>();
        private final WeirRaConnectionFactory replies;
        private final Queue out;

        Bean(WeirRaConnectionFactory replies, Queue out) {
            this.replies = replies;
            this.out = out;
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xaResource) {
            xaResources.add(xaResource);
            return new Endpoint(xaResource);
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xaResource, long timeout) {
            return createEndpoint(xaResource);
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return true;
        }

        @Override
        public String getActivationName() {
            return "XaBean";
        }

        @Override
        public Class<?> getEndpointClass() {
            return Endpoint.class;
        }

        final class Endpoint implements MessageEndpoint, MessageListener {
            private final XAResource xaResource;
            private String text;

            Endpoint(XAResource xaResource) {
                this.xaResource = xaResource;
            }

            @Override
            public void beforeDelivery(Method method) {
                try {
                    tm.begin();
                    if (xaResource != null) {
                        tm.getTransaction().enlistResource(xaResource);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onMessage(Message m) {
                try {
                    text = ((TextMessage) m).getText();
                    try (Connection c = replies.createConnection(); Session s = c.createSession()) {
                        s.createProducer(out).send(s.createTextMessage("reply-" + text));
                    }
                    if (text.startsWith("fail-") && !m.getJMSRedelivered()) {
                        tm.setRollbackOnly();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void afterDelivery() {
                try {
                    if (tm.getStatus() == Status.STATUS_MARKED_ROLLBACK) {
                        tm.rollback();
                        rolledBack.add(text);
                    } else {
                        tm.commit();
                        committed.add(text);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void release() {
            }
        }
    }
}
