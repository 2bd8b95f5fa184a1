package io.weir.samples.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Ships what is ordered: an ordinary CDI observer, unaware of JMS. */
@ApplicationScoped
public class Shipping {

    private final List<String> shipped = new CopyOnWriteArrayList<>();

    void ship(@Observes OrderPlaced event) {
        System.out.println("shipping " + event.order());
        shipped.add(event.order());
    }

    public List<String> shipped() {
        return List.copyOf(shipped);
    }
}
