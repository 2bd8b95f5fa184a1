package io.weir.ra.it.bad;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/** A destination type that is neither a queue nor a topic: its deployment must fail, naming the property. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = BadSelectorMdb.QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Pipe")})
public class UnknownTypeMdb implements MessageListener {
    @Override
    public void onMessage(Message message) {
        throw new IllegalStateException("never activated");
    }
}
