package io.weir.samples.wildfly;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The orders the listener received, in arrival order, for as long as the application is deployed. */
@ApplicationScoped
public class ReceivedOrders {

    private final List<String> orders = new CopyOnWriteArrayList<>();

    void add(String item, boolean redelivered) {
        orders.add(redelivered ? item + " (redelivered)" : item);
    }

    public List<String> all() {
        return List.copyOf(orders);
    }
}
