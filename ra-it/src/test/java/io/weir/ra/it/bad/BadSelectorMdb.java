package io.weir.ra.it.bad;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/** A selector that does not parse: its deployment must fail, naming the property, and leave no consumer behind. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = BadSelectorMdb.QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "messageSelector", propertyValue = "color = 'red' AND AND")})
public class BadSelectorMdb implements MessageListener {

    /** The queue the bad MDBs name: nobody may ever consume from it. */
    public static final String QUEUE = "it.bad";

    @Override
    public void onMessage(Message message) {
        throw new IllegalStateException("never activated");
    }
}
