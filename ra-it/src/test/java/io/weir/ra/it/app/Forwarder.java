package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;

/**
 * Sends what an MDB received on to an output queue through the adapter's pooled connection factory, inside the
 * MDB's container transaction (MANDATORY): the forward commits or rolls back with the delivery, so the test client
 * sees one output per committed delivery.
 */
@Stateless
public class Forwarder {

    @Resource(lookup = Destinations.CONNECTION_FACTORY)
    private ConnectionFactory factory;

    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void forward(String queue, String text) {
        try (JMSContext jms = factory.createContext()) {
            jms.createProducer().send(jms.createQueue(queue), text);
        }
    }
}
