package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * A message-driven bean whose activation reads its queue through a consumer group ({@code queueMode=classic} in its
 * {@code connectionParameters}) instead of the adapter's default share group: forwards each message to
 * {@link Destinations#OUT_CLASSIC} in its container transaction. Its own provider settings make its own provider XA
 * factory, so it names its own resource manager ({@code xaResourceId}, see ra/README "XA").
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.CLASSIC_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "connectionParameters", propertyValue = "queueMode=classic"),
        @ActivationConfigProperty(propertyName = "xaResourceId", propertyValue = Destinations.CLASSIC_XA_RESOURCE_ID),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class ClassicQueueMdb implements MessageListener {

    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            forwarder.forward(Destinations.OUT_CLASSIC, Bodies.text(message));
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
