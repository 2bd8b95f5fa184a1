package io.weir.ra.it.redeploy;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;

/** The durable topic subscriber of the redeployed deployment; forwards to {@link Destinations#OUT_REDEPLOY}. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.REDEPLOY_TOPIC),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
        @ActivationConfigProperty(propertyName = "subscriptionDurability", propertyValue = "Durable"),
        @ActivationConfigProperty(propertyName = "clientId", propertyValue = Destinations.REDEPLOY_CLIENT_ID),
        @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = Destinations.REDEPLOY_SUBSCRIPTION)})
public class RedeployTopicMdb implements MessageListener {

    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            Thread.sleep(RedeployQueueMdb.WORK_MS);
            forwarder.forward(Destinations.OUT_REDEPLOY, ((TextMessage) message).getText());
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
