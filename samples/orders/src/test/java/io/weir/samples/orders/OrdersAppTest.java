package io.weir.samples.orders;

import io.weir.samples.SampleBroker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OrdersAppTest {

    @Test
    void everyOrderIsProcessedOnceAndTheFailedOneIsRetried() throws Exception {
        try (SampleBroker broker = SampleBroker.embedded()) {
            OrdersApp.Outcome outcome = OrdersApp.run(broker.bootstrapServers(), 8, 3);
            assertThat(outcome.workerByOrder()).hasSize(8);
            assertThat(outcome.retried()).singleElement().asString().endsWith("-order-4");
        } finally {
            System.clearProperty("weir.samples.bootstrap");
        }
    }
}
