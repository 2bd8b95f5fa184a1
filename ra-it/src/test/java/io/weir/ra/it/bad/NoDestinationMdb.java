package io.weir.ra.it.bad;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/** Names no destination: its deployment must fail, naming the property. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue")})
public class NoDestinationMdb implements MessageListener {
    @Override
    public void onMessage(Message message) {
        throw new IllegalStateException("never activated");
    }
}
