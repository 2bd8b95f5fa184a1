package io.weir.ra.inflow;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import io.weir.ra.ProviderSettings;
import io.weir.ra.testing.FakeBootstrapContext;
import io.weir.ra.testing.TestEndpointFactory;
import jakarta.jms.JMSContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An endpoint whose broker is unreachable at activation, then restarted: activation does not fail, the outage
 * is noticed (logged once), and delivery starts by itself once the broker answers and resumes after a restart.
 */
class ReconnectTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void anEndpointConnectsWhenItsBrokerComesAndAgainAfterARestart() throws Exception {
        String queue = "reconnect-" + UUID.randomUUID().toString().substring(0, 8);
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
             FakeBootstrapContext context = new FakeBootstrapContext(null)) {
            String bootstrap = cluster.bootstrapServers();
            cluster.stopBroker(0);

            WeirActivationSpec spec = new WeirActivationSpec();
            spec.setDestination(queue);
            spec.setMaxSession(2);
            spec.setBootstrapServers(bootstrap);
            // fail each attempt quickly while the broker is away
            spec.setConnectionParameters("default.api.timeout.ms=5000;request.timeout.ms=3000");
            spec.setReconnectInitialDelayMs(100L);
            spec.setReconnectMaxDelayMs(1000L);
            spec.validate();
            TestEndpointFactory endpoint = new TestEndpointFactory(false, null, (m, tx) -> { });
            WeirActivation activation = new WeirActivation(spec, endpoint, context, new ProviderSettings(null, null, null), null, null);
            activation.start();
            try {
                await().atMost(WAIT).until(() -> activation.outage().isDown());
                assertThat(activation.connectedSessions()).isZero();

                cluster.restartBroker(0);
                await().atMost(WAIT).until(() -> activation.connectedSessions() == 2);
                assertThat(activation.outage().isDown()).isFalse();
                send(bootstrap, queue, "first");
                await().atMost(WAIT).until(() -> endpoint.succeeded().contains("first"));

                cluster.restartBroker(0);
                send(bootstrap, queue, "after restart");
                await().atMost(WAIT).until(() -> endpoint.succeeded().contains("after restart"));
                assertThat(endpoint.succeeded()).containsExactly("first", "after restart");
            } finally {
                activation.stop();
            }
            // stop() has been seen returning while a session of an earlier generation was still tearing down
            // (intermittent; named in the ra README's known gaps): wait, bounded, for the count to settle
            await().atMost(WAIT).until(() -> activation.connectedSessions() == 0);
            await().atMost(WAIT).until(() -> context.fakeWorkManager().running() == 0);
        }
    }

    private static void send(String bootstrap, String queue, String text) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            try (JMSContext ctx = new WeirConnectionFactory(bootstrap).createContext()) {
                ctx.createProducer().send(ctx.createQueue(queue), text);
            }
            return true;
        });
    }
}
