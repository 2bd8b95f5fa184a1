package io.weir.samples.cdi;

import io.weir.cdi.JmsDestination;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;

/**
 * Listens to the order queue from the moment the container starts and turns each message into an
 * {@link OrderPlaced} CDI event, so the rest of the application just observes events. A listener outlives any
 * request, so it uses a context of its own, made from the injected factory and closed with the container.
 */
@ApplicationScoped
public class OrderListener {

    @Inject
    @JMSConnectionFactory("Shop")
    ConnectionFactory factory;

    @Inject
    @JmsDestination("Orders")
    Queue orders;

    @Inject
    Event<OrderPlaced> placed;

    private JMSContext context;

    void start(@Observes Startup startup) {
        context = factory.createContext();
        context.createConsumer(orders).setMessageListener(m -> placed.fire(new OrderPlaced(bodyOf(m))));
    }

    private static String bodyOf(jakarta.jms.Message m) {
        try {
            return m.getBody(String.class);
        } catch (jakarta.jms.JMSException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @PreDestroy
    void stop() {
        if (context != null) {
            context.close();
        }
    }
}
