package io.weir.ra.inflow;

import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.testing.FakeBootstrapContext;
import io.weir.ra.testing.TestEndpointFactory;
import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad activation specs fail validation and activation with the property named; nothing is half-activated. */
class ActivationSpecTest {

    private static WeirActivationSpec spec(Consumer<WeirActivationSpec> config) {
        WeirActivationSpec s = new WeirActivationSpec();
        s.setDestination("orders");
        config.accept(s);
        return s;
    }

    private static void assertInvalid(WeirActivationSpec s, String property, String problem) {
        assertThatThrownBy(s::validate)
                .isInstanceOfSatisfying(InvalidPropertyException.class, e -> {
                    assertThat(e.getInvalidPropertyDescriptors()).extracting("name").containsExactly(property);
                    assertThat(e.getMessage()).contains(property + ": ").contains(problem);
                });
    }

    @Test
    void aQueueNameIsEnough() {
        assertThatCode(() -> spec(s -> { }).validate()).doesNotThrowAnyException();
        assertThat(spec(s -> { }).kind()).isEqualTo(WeirActivationSpec.DestinationKind.QUEUE);
        assertThatCode(() -> spec(s -> {
            s.setDestination(null);
            s.setDestinationLookup("java:/jms/queue/orders");
        }).validate()).doesNotThrowAnyException();
    }

    @Test
    void noDestination() {
        assertInvalid(spec(s -> s.setDestination(" ")), "destination", "neither destination nor destinationLookup");
    }

    @Test
    void unknownDestinationType() {
        assertInvalid(spec(s -> s.setDestinationType("jakarta.jms.Mailbox")), "destinationType", "jakarta.jms.Mailbox");
        assertThat(spec(s -> s.setDestinationType("jakarta.jms.Topic")).kind()).isEqualTo(WeirActivationSpec.DestinationKind.TOPIC);
    }

    @Test
    void invalidSelectorIsReportedByTheProvidersParser() {
        assertInvalid(spec(s -> s.setMessageSelector("color = 'red' AND")), "messageSelector", "");
        assertThatCode(() -> spec(s -> s.setMessageSelector("color = 'red' AND weight > 2")).validate())
                .doesNotThrowAnyException();
    }

    @Test
    void otherBadProperties() {
        assertInvalid(spec(s -> s.setAcknowledgeMode("Client-acknowledge")), "acknowledgeMode", "Client-acknowledge");
        assertInvalid(spec(s -> s.setSubscriptionDurability("Forever")), "subscriptionDurability", "Forever");
        assertInvalid(spec(s -> {
            s.setDestinationType("jakarta.jms.Topic");
            s.setSubscriptionDurability("Durable");
        }), "subscriptionName", "durable subscription needs");
        assertInvalid(spec(s -> s.setMaxSession(0)), "maxSession", "at least 1");
        assertInvalid(spec(s -> s.setConnectionParameters("sendTimeoutMs=100;oops")), "connectionParameters", "oops");
        assertInvalid(spec(s -> s.setReconnectMaxDelayMs(1L)), "reconnectMaxDelayMs", "at least");
        assertInvalid(spec(s -> s.setRedeliveryDelayMs(-1L)), "redeliveryDelayMs", "0 or more");
        assertInvalid(spec(s -> s.setRedeliveryMaxDelayMs(100L)), "redeliveryMaxDelayMs", "at least");
        assertInvalid(spec(s -> s.setPrefetchRecords(-1)), "prefetchRecords", "0 (the connection's) or more");
    }

    @Test
    void redeliveriesWaitLongerEachTimeUpToTheMaximum() {
        WeirActivationSpec s = new WeirActivationSpec();
        assertThat(s.redeliveryDelayMs(1)).isZero();
        assertThat(s.redeliveryDelayMs(2)).isEqualTo(200);
        assertThat(s.redeliveryDelayMs(3)).isEqualTo(400);
        assertThat(s.redeliveryDelayMs(6)).isEqualTo(3200);
        assertThat(s.redeliveryDelayMs(7)).isEqualTo(5000);
        assertThat(s.redeliveryDelayMs(Integer.MAX_VALUE)).isEqualTo(5000);
        s.setRedeliveryDelayMs(0L);
        assertThat(s.redeliveryDelayMs(5)).isZero();
    }

    @Test
    void activationFailsWithTheProblemAndLeavesNothingActivated() throws Exception {
        WeirResourceAdapter ra = new WeirResourceAdapter();
        ra.setBootstrapServers("127.0.0.1:1");
        try (FakeBootstrapContext ctx = new FakeBootstrapContext(null)) {
            ra.start(ctx);
            TestEndpointFactory endpoint = new TestEndpointFactory(false, null, (m, tx) -> { });
            assertThatThrownBy(() -> ra.endpointActivation(endpoint, spec(s -> s.setMessageSelector("a ="))))
                    .isInstanceOf(InvalidPropertyException.class).hasMessageContaining("messageSelector");
            // no JNDI here: the lookup fails, named
            assertThatThrownBy(() -> ra.endpointActivation(endpoint, spec(s -> {
                s.setDestination(null);
                s.setDestinationLookup("java:/jms/queue/missing");
            }))).isInstanceOf(InvalidPropertyException.class).hasMessageContaining("destinationLookup")
                    .hasMessageContaining("java:/jms/queue/missing");
            assertThat(ra.activationCount()).isZero();
            assertThat(endpoint.endpoints()).isZero();
            assertThat(ctx.fakeWorkManager().running()).isZero();
            ra.stop();
        }
    }

    @Test
    void settingsFallBackToTheAdapters() throws Exception {
        WeirResourceAdapter ra = new WeirResourceAdapter();
        ra.setBootstrapServers("broker-a:9092");
        ra.setConnectionParameters("sendTimeoutMs=1000");
        WeirActivationSpec s = spec(x -> { });
        s.setResourceAdapter(ra);
        assertThat(s.providerSettings().bootstrapServers()).isEqualTo("broker-a:9092");
        assertThat(s.providerSettings().connectionFactory().getSendTimeoutMs()).isEqualTo(1000);
        s.setBootstrapServers("broker-b:9092");
        assertThat(s.providerSettings().bootstrapServers()).isEqualTo("broker-b:9092");
    }

    @Test
    void backoffDoublesUpToItsCap() {
        assertThat(Outage.delayMs(100, 1000, 1)).isEqualTo(100);
        assertThat(Outage.delayMs(100, 1000, 2)).isEqualTo(200);
        assertThat(Outage.delayMs(100, 1000, 4)).isEqualTo(800);
        assertThat(Outage.delayMs(100, 1000, 5)).isEqualTo(1000);
        assertThat(Outage.delayMs(100, 1000, 500)).isEqualTo(1000);
    }
}
