package io.weir.ra.it.payara.bad;

import io.weir.ra.it.bad.BadSelectorMdb;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * A valid activation whose brokers never answer: the test's {@code ejb-jar.xml} sets its {@code bootstrapServers} to
 * a loopback port nothing listens on. It deploys (an unreachable broker is an outage, not a configuration error) and
 * its endpoint must say so once in the server's log, naming the property's value, and never receive anything.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destination", propertyValue = BadSelectorMdb.QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")})
public class UnreachableBrokerMdb implements MessageListener {

    @Override
    public void onMessage(Message message) {
        throw new IllegalStateException("never delivered");
    }
}
