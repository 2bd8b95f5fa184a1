package io.weir.ra.it.payara.app;

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
 * ra-it's {@code Sender} with Payara's names (an injected {@code JMSContext}'s factory is an annotation value that no
 * descriptor can change): sends in a container transaction (REQUIRED) through the factory injected with
 * {@code @Resource} (simplified or classic API) or an injected {@code JMSContext}; with {@code rollback} the
 * transaction is marked rollback-only after the sends, so none of them may ever arrive.
 */
@Stateless
public class PayaraSender {

    /** Which way of sending a call uses. */
    public enum Api { RESOURCE, CLASSIC, INJECT }

    @Resource(lookup = PayaraNames.CONNECTION_FACTORY)
    private ConnectionFactory factory;
    @Inject
    @JMSConnectionFactory(PayaraNames.CONNECTION_FACTORY)
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
