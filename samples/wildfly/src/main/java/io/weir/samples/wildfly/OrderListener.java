package io.weir.samples.wildfly;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * Receives the orders, one container transaction per message, and records each in {@link ReceivedOrders}. Message-driven
 * beans that name no resource adapter use the server's default one, which the adapter's CLI script makes Weir's.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationLookup", propertyValue = ShopQueue.ORDERS),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue")})
public class OrderListener implements MessageListener {

    @Inject
    private ReceivedOrders received;

    @Override
    public void onMessage(Message message) {
        try {
            received.add(message.getBody(String.class), message.getJMSRedelivered());
        } catch (JMSException e) {
            // the container rolls the transaction back: the message comes again
            throw new IllegalStateException("Cannot read order " + message, e);
        }
    }
}
