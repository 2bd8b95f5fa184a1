package io.weir.samples.interop;

import io.weir.samples.SampleBroker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InteropAppTest {

    @Test
    void recordsAndMessagesCrossWithTheirHeaders() {
        try (SampleBroker broker = SampleBroker.embedded()) {
            InteropApp.Result r = InteropApp.run(broker.bootstrapServers());
            assertThat(r.jmsView()).containsEntry("message type", "TextMessage")
                    .containsEntry("body", "hello from Kafka")
                    .containsEntry("JMSXGroupID (the record key)", "customer-7")
                    .containsEntry("property region", "eu")
                    .containsEntry("property trace-id", "(left out)");
            assertThat(r.jmsView().get("JMSMessageID")).startsWith("ID:interop-to-jms-");
            assertThat(r.kafkaView()).containsEntry("value", "hello from JMS")
                    .containsEntry("header jms.correlation-id", "order-42")
                    .containsEntry("header region", "us")
                    .containsKey("header jms.message-id")
                    .containsKey("header content-type");
        }
    }
}
