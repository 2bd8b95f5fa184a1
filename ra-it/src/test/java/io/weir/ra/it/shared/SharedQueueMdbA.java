package io.weir.ra.it.shared;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * One of two message-driven beans on the same one-partition queue ({@link Destinations#SHARED_QUEUE}, its physical
 * name): forwards each message to {@link Destinations#OUT_SHARED} tagged {@code A|}, in its container transaction.
 * With {@link SharedQueueMdbB} it is two activations of the adapter, each with its own consumers.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.SHARED_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class SharedQueueMdbA implements MessageListener {

    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        SharedWork.forward(forwarder, "A", message);
    }
}
