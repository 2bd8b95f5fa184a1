package io.weir.jms;

import io.weir.jms.xa.XidNames;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XAJMSContext;
import jakarta.jms.XAQueueConnection;
import jakarta.jms.XAQueueConnectionFactory;
import jakarta.jms.XATopicConnection;
import jakarta.jms.XATopicConnectionFactory;

/**
 * The XA connection factory: a {@link WeirConnectionFactory} (its plain connections are unchanged) that also makes XA
 * connections and contexts. One factory is one resource manager: its XAResources are the same RM ({@code isSameRM})
 * and share the branches this JVM knows.
 *
 * <p>{@code xaResourceId} (default {@code weir-xa}) names the resource manager on the brokers: every branch's
 * transactional id starts with it ({@link XidNames}), and {@code recover} returns the prepared branches under it.
 * Use one value per application instance whose transaction manager recovers independently (like
 * {@code transactionalIdPrefix}), and the same value again after a restart. Needs a broker with two-phase commit
 * (Weir; Apache Kafka 4.4 cannot keep a prepared transaction for a new instance, see TRANSACTIONS.md).
 */
public class WeirXAConnectionFactory extends WeirConnectionFactory
        implements XAConnectionFactory, XAQueueConnectionFactory, XATopicConnectionFactory {

    private static final long serialVersionUID = 1L;

    private String xaResourceId = "weir-xa";
    private transient XaBranches branches;

    public WeirXAConnectionFactory() {
    }

    public WeirXAConnectionFactory(String bootstrapServers) {
        super(bootstrapServers);
    }

    public String getXaResourceId() {
        return xaResourceId;
    }

    public synchronized void setXaResourceId(String xaResourceId) {
        XidNames.checkResourceId(xaResourceId);
        if (branches != null && !branches.names().resourceId().equals(xaResourceId)) {
            throw new IllegalStateException("The XA resource id cannot change once XA connections were made");
        }
        this.xaResourceId = xaResourceId;
    }

    @Override
    public void setProperty(String key, String value) {
        if ("xaResourceId".equals(key)) {
            setXaResourceId(value);
        } else {
            super.setProperty(key, value);
        }
    }

    synchronized XaBranches branches() {
        if (branches == null) {
            branches = new XaBranches(new XidNames(xaResourceId));
        }
        return branches;
    }

    @Override
    public XAConnection createXAConnection() throws JMSException {
        return createXAConnection(null, null);
    }

    @Override
    public XAConnection createXAConnection(String userName, String password) throws JMSException {
        return WeirXAConnection.open(settings(userName, password), branches());
    }

    @Override
    public XAQueueConnection createXAQueueConnection() throws JMSException {
        return createXAQueueConnection(null, null);
    }

    @Override
    public XAQueueConnection createXAQueueConnection(String userName, String password) throws JMSException {
        return WeirXAConnection.open(settings(userName, password), branches());
    }

    @Override
    public XATopicConnection createXATopicConnection() throws JMSException {
        return createXATopicConnection(null, null);
    }

    @Override
    public XATopicConnection createXATopicConnection(String userName, String password) throws JMSException {
        return WeirXAConnection.open(settings(userName, password), branches());
    }

    @Override
    public XAJMSContext createXAContext() {
        return createXAContext(null, null);
    }

    @Override
    public XAJMSContext createXAContext(String userName, String password) {
        WeirXAConnection c = JmsExceptionSupport.runtime(() -> WeirXAConnection.open(settings(userName, password), branches()));
        return new WeirXAJMSContext(new WeirJMSContext.SharedConnection(c));
    }

    @Override
    public String toString() {
        return "WeirXAConnectionFactory(" + getBootstrapServers() + ", xaResourceId=" + xaResourceId + ")";
    }
}
