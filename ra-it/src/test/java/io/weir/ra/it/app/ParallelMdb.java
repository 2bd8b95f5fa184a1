package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * A message-driven bean on a queue named by its physical name ({@code destination}), with
 * {@code maxSession = PARALLEL_SESSIONS}: each delivery waits in {@code onMessage} until that many deliveries have
 * been in at once (or a minute has passed), then forwards to {@link Destinations#OUT_PARALLEL}.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.PARALLEL_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "" + Destinations.PARALLEL_SESSIONS)})
public class ParallelMdb implements MessageListener {

    private static final long WAIT_FOR_PEERS_MS = 60_000;

    @EJB
    private Ledger ledger;
    @EJB
    private Forwarder forwarder;

    @Override
    public void onMessage(Message message) {
        try {
            String text = Bodies.text(message);
            ledger.delivered(text, message.getJMSRedelivered(), Bodies.deliveryCount(message));
            ledger.enterParallel(Destinations.PARALLEL_SESSIONS, WAIT_FOR_PEERS_MS);
            try {
                forwarder.forward(Destinations.OUT_PARALLEL, text);
            } finally {
                ledger.exitParallel();
            }
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
