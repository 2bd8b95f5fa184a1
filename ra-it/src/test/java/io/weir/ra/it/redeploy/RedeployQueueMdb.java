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

/**
 * A queue MDB of the deployment that the test undeploys and redeploys while messages flow; forwards each message to
 * {@link Destinations#OUT_REDEPLOY}, taking a little time per message so that the undeploy finds deliveries in
 * flight.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.REDEPLOY_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class RedeployQueueMdb implements MessageListener {

    static final long WORK_MS = 50;

    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            Thread.sleep(WORK_MS);
            forwarder.forward(Destinations.OUT_REDEPLOY, ((TextMessage) message).getText());
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
