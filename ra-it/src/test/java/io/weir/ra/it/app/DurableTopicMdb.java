package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/** A message-driven bean on a durable topic subscription; forwards to {@link Destinations#OUT_TOPIC_SUB}. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationLookup", propertyValue = Destinations.NEWS_TOPIC_JNDI),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
        @ActivationConfigProperty(propertyName = "subscriptionDurability", propertyValue = "Durable"),
        @ActivationConfigProperty(propertyName = "clientId", propertyValue = Destinations.NEWS_CLIENT_ID),
        @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = Destinations.NEWS_SUBSCRIPTION)})
public class DurableTopicMdb implements MessageListener {

    @EJB
    private Ledger ledger;
    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            String text = Bodies.text(message);
            ledger.delivered(text, message.getJMSRedelivered(), Bodies.deliveryCount(message));
            forwarder.forward(Destinations.OUT_TOPIC_SUB, text);
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
