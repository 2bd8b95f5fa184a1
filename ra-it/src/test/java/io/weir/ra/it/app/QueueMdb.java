package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * A message-driven bean on a queue (found through its admin object's JNDI name), with container-managed
 * transactions: it forwards each message to {@link Destinations#OUT_QUEUE} in its transaction. A text starting with
 * {@code rollback-once:} is rolled back on its first delivery with {@code setRollbackOnly}, one starting with
 * {@code throw-once:} by a runtime exception; both must come back.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationLookup", propertyValue = Destinations.IN_QUEUE_JNDI),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class QueueMdb implements MessageListener {

    @Resource
    private MessageDrivenContext context;
    @EJB
    private Ledger ledger;
    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            String text = Bodies.text(message);
            int delivery = ledger.delivered(text, message.getJMSRedelivered(), Bodies.deliveryCount(message));
            if (delivery == 1 && text.startsWith("rollback-once:")) {
                context.setRollbackOnly();
                return;
            }
            if (delivery == 1 && text.startsWith("throw-once:")) {
                throw new IllegalStateException("Failing the first delivery of " + text + " on purpose");
            }
            forwarder.forward(Destinations.OUT_QUEUE, text);
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
