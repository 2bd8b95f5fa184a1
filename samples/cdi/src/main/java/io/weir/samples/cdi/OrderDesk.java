package io.weir.samples.cdi;

import io.weir.cdi.JmsDestination;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;

/** Takes orders and puts them on the order queue with an injected, container-managed JMSContext. */
@ApplicationScoped
public class OrderDesk {

    @Inject
    @JMSConnectionFactory("Shop")
    JMSContext context;

    @Inject
    @JmsDestination("Orders")
    Queue orders;

    @ActivateRequestContext // one JMSContext for this call, closed when it returns
    public void place(String order) {
        context.createProducer().setProperty("source", "order-desk").send(orders, order);
    }
}
