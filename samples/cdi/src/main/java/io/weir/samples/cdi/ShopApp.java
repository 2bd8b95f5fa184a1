package io.weir.samples.cdi;

import io.weir.samples.SampleBroker;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;

import java.util.List;
import java.util.UUID;

/**
 * A Weld SE application: {@link OrderDesk} sends orders with an injected JMSContext, {@link OrderListener} turns
 * the order queue into CDI events, {@link Shipping} observes them. Nothing here is Weir-specific beyond
 * jndi.properties and the {@code @JmsDestination} qualifier.
 */
public final class ShopApp {

    public static void main(String[] args) throws InterruptedException {
        try (SampleBroker broker = SampleBroker.find()) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            List<String> shipped = run(broker.bootstrapServers(), List.of("book-" + run, "lamp-" + run, "kettle-" + run));
            System.out.println("shipped " + shipped.size() + " orders");
        }
    }

    /** Starts the application, places the orders, and returns what was shipped once all of them were. */
    public static List<String> run(String bootstrapServers, List<String> orders) throws InterruptedException {
        System.setProperty("weir.samples.bootstrap", bootstrapServers);
        try (SeContainer container = SeContainerInitializer.newInstance().initialize()) {
            OrderDesk desk = container.select(OrderDesk.class).get();
            orders.forEach(desk::place);
            Shipping shipping = container.select(Shipping.class).get();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!shipping.shipped().containsAll(orders)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not everything was shipped within a minute: " + shipping.shipped());
                }
                Thread.sleep(50);
            }
            return shipping.shipped();
        }
    }

    private ShopApp() {
    }
}
