package io.weir.ra.it.app;

import io.weir.ra.it.support.Destinations;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.util.List;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Sends in a container transaction (REQUIRED: the servlet has none, so each call is one transaction), through the
 * adapter's factory injected with {@code @Resource} (simplified or classic API) or through an injected
 * {@code JMSContext}. With {@code rollback} the transaction is marked rollback-only after the sends: none of them may
 * ever arrive.
 */
@Stateless
public class Sender {

    /** Which way of sending a call uses. */
    public enum Api { RESOURCE, CLASSIC, INJECT }

    @Resource(lookup = Destinations.CONNECTION_FACTORY)
    private ConnectionFactory factory;
    @Inject
    @JMSConnectionFactory(Destinations.CONNECTION_FACTORY)
    private JMSContext injected;
    @Resource
    private SessionContext context;

    public void send(Api api, String destinationLookup, List<String> texts, boolean rollback)
            throws NamingException, JMSException {
        Destination destination = (Destination) new InitialContext().lookup(destinationLookup);
        switch (api) {
            case RESOURCE -> {
                try (JMSContext jms = factory.createContext()) {
                    JMSProducer producer = jms.createProducer();
                    texts.forEach(t -> producer.send(destination, t));
                }
            }
            case CLASSIC -> {
                try (Connection connection = factory.createConnection()) {
                    Session session = connection.createSession();
                    MessageProducer producer = session.createProducer(destination);
                    for (String t : texts) {
                        producer.send(session.createTextMessage(t));
                    }
                }
            }
            case INJECT -> {
                JMSProducer producer = injected.createProducer();
                texts.forEach(t -> producer.send(destination, t));
            }
        }
        if (rollback) {
            context.setRollbackOnly();
        }
    }
}
