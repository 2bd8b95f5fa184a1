package io.weir.ra.it.shared;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * The second message-driven bean on {@link Destinations#SHARED_QUEUE} (see {@link SharedQueueMdbA}): forwards
 * tagged {@code B|}.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.SHARED_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class SharedQueueMdbB implements MessageListener {

    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        SharedWork.forward(forwarder, "B", message);
    }
}
