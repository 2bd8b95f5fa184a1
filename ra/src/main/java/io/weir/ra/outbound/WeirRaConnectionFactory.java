package io.weir.ra.outbound;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueConnectionFactory;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicConnectionFactory;
import jakarta.resource.Referenceable;
import jakarta.resource.spi.ConnectionManager;

import javax.naming.Reference;
import java.io.Serializable;

/**
 * The connection factory the server binds in JNDI ({@code connectionfactory-impl-class} in ra.xml) and injects
 * with {@code @Resource}: classic and simplified API, queue and topic flavours. Connections and contexts it
 * makes take their sessions from the server's pool of {@link WeirManagedConnection}s. Serializable and
 * {@link Referenceable} as JCA requires of a factory bound in JNDI. Thread-safe.
 */
public class WeirRaConnectionFactory implements ConnectionFactory, QueueConnectionFactory, TopicConnectionFactory,
        Referenceable, Serializable {

    private static final long serialVersionUID = 1L;

    private final WeirManagedConnectionFactory mcf;
    private final ConnectionManager cm;
    private Reference reference;

    public WeirRaConnectionFactory(WeirManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    /** The managed connection factory behind this factory (used by activation specs' connectionFactoryLookup). */
    public WeirManagedConnectionFactory managedConnectionFactory() {
        return mcf;
    }

    ConnectionManager connectionManager() {
        return cm;
    }

    @Override
    public Connection createConnection() throws JMSException {
        return new WeirRaConnection(this, null, null);
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        return new WeirRaConnection(this, userName, password);
    }

    @Override
    public QueueConnection createQueueConnection() throws JMSException {
        return new WeirRaConnection(this, null, null);
    }

    @Override
    public QueueConnection createQueueConnection(String userName, String password) throws JMSException {
        return new WeirRaConnection(this, userName, password);
    }

    @Override
    public TopicConnection createTopicConnection() throws JMSException {
        return new WeirRaConnection(this, null, null);
    }

    @Override
    public TopicConnection createTopicConnection(String userName, String password) throws JMSException {
        return new WeirRaConnection(this, userName, password);
    }

    @Override
    public JMSContext createContext() {
        return createContext(null, null, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        return createContext(userName, password, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        return createContext(null, null, sessionMode);
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        return WeirRaJMSContext.open(new WeirRaConnection(this, userName, password), sessionMode);
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }

    @Override
    public String toString() {
        return "WeirRaConnectionFactory(" + mcf + ")";
    }
}
