package io.weir.samples.cdi;

import io.weir.samples.SampleBroker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShopAppTest {

    @Test
    void ordersPlacedThroughTheInjectedContextReachTheObserver() throws InterruptedException {
        try (SampleBroker broker = SampleBroker.embedded()) {
            List<String> orders = List.of("book", "lamp", "kettle");
            assertThat(ShopApp.run(broker.bootstrapServers(), orders)).containsExactlyInAnyOrderElementsOf(orders);
        } finally {
            System.clearProperty("weir.samples.bootstrap");
        }
    }
}
