package io.weir.ra.it.bench;

import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * The benchmark's message-driven bean: counts each delivery in its container transaction. Its destination, its
 * {@code maxSession} and the resource adapter it uses come from the deployment descriptor ({@code jboss-ejb3.xml}),
 * so the same class runs on Weir's adapter and on WildFly's built-in Artemis.
 */
@MessageDriven(name = "BenchMdb")
public class BenchMdb implements MessageListener {

    @EJB
    private BenchCounter counter;

    @Override
    public void onMessage(Message message) {
        counter.delivered();
    }
}
